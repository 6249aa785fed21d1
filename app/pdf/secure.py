"""Encrypt PDFs that hold personal data: AES-256 (PDF 2.0 security handler, V=5 R=6) via
pypdf, never reportlab's RC4 modes. Built in memory; written atomically by the caller."""

import io
import secrets

from pypdf import PdfReader, PdfWriter

from app.errors import ValidationError

# Crockford's base32 alphabet: no I, L, O or U, so nothing is misread when typed from a letter.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_password() -> str:
    """Four groups of four characters (80 random bits): strong against guessing a stolen file,
    short enough to read out over the phone or send in a separate message."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))


def check_password(password: str) -> str:
    if not password or len(password) < 8:
        raise ValidationError("A PDF password needs at least 8 characters.", field="pdf_password")
    if "\x00" in password or "\n" in password:
        raise ValidationError("A PDF password cannot contain control characters.", field="pdf_password")
    return password


def encrypt(pdf_bytes: bytes, password: str) -> bytes:
    """AES-256 R6 with the same user and a random owner password."""
    check_password(password)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes)))
    writer.encrypt(user_password=password, owner_password=secrets.token_urlsafe(24), algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
