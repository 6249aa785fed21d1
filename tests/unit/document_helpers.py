"""Small real files for document tests: a PDF drawn by reportlab, a PNG drawn by zlib."""

import io
import struct
import zlib

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def pdf_bytes(*lines: str, pages: int = 1) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page in range(pages):
        y = 780
        for line in lines or ("Educational psychology report",):
            pdf.drawString(72, y, f"{line}" + (f" (page {page + 1})" if pages > 1 else ""))
            y -= 18
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    raw = b"".join(b"\x00" + bytes([200, 40, 40]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pdf_with_plain_text(text: str, pages: int = 1) -> bytes:
    """A PDF whose page streams are not compressed, so `text` sits in its bytes as typed (a
    canary a scan can find in any copy of the file)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    for page in range(pages):
        pdf.drawString(72, 780, f"{text} page {page + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def png_with_text(text: str) -> bytes:
    """A PNG carrying `text` in a tEXt chunk, in clear in its bytes."""
    body = png_bytes()
    data = b"Comment\x00" + text.encode()
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", zlib.crc32(b"tEXt" + data))
    return body[:-12] + chunk + body[-12:]
