"""Every export path of Confide, walked with canary data, and the checks that look inside what
was written: raw bytes, inflated PDF streams, ZIP member flags. Used by test_exports.py."""

import io
import re
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyzipper

from app.domain.periods import custom
from app.security.device import KeyringStore
from app.services.casework import cases, notes, people
from app.services.casework.people import PersonInput
from app.services.consent import export as consent_export
from app.services.consent import mailing_list
from app.services.consent import records as consent
from app.services.documents import documents
from app.services.documents.documents import DocumentInput
from app.services.exports import ExportKind
from app.services.reports import export as report_export
from app.services.reports import figures as reports
from app.services.sar import pack as sar_pack
from app.services.sar import register as sar
from app.services.sar import review as sar_review
from app.services.vault import unlock as vault_service
from app.services.vault.backup import create_backup
from tests.conftest import PASSPHRASE
from tests.security.support import text_needles

TOKEN = "Wqzvyxj"
CANARIES = {
    "staff name": f"Canary {TOKEN} Manager",
    "child name": f"Child{TOKEN}",
    "parent name": f"Parent{TOKEN}",
    "note": f"Note {TOKEN} about the annual review",
}
DOCUMENT_BYTES = b"PK\x03\x04 the document's own words, nothing about the family"


def needles() -> dict[str, bytes]:
    found = {}
    for label, text in CANARIES.items():
        found.update(text_needles(label, text))
    found.update(text_needles("token", TOKEN))
    return found


@dataclass
class Exported:
    path: Path
    password: str | None
    kind: ExportKind


def seeded_vault(data_dir: Path):
    """A manager whose full name is a canary, a family with a case, a note, consents and a
    subject access request ready for its pack."""
    session, _ = vault_service.create_vault(data_dir, "Northshire SENDIASS", "manager", CANARIES["staff name"],
                                            PASSPHRASE, KeyringStore())
    today = date.today()
    kid = people.create_person(session, PersonInput(kind="child", first_name=CANARIES["child name"],
                                                    last_name="Hartley", date_of_birth="2015-04-02"))
    parent = people.create_person(session, PersonInput(
        kind="parent_carer", first_name=CANARIES["parent name"], last_name="Hartley",
        email="parent@example.org", address="2 Sample Street\nNorthtown", postcode="NT2 2BB"))
    people.link_relationship(session, parent.id, kid.id, "mother", True)
    case = cases.open_case(session, parent.id, kid.id, opened_on=today)
    notes.add_note(session, case.id, "meeting", today, 60, CANARIES["note"])
    batch = consent.record_consents(session, consent.ConsentBatch(
        given_by_id=parent.id, method="verbal_phone", items=[consent.ScopeItem("mailing_list", None, None, None)],
        case_id=case.id), today=today)
    request = sar.register(session, today.isoformat(), parent.id, "subject", identity_method="Passport seen",
                           identity_received_on=today.isoformat(), today=today)
    return session, batch[0].id, request.id


def walk(kind: ExportKind, session, out: Path, consent_id: str, sar_id: str) -> list[Exported]:
    """Write every file of one kind through its real export path."""
    today = date.today()
    if kind in (ExportKind.REPORT_PUBLISHED, ExportKind.REPORT_EXACT):
        exact = kind == ExportKind.REPORT_EXACT
        report = reports.build_report(session, custom(date(today.year - 1, 1, 1), today))
        written = [report_export.export_report(session, report, out / f"r.{fmt}", fmt, exact) for fmt in
                   ("pdf", "json")]
        written.append(report_export.write_csv_dir(session, report, out / "csv", exact))
        return [Exported(w.path, w.password, kind) for w in written]
    if kind == ExportKind.SAR_PACK:
        sar_review.complete_review(session, sar_id)  # no pack without a completed review
        result = sar_pack.generate_pack(session, sar_id, out / "pack.pdf")
        return [Exported(result.path, result.password, kind)]
    if kind == ExportKind.CONSENT_RECORD:
        password = consent_export.export_consent_record(session, consent_id, out / "consent.pdf")
        return [Exported(out / "consent.pdf", password, kind)]
    if kind == ExportKind.MAILING_LIST:
        result = mailing_list.export_mailing_list(session, out / "list.pdf")
        return [Exported(result.path, result.password, kind)]
    if kind == ExportKind.BLANK_FORM:
        return [Exported(consent_export.export_blank_form(session, out / "blank.pdf"), None, kind)]
    if kind == ExportKind.BACKUP:
        create_backup(session, out / "b.confide-backup")
        return [Exported(out / "b.confide-backup", None, kind)]
    if kind == ExportKind.DOCUMENT_COPY:
        # The title and source carry the canary; the copy must be the file's own bytes only.
        case_id = session.conn.execute("SELECT id FROM casefile").fetchone()[0]
        added = documents.add_document(session, DocumentInput(
            f"Draft plan for {CANARIES['child name']}", "ehc_plan", today, CANARIES["parent name"],
            "draft.docx", case_id=case_id), io.BytesIO(DOCUMENT_BYTES), today=today)
        written = documents.save_copy(session, added.id, out / "copy.docx")
        assert (out / "copy.docx").read_bytes() == DOCUMENT_BYTES
        return [Exported(written.path, None, kind)]
    raise AssertionError(f"no walk for {kind}")


_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def inflated_streams(raw: bytes) -> bytes:
    """The PDF's streams, inflated where they inflate: text in a plain PDF is compressed, so a
    scan of the raw bytes alone would miss a name in clear."""
    out = []
    for match in _STREAM.finditer(raw):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            out.append(match.group(1))
    return b"\n".join(out)


def files_of(item: Exported) -> list[Path]:
    return sorted(p for p in item.path.rglob("*") if p.is_file()) if item.path.is_dir() else [item.path]


def zip_members_aes256(path: Path) -> list[str]:
    """Names of members that are NOT AES-256 encrypted (WinZip AE: method 99, strength 3)."""
    bad = []
    raw = Path(path).read_bytes()
    with pyzipper.AESZipFile(path) as archive:
        for info in archive.infolist():
            strength = None
            extra = info.extra
            while len(extra) >= 4:
                header, size = int.from_bytes(extra[:2], "little"), int.from_bytes(extra[2:4], "little")
                if header == 0x9901:
                    strength = extra[4 + 4]
                extra = extra[4 + size:]
            # The method in the member's own header, as any unzip tool reads it: 99 = AES.
            method = int.from_bytes(raw[info.header_offset + 8:info.header_offset + 10], "little")
            if not (info.flag_bits & 0x1) or method != 99 or strength != 3:
                bad.append(info.filename)
    return bad


def zip_text(path: Path, password: str) -> str:
    with pyzipper.AESZipFile(path) as archive:
        archive.setpassword(password.encode())
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
