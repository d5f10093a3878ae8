"""Reading QR codes back the way a phone would: with a real decoder (zxing-cpp)."""

from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image, ImageDraw


def decode_png(data: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))]


def decode_image(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


def rasterize_svg(svg: str, scale: int = 8) -> Image.Image:
    """Draw our QR SVG (one path of ``M x y h n v1 h-n z`` runs) to pixels."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        x, y, n = int(x), int(y), int(n)
        draw.rectangle([x * scale, y * scale, (x + n) * scale - 1, (y + 1) * scale - 1], fill=0)
    return image


def pdf_pages(data: bytes, dpi: int = 150) -> list[Image.Image]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    return [page.render(scale=dpi / 72).to_pil() for page in document]


def pdf_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
