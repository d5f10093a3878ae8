"""QR codes of invitation links, as SVG (screens, the web page) and PNG (chat, e-mail).

Error correction M (15 % of the symbol may be lost): enough for a folded letter or a
scuffed badge, while a link of up to 62 characters (``https://<host>/i/<22-character
token>``) still fits version 4, 33 × 33 modules — large modules that a phone camera
locks onto quickly from paper or a dim screen. Level Q would push the same link to
version 5 (37 modules, smaller modules at the same printed size). The quiet zone is
the 4 modules the standard asks for.
"""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4


@lru_cache(maxsize=2048)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The modules of the QR code for ``data``, quiet zone included (True is dark)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def dark_runs(data: str):
    """(x, y, length) runs of dark modules, row by row: few rectangles to draw."""
    for y, row in enumerate(qr_matrix(data)):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                yield start, y, x - start
            else:
                x += 1


def qr_svg(data: str, *, title: str = "") -> str:
    """A standalone SVG: one path, crisp at any size, white background included."""
    size = len(qr_matrix(data))
    path = "".join(f"M{x} {y}h{n}v1h-{n}z" for x, y, n in dark_runs(data))
    label = f"<title>{_escape(title)}</title>" if title else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
            f'shape-rendering="crispEdges" role="img">{label}'
            f'<rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path d="{path}" fill="#000"/></svg>')


def qr_png(data: str, *, scale: int = 10) -> bytes:
    """A PNG with ``scale`` pixels per module (10 → about 370 px for a short link)."""
    from PIL import Image

    matrix = qr_matrix(data)
    size = len(matrix)
    image = Image.new("1", (size, size), 1)
    pixels = image.load()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                pixels[x, y] = 0
    image = image.resize((size * scale, size * scale), Image.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
