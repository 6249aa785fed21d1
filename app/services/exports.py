"""One gate for every file that leaves the database (docs/rules.md, "What must be encrypted when it leaves").

POLICY is the single table of what may leave in clear: a kind of export that holds exact
figures or personal data is always encrypted. PDFs get AES-256 (revision 6, pikepdf); CSV and
JSON go into an AES-256 ZIP (WinZip AE-2, written by pyzipper), which 7-Zip, WinZip, macOS
Archive Utility alternatives and `7z x` open with the password. Everything is built in
memory, written atomically (temp file, fsync, rename; readable by this OS account only) and
recorded in the audit trail (the kind, format and SHA-256, never what is inside).

The backup file is the one export not written here: it is a SQLCipher database under its own
key (app/services/vault/backup.py), listed in POLICY so the table stays complete.
"""

import hashlib
import io
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pyzipper

from app.domain.role_matrix import Scope, grants
from app.errors import ValidationError
from app.fsutil import atomic_write, atomic_write_chunks
from app.pdf import secure
from app.security.session import Session
from app.storage.db import transaction


class ExportKind(StrEnum):
    REPORT_PUBLISHED = "report_published"
    REPORT_EXACT = "report_exact"
    SAR_PACK = "sar_pack"
    CONSENT_RECORD = "consent_record"
    MAILING_LIST = "mailing_list"
    BLANK_FORM = "blank_form"
    BACKUP = "backup"
    DOCUMENT_COPY = "document_copy"


@dataclass(frozen=True)
class ExportPolicy:
    encrypted: bool
    why: str
    written_by: str = "app/services/exports.py"


POLICY: dict[ExportKind, ExportPolicy] = {
    ExportKind.REPORT_PUBLISHED: ExportPolicy(
        False, "aggregate figures, counts under 5 suppressed, staff as 'Worker 1..': no personal data"),
    ExportKind.REPORT_EXACT: ExportPolicy(
        True, "exact small numbers can identify a family; names staff"),
    ExportKind.SAR_PACK: ExportPolicy(True, "a family's own records"),
    ExportKind.CONSENT_RECORD: ExportPolicy(True, "names, signature and the consents of a family"),
    ExportKind.MAILING_LIST: ExportPolicy(True, "names and addresses of the people on the list"),
    ExportKind.BLANK_FORM: ExportPolicy(False, "the service's wording only, no one's details"),
    ExportKind.BACKUP: ExportPolicy(True, "the whole database", "app/services/vault/backup.py (SQLCipher, own key)"),
    # The one clear copy of personal data: a document in its own format (Word, email), which
    # only its own program opens. The person is warned first and it is audited
    # (docs/documents.md, "Save a copy").
    ExportKind.DOCUMENT_COPY: ExportPolicy(
        False, "a document's own bytes, saved by a person after a warning that the copy is not encrypted",
        "app/services/documents/documents.py (streamed through export_stream)"),
}

ZIP_SUFFIX = ".zip"


def must_encrypt(kind: ExportKind) -> bool:
    return POLICY[ExportKind(kind)].encrypted


@dataclass(frozen=True)
class Written:
    """What was written. `password` is set only when Confide made it up (to be shown once)."""

    path: Path
    sha256: str
    encrypted: bool
    password: str | None = None


def refuse_clear_stream(kind: ExportKind) -> None:
    """Standard output is a file nobody chose to protect: only clear-allowed kinds may go there.

    May raise: ValidationError.
    """
    if must_encrypt(kind):
        raise ValidationError("Exact figures and personal data are written only to an encrypted file; "
                              "give --out FILE instead of standard output.", field="out")


@grants(Scope.ANY, "writes what its caller built; the caller's own entry decides who")
def export_pdf(session: Session, kind: ExportKind, path: Path, pdf: bytes, password: str | None = None,
               detail: dict | None = None, edit: secure.Edit | None = None) -> Written:
    """Encrypt the PDF when POLICY says so (a new password unless one is given), write it
    atomically and audit it. `edit` changes the open PDF as it is encrypted (secure.encrypt);
    only for a kind that is encrypted.

    May raise: ValidationError (a weak password, or a password for a kind that is plain), OSError.
    """
    kind = ExportKind(kind)
    made_up = None
    if must_encrypt(kind):
        if password:
            password = secure.check_password(password)
        else:
            password = made_up = secure.new_password()
        pdf = secure.encrypt(pdf, password, edit)
    elif edit is not None:
        raise ValueError(f"{kind.value} is written as it is: there is no rewrite to make the change in")
    elif password:
        raise ValidationError("This document holds no personal data and is saved without a password.",
                              field="pdf_password")
    return _finish(session, kind, Path(path), pdf, "pdf", made_up, detail)


@grants(Scope.ANY, "writes what its caller built; the caller's own entry decides who")
def export_tables(session: Session, kind: ExportKind, path: Path, files: dict[str, bytes],
                  password: str | None = None, detail: dict | None = None) -> Written:
    """CSV or JSON files. Encrypted kinds: one AES-256 ZIP holding them all (".zip" is added to
    the name when missing; the returned path says where it went). Plain kinds: one file is
    written at `path`, several go into the folder `path`.

    May raise: ValidationError (weak password, a file where a folder is needed), OSError.
    """
    kind, path = ExportKind(kind), Path(path)
    if not files:
        raise ValidationError("There is nothing to export.")
    for name in files:
        # Member names are not encrypted inside a ZIP: fixed, non-personal names only.
        if "/" in name or "\\" in name or name.startswith("."):
            raise ValidationError(f"{name!r} is not a plain file name.")
    if must_encrypt(kind):
        made_up = None
        if password:
            password = secure.check_password(password)
        else:
            password = made_up = secure.new_password()
        if path.suffix.lower() != ZIP_SUFFIX:
            path = path.with_name(path.name + ZIP_SUFFIX)
        return _finish(session, kind, path, encrypted_zip(files, password), "zip", made_up, detail)
    if password:
        raise ValidationError("These figures hold no personal data and are saved without a password.",
                              field="pdf_password")
    if len(files) == 1 and not path.is_dir():
        (name, data), = files.items()
        return _finish(session, kind, path, data, Path(name).suffix.lstrip("."), None, detail)
    if path.exists() and not path.is_dir():
        raise ValidationError(f"{path} is a file, not a folder.", field="csv")
    path.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        atomic_write(path / name, data, 0o600)
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return _audit(session, kind, Written(path, digest.hexdigest(), False), "folder", detail)


@grants(Scope.ANY, "writes what its caller read; the caller's own entry decides who")
def export_stream(session: Session, kind: ExportKind, path: Path, chunks, detail: dict | None = None) -> Written:
    """A file written a piece at a time (atomic, this OS account only, audited): only for
    kinds POLICY lets leave in clear. May raise: ValidationError, OSError."""
    kind = ExportKind(kind)
    if must_encrypt(kind):
        raise ValidationError("This kind of file leaves Confide only encrypted.")
    digest = hashlib.sha256()

    def hashed():
        for chunk in chunks:
            digest.update(chunk)
            yield chunk

    atomic_write_chunks(Path(path), hashed(), 0o600)
    return _audit(session, kind, Written(Path(path), digest.hexdigest(), False), Path(path).suffix.lstrip("."), detail)


def encrypted_zip(files: dict[str, bytes], password: str) -> bytes:
    """A ZIP whose members are AES-256 encrypted (WinZip AE-2), built in memory."""
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED,
                             encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(password.encode("utf-8"))
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()


def _finish(session: Session, kind: ExportKind, path: Path, data: bytes, fmt: str, made_up: str | None,
            detail: dict | None) -> Written:
    atomic_write(path, data, 0o600)
    written = Written(path, hashlib.sha256(data).hexdigest(), must_encrypt(kind), made_up)
    return _audit(session, kind, written, fmt, detail)


def _audit(session: Session, kind: ExportKind, written: Written, fmt: str, detail: dict | None) -> Written:
    # Ids and hashes only: the path could carry a family's name, so it is not recorded.
    with transaction(session.conn):
        session.audit("export_written", "export", None, {"kind": kind.value, "format": fmt,
                                                         "encrypted": written.encrypted,
                                                         "sha256": written.sha256, **(detail or {})})
    return written
