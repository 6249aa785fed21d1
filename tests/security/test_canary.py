"""Canary strings typed through the services must never reach the disk in clear: not in the
database, its WAL or shared-memory file, vault.json, the attempts file, temp files, the XDG
folders, backups, or the folder a restore moves the old database into."""

import sqlite3
import tempfile
import zipfile
from datetime import date

import pytest

from app.errors import WrongCredentials
from app.security.device import KeyringStore
from app.services import settings_change
from app.services.casework import cases, enquiries, notes, people, safeguarding, search
from app.services.casework.enquiries import EnquiryInput
from app.services.casework.people import PersonInput
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from app.services.vault.backup import create_backup
from app.services.vault.restore import restore_backup
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE
from tests.security.support import SQLITE_MAGIC, files_under, scan, text_needles

# One rare token in every canary: FTS5 keeps tokens lower-cased, so that spelling is scanned too.
TOKEN = "Zqxwvy"
CANARIES = {
    "manager name": f"Canary {TOKEN} Bravo",
    "staff name": f"Canary {TOKEN} Alpha",
    "child name": f"Charlie{TOKEN}",
    "parent surname": f"Delta{TOKEN}",
    "address": f"17 {TOKEN} Echo Street",
    "contact note": f"Foxtrot {TOKEN}: never call at work",
    "enquiry summary": f"Golf {TOKEN} asked about an EHC needs assessment",
    "note body": f"Hotel {TOKEN} said the school refused the assessment",
    "edited note": f"India {TOKEN} revised wording after the meeting",
    "safeguarding": f"Juliet {TOKEN} disclosed a concern at the visit",
}
# A long note lands in overflow pages, which are encrypted on a separate code path.
LONG_NOTE = " ".join([f"Kilo {TOKEN} paragraph {i} of a long meeting record." for i in range(300)])


def _needles() -> dict[str, bytes]:
    found = {}
    for label, text in CANARIES.items():
        found.update(text_needles(label, text))
    found.update(text_needles("token", TOKEN))
    found.update(text_needles("token, lower case", TOKEN.lower()))
    return found


@pytest.fixture
def watched_tmp(tmp_path, monkeypatch):
    """Every temp file Python or SQLite is told to make goes here, where the scan looks."""
    folder = tmp_path / "watched-tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setenv("SQLITE_TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _write_canaries(session) -> None:
    staff.add_staff(session, "alpha", CANARIES["staff name"], "caseworker", OTHER_PASSPHRASE)
    settings_change.set_auto_lock_minutes(session, 7)
    kid = people.create_person(session, PersonInput(kind="child", first_name=CANARIES["child name"],
                                                    last_name=CANARIES["parent surname"],
                                                    date_of_birth="2015-04-02"))
    parent = people.create_person(session, PersonInput(
        kind="parent_carer", first_name="Sam", last_name=CANARIES["parent surname"],
        address=CANARIES["address"], phone_mobile="07700 900456", ok_mobile=1))
    people.set_contact_preferences(session, parent.id, note=CANARIES["contact note"], ok_work=0)
    people.link_relationship(session, parent.id, kid.id, "mother", True)
    result = enquiries.record_enquiry(session, EnquiryInput(
        channel="phone", caller_role="parent_carer", caller_id=parent.id, child_id=kid.id,
        topics=["ehc_needs_assessment"], summary=CANARIES["enquiry summary"],
        statement_shared=True, statement_how="verbal", enquiry_type="casework"))
    case = result.case or cases.open_case(session, parent.id, kid.id)
    today = date.today()
    note = notes.add_note(session, case.id, "phone_call", today, 20, CANARIES["note body"])
    notes.edit_note(session, note.id, "phone_call", today, 25, CANARIES["edited note"])
    notes.add_note(session, case.id, "meeting", today, 90, LONG_NOTE)
    safeguarding.raise_concern(session, case.id, today, CANARIES["safeguarding"])


def test_the_scanner_finds_canaries_in_clear(tmp_path):
    """Control: the scan does find a canary in a plain SQLite file and in UTF-16 text."""
    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as conn:
        conn.execute("CREATE TABLE t (v TEXT)")
        conn.execute("INSERT INTO t VALUES (?)", (CANARIES["note body"],))
    (tmp_path / "settings.ini").write_bytes(CANARIES["staff name"].encode("utf-16-le"))
    hits = scan([tmp_path], _needles())
    assert any("note body (utf-8)" in h and "plain.db" in h for h in hits)
    assert any("staff name (utf-16-le)" in h for h in hits)


def test_canaries_never_reach_the_disk_in_clear(tmp_path, data_dir, watched_tmp):
    session, _recovery = vault_service.create_vault(
        data_dir, "Northshire SENDIASS", "manager", CANARIES["manager name"], PASSPHRASE, KeyringStore())
    # Temp tables and sorts stay in memory; SQLite unlinks its temp files at once, so a scan
    # afterwards could never see them; this setting is what keeps them off the disk.
    assert session.conn.execute("PRAGMA temp_store").fetchone()[0] == 2
    _write_canaries(session)
    # The canaries really are in the database (otherwise the scan below proves nothing).
    assert CANARIES["staff name"] in [m.full_name for m in staff.list_staff(session)]
    assert len(search.search(session, TOKEN)) >= 2  # the two notes
    needles = _needles()

    # While unlocked the newest pages sit in confide.db-wal.
    assert (data_dir / "confide.db-wal").stat().st_size > 0
    assert {"confide.db", "confide.db-wal", "confide.db-shm", "vault.json"} <= {
        p.name for p in files_under(data_dir)}
    assert scan([tmp_path], needles) == []

    backup = tmp_path / "backups" / "nightly.confide-backup"
    backup.parent.mkdir()
    create_backup(session, backup)
    assert scan([tmp_path], needles) == []
    session.lock()
    assert scan([tmp_path], needles) == []

    # A failed unlock writes the attempts file; a restore moves the old database aside.
    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, "manager", "not the right passphrase")
    kept = restore_backup(data_dir, backup, username="manager", passphrase=PASSPHRASE)
    assert kept is not None and (kept / "confide.db").exists()
    again = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    assert len(search.search(again, TOKEN)) >= 2
    again.lock()
    assert (data_dir / "unlock-attempts.json").exists()
    assert scan([tmp_path], needles) == []


def test_database_and_backup_are_not_sqlite_files_to_anyone_else(tmp_path, session, data_dir):
    backup = tmp_path / "b.confide-backup"
    create_backup(session, backup)
    session.lock()
    db_file = data_dir / "confide.db"
    assert db_file.read_bytes()[:16] != SQLITE_MAGIC
    with zipfile.ZipFile(backup) as archive:
        inner = archive.read("database.sqlcipher")
    assert inner[:16] != SQLITE_MAGIC
    inner_file = tmp_path / "inner.db"
    inner_file.write_bytes(inner)
    for path in (db_file, inner_file):
        conn = sqlite3.connect(path)
        try:
            with pytest.raises(sqlite3.DatabaseError):
                conn.execute("SELECT name FROM sqlite_master").fetchall()
        finally:
            conn.close()
