"""List, or fill in, the Vietnamese translations a change still lacks.

    .venv/bin/python scripts/untranslated.py            # print msgids without msgstr
    .venv/bin/python scripts/untranslated.py FILE.json  # fill them from {msgid: msgstr}

Also merges catalogues after a merge conflict: run ``make messages`` on main's file,
then fill from the other side's pairs (``--from other.po``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "checkin/translations/vi/LC_MESSAGES/messages.po"


def main(argv: list[str]) -> int:
    with PO.open("rb") as f:
        catalog = read_po(f)
    pairs: dict[str, str] = {}
    if argv[:1] == ["--from"]:
        with open(argv[1], "rb") as f:
            pairs = {m.id if isinstance(m.id, str) else m.id[0]: m.string
                     for m in read_po(f) if m.id and m.string}
    elif argv:
        pairs = json.loads(Path(argv[0]).read_text())
    missing = []
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if not key or (message.string and not message.fuzzy):
            continue
        if key in pairs:
            message.string = pairs[key]
            message.flags.discard("fuzzy")
        else:
            missing.append(key)
    if pairs:
        with PO.open("wb") as f:
            write_po(f, catalog, width=76, sort_output=True, omit_header=False)
    for key in missing:
        print(key)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
