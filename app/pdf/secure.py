"""Encrypt PDFs that hold personal data: AES-256 (PDF 2.0 security handler, V=5 R=6) via
pikepdf (qpdf), never reportlab's RC4 modes. Built in memory; written atomically by the caller.

qpdf keeps a tagged PDF's structure tree, language and alternative texts as they are, allows
text extraction for accessibility (a screen reader must be able to read the file once it is
opened) and packs the many small objects of a structure tree into object streams: pypdf took
about a minute to re-write a 2,000-note tagged pack (docs/accessibility.md)."""

import io
import secrets
from collections.abc import Callable
from contextlib import ExitStack

import pikepdf

from app.errors import ValidationError

# Crockford's base32 alphabet: no I, L, O or U, so nothing is misread when typed from a letter.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_password() -> str:
    """Four groups of four characters (80 random bits): strong against guessing a stolen file,
    short enough to read out over the phone or send in a separate message."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))


MIN_TYPED_LENGTH = 12
MIN_DISTINCT = 6


def check_password(password: str) -> str:
    """The rule for a password a person types for an exported file (PDF or ZIP): it is all
    that stands between a lost file and whoever finds it, with unlimited offline guessing.
    At least 12 characters and not a short pattern repeated ("aaaaaaaaaaaa", "abcabcabcabc").
    The generated default (new_password) passes. May raise: ValidationError.
    """
    if any(ord(ch) < 32 or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF for ch in password or ""):
        raise ValidationError("A file password cannot contain control characters or broken characters.",
                              field="pdf_password")
    if not password or len(password) < MIN_TYPED_LENGTH:
        raise ValidationError(f"A file password needs at least {MIN_TYPED_LENGTH} characters "
                              "(three or four unrelated words work well), or leave it out for a new one.",
                              field="pdf_password")
    if len(set(password.lower())) < MIN_DISTINCT:
        raise ValidationError("That file password repeats a few characters; use three or four unrelated "
                              "words, or leave it out for a new one.", field="pdf_password")
    return password


# Changes made to the open PDF just before it is written encrypted (pages added at its end):
# one rewrite by qpdf instead of two. The ExitStack stays open until the file is written.
Edit = Callable[[pikepdf.Pdf, ExitStack], None]


def encrypt(pdf_bytes: bytes, password: str, edit: Edit | None = None) -> bytes:
    """AES-256 R6 with the same user and a random owner password; `edit`, when given, first
    changes the open PDF (May raise: whatever it raises; nothing is written then)."""
    check_password(password)
    # Opening needs the password; once open, reading aloud, printing and copying are allowed
    # (PDF/UA: assistive technology must get at the text).
    allow = pikepdf.Permissions(accessibility=True, extract=True, print_lowres=True, print_highres=True,
                                modify_annotation=False, modify_assembly=False, modify_form=False,
                                modify_other=False)
    out = io.BytesIO()
    with ExitStack() as sources, pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        if edit is not None:
            edit(pdf, sources)
        pdf.save(out, encryption=pikepdf.Encryption(user=password, owner=secrets.token_urlsafe(24), R=6,
                                                    aes=True, allow=allow),
                 object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return out.getvalue()
