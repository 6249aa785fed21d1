"""Backup and restore: the same computer with a passphrase, a new computer with the recovery
key, tampered backup files refused without touching the live vault."""

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from app.errors import BackupInvalid, DeviceSecretMissing, WrongCredentials, WrongRecoveryKey
from app.security import keyslots
from app.security.device import KEYRING_SERVICE
from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from app.services.vault.backup import create_backup
from app.services.vault.backup_file import read_backup
from app.services.vault.restore import restore_backup
from app.services.vault.verify import verify_vault
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE
from tests.security.support import PAGE_SIZE, sha256

CASEY_OWN = "a settled new passphrase for work"


def _actions(session) -> list[str]:
    """Audited actions, leaving out the bulk reads that _people itself writes."""
    return [r[0] for r in session.conn.execute("SELECT action FROM audit_event WHERE action != 'bulk_read' "
                                               "ORDER BY seq")]


def _people(session) -> set[str]:
    return {p.last_name for p in people.find_people(session)}


@pytest.fixture
def backed_up(vault, data_dir, tmp_path):
    """A vault with three staff and one family member, backed up; then changed afterwards."""
    session, recovery = vault
    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    staff.add_staff(session, "vic", "Vic Volunteer", "volunteer", OTHER_PASSPHRASE)
    people.create_person(session, PersonInput(kind="parent_carer", first_name="Ada", last_name="Beforebackup"))
    session.lock()
    casey = vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)
    staff.change_own_passphrase(casey, OTHER_PASSPHRASE, CASEY_OWN)
    casey.lock()

    session = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    backup = tmp_path / "backups" / "friday.confide-backup"
    backup.parent.mkdir()
    manifest = create_backup(session, backup)
    people.create_person(session, PersonInput(kind="parent_carer", first_name="Bo", last_name="Afterbackup"))
    session.lock()
    return backup, manifest, recovery


def test_backup_file_is_self_describing_and_private(backed_up):
    backup, manifest, _ = backed_up
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    contents = read_backup(backup)
    assert contents.manifest == manifest
    assert set(contents.vault.slots) == {"manager", "casey", "vic"}
    assert manifest["audit_head"]["seq"] > 0


def test_restore_on_the_same_computer_keeps_the_replaced_database(backed_up, data_dir):
    backup, manifest, _ = backed_up
    live_before = sha256(data_dir / "confide.db")
    vault_before = sha256(data_dir / "vault.json")
    with pytest.raises(WrongCredentials):
        restore_backup(data_dir, backup, username="manager", passphrase="not the passphrase at all")
    assert sha256(data_dir / "confide.db") == live_before

    kept = restore_backup(data_dir, backup, username="manager", passphrase=PASSPHRASE)

    assert kept.name.startswith("replaced-") and kept.parent == data_dir
    assert sha256(kept / "confide.db") == live_before
    assert sha256(kept / "vault.json") == vault_before
    session = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    assert "Beforebackup" in _people(session) and "Afterbackup" not in _people(session)
    # The wrong passphrase given to restore counts as a failed attempt, like one at unlock.
    assert _actions(session)[-3:] == ["restore", "unlock_failed", "unlock"]
    detail = json.loads(session.conn.execute(
        "SELECT detail FROM audit_event WHERE action = 'restore'").fetchone()[0])
    assert detail["backup_audit_seq"] == manifest["audit_head"]["seq"]
    session.lock()
    assert verify_vault(data_dir, "manager", PASSPHRASE).ok
    assert not [p for p in data_dir.iterdir() if p.name.startswith((".restore-", ".backup-"))]


def test_restore_twice_in_the_same_second_keeps_both_replaced_databases(backed_up, data_dir):
    backup = backed_up[0]
    first = restore_backup(data_dir, backup, username="manager", passphrase=PASSPHRASE)
    second = restore_backup(data_dir, backup, username="manager", passphrase=PASSPHRASE)
    assert first != second and (first / "confide.db").exists() and (second / "confide.db").exists()


def test_restore_on_a_new_computer_with_the_recovery_key(backed_up, tmp_path, memory_keyring):
    backup, _, recovery = backed_up
    memory_keyring.values.clear()  # a new computer: an empty credential store
    fresh = tmp_path / "new-computer"

    with pytest.raises(WrongRecoveryKey):
        restore_backup(fresh, backup, recovery_key=keyslots.new_recovery_key())
    with pytest.raises(DeviceSecretMissing, match="recovery key"):  # a passphrase cannot stand in
        restore_backup(fresh, backup, username="manager", passphrase=PASSPHRASE)
    assert not (fresh / "confide.db").exists()

    assert restore_backup(fresh, backup, recovery_key=recovery.lower()) is None
    assert memory_keyring.values  # this computer is enrolled
    for username, passphrase in (("manager", PASSPHRASE), ("casey", CASEY_OWN), ("vic", OTHER_PASSPHRASE)):
        session = vault_service.unlock(fresh, username, passphrase)
        assert session.user.username == username
        assert session.must_change_passphrase == (username == "vic")
        session.lock()
    session = vault_service.unlock(fresh, "manager", PASSPHRASE)
    restore_row = session.conn.execute(
        "SELECT actor FROM audit_event WHERE action = 'restore'").fetchone()
    assert restore_row[0] == "recovery-key"
    session.lock()
    assert verify_vault(fresh, "manager", PASSPHRASE).ok
    assert KEYRING_SERVICE in {service for service, _ in memory_keyring.values}


def _rewrite(backup: Path, out: Path, *, manifest=None, vault=None, database=None) -> Path:
    with zipfile.ZipFile(backup) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    if manifest is not None:
        parts["manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True).encode()
    if vault is not None:
        parts["vault.json"] = vault
    if database is not None:
        parts["database.sqlcipher"] = database
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out


def _flip_in_zip_entry(backup: Path, out: Path) -> Path:
    """Flip one byte in the middle of the stored database entry, leaving the zip as it is."""
    data = bytearray(backup.read_bytes())
    with zipfile.ZipFile(backup) as archive:
        info = archive.getinfo("database.sqlcipher")
    header_len = 30 + len(info.filename.encode()) + len(info.extra)
    data[info.header_offset + header_len + info.compress_size // 2] ^= 0x01
    out.write_bytes(bytes(data))
    return out


def _with_database_page_flipped(backup: Path, out: Path, page: int) -> Path:
    """An attacker who also fixes up the manifest's checksum, so only crypto can tell."""
    contents = read_backup(backup)
    db_bytes = bytearray(contents.db_bytes)
    page = page if page > 0 else len(db_bytes) // PAGE_SIZE // 2
    db_bytes[(page - 1) * PAGE_SIZE + 200] ^= 0x01
    manifest = dict(contents.manifest, database_sha256=hashlib.sha256(bytes(db_bytes)).hexdigest())
    return _rewrite(backup, out, manifest=manifest, database=bytes(db_bytes))


def _manifest_edit(**changes):
    def make(backup: Path, out: Path) -> Path:
        manifest = dict(read_backup(backup).manifest)
        for key, value in changes.items():
            manifest[key] = value(manifest[key]) if callable(value) else value
        return _rewrite(backup, out, manifest=manifest)
    return make


def _vault_without_casey(backup: Path, out: Path) -> Path:
    contents = read_backup(backup)
    data = json.loads(contents.vault_bytes)
    data["slots"] = [s for s in data["slots"] if s["user"] != "casey"]
    vault_bytes = json.dumps(data).encode()
    manifest = dict(contents.manifest, vault_sha256=hashlib.sha256(vault_bytes).hexdigest())
    return _rewrite(backup, out, manifest=manifest, vault=vault_bytes)


TAMPERS = {
    "byte flipped in the database entry": _flip_in_zip_entry,
    "database page altered, checksum fixed": lambda b, o: _with_database_page_flipped(b, o, 0),
    "first database page altered, checksum fixed": lambda b, o: _with_database_page_flipped(b, o, 1),
    "manifest audit head moved back": _manifest_edit(audit_head=lambda h: {"seq": h["seq"] - 1, "hash": h["hash"]}),
    "manifest date edited": _manifest_edit(created_at="2020-01-01T00:00:00+00:00"),
    "manifest author edited": _manifest_edit(created_by="someone-else"),
    "manifest schema version edited": _manifest_edit(schema_version=lambda v: v - 1),
    "key slot removed, checksum fixed": _vault_without_casey,
    "not a zip at all": lambda b, o: (o.write_bytes(b"PK\x03\x04 definitely not a backup"), o)[1],
}


# The recovery-key path reaches the same checks by another route; a few cases cover it.
CASES = [(t, "passphrase") for t in TAMPERS] + [
    (t, "recovery key") for t in ("first database page altered, checksum fixed",
                                  "manifest author edited", "key slot removed, checksum fixed")]


@pytest.mark.parametrize(("tamper", "how"), CASES, ids=[f"{how}: {t}" for t, how in CASES])
def test_tampered_backup_is_refused_and_the_live_vault_untouched(backed_up, data_dir, tmp_path, tamper, how):
    backup, _, recovery = backed_up
    bad = TAMPERS[tamper](backup, tmp_path / "tampered.confide-backup")
    before = {p.name: sha256(p) for p in data_dir.iterdir() if p.is_file()}
    credentials = ({"username": "manager", "passphrase": PASSPHRASE} if how == "passphrase"
                   else {"recovery_key": recovery})
    with pytest.raises(BackupInvalid) as info:
        restore_backup(data_dir, bad, **credentials)
    assert "\n" not in info.value.message
    assert {p.name: sha256(p) for p in data_dir.iterdir() if p.is_file()} == before
    assert not [p for p in data_dir.iterdir() if p.is_dir()]  # no staging or replaced-* folder
    # The untampered file still restores: the refusal was about the tampering.
    restore_backup(data_dir, backup, **credentials)
