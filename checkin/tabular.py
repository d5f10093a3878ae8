"""Reading the spreadsheets units send: CSV (UTF-8, with or without BOM) and .xlsx.

Header names are matched without diacritics or case, so "Tên đơn vị",
"ten don vi" and "TÊN ĐƠN VỊ" all name the same column.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from .errors import ValidationError
from .i18n import fold


@dataclass
class Row:
    #: Row number as the spreadsheet shows it (the header is row 1).
    number: int
    values: dict[str, object]


def _file_error(message: str) -> ValidationError:
    return ValidationError(message, code="bad_file", errors=[{"row": None, "field": None,
                                                              "message": message}])


def read_table(filename: str, data: bytes, columns: Mapping[str, tuple[str, ...]],
               *, required: tuple[str, ...] = ()) -> list[Row]:
    """Rows of a CSV or .xlsx file, keyed by the canonical column names in ``columns``.

    ``columns`` maps a canonical name to the folded header spellings accepted for it.
    Blank rows are skipped. Raises :class:`ValidationError` (code ``bad_file``) for
    a file that cannot be read or lacks a required column.
    """
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        raw_rows = _xlsx_rows(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        raw_rows = _csv_rows(data)
    else:
        raise _file_error(_("Unsupported file type: upload a .csv or .xlsx file."))
    if not raw_rows:
        raise _file_error(_("The file is empty."))

    header = [fold(str(h)) if h is not None else "" for h in raw_rows[0]]
    index: dict[str, int] = {}
    for canonical, spellings in columns.items():
        for i, h in enumerate(header):
            if h in spellings or h == canonical:
                index[canonical] = i
                break
    missing = [c for c in required if c not in index]
    if missing:
        expected = ", ".join(columns[c][0] for c in missing)
        raise _file_error(_("Missing column(s): %(columns)s.", columns=expected))

    rows = []
    for number, raw in enumerate(raw_rows[1:], start=2):
        values = {c: (raw[i] if i < len(raw) else None) for c, i in index.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        rows.append(Row(number, values))
    if not rows:
        raise _file_error(_("The file has a header but no rows."))
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(
            _("The CSV file is not UTF-8. In Excel choose “CSV UTF-8” when saving.")
        ) from None
    if "\x00" in text:
        raise _file_error(_("The file contains characters that are not text (NUL). Save it "
                            "again as “CSV UTF-8”."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        return _bounded(reader)
    except csv.Error:  # e.g. a field over csv's 128 KB limit
        raise _file_error(_("Row %(row)d cannot be read: a cell is too long or a quote is "
                            "not closed.", row=reader.line_num)) from None


#: Rows an import may have (header included): larger than any meeting, small enough that
#: a hostile file is refused after reading this many rows, not all of them.
MAX_ROWS = 20_000


def _bounded(rows) -> list[list]:
    taken = list(itertools.islice(rows, MAX_ROWS + 1))
    if len(taken) > MAX_ROWS:
        raise _file_error(_("The file has more than %(n)d rows.", n=MAX_ROWS - 1))
    return taken


def _xlsx_rows(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise _file_error(_("The Excel file cannot be read: save it as .xlsx and try again.")) \
            from None
    try:
        sheet = workbook.worksheets[0]
        return _bounded(list(row) for row in sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A cell value that Excel will not run as a formula.

    People type names and questions; a text starting with "=", "+", "-" or "@" would
    become a formula (``=HYPERLINK(…)``) in the organizer's spreadsheet. Such text is
    written with a leading apostrophe, which Excel shows as plain text.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def text_cells(sheet) -> None:
    """Store every text cell of an openpyxl sheet as text: openpyxl writes a string that
    starts with "=" as a formula, whatever :func:`spreadsheet_safe` did before."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
