"""Restore: a manager's action or the recovery key's, throttled, audited,
checked against the current staff register, and re-keyed."""

import zipfile

import pytest

from app.errors import DatabaseDamaged, PermissionDenied, TooManyAttempts, WrongCredentials
from app.security import staff_slot
from app.security.device import KeyringStore
from app.security.keyslots import VaultFile
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from app.services.vault.backup import create_backup
from app.services.vault.restore import restore_backup
from app.storage import db
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE

CASEY_OWN = "casey keeps this one to herself"


@pytest.fixture
def old_backup(session, data_dir, tmp_path):
    """casey (a second manager) and carl (a caseworker) exist at backup time; then casey is
    disabled."""
    for user, role in (("casey", "manager"), ("carl", "caseworker")):
        staff.add_staff(session, user, f"{user.title()} Worker", role, OTHER_PASSPHRASE)
        member = vault_service.unlock(data_dir, user, OTHER_PASSPHRASE)
        staff.change_own_passphrase(member, OTHER_PASSPHRASE, CASEY_OWN)
        member.lock()
    backup = tmp_path / "old.confide-backup"
    create_backup(session, backup)
    staff.disable(session, "casey")
    session.lock()
    return backup


def test_a_disabled_account_cannot_restore_its_way_back(old_backup, data_dir):
    with pytest.raises(WrongCredentials):
        restore_backup(data_dir, old_backup, username="casey", passphrase=CASEY_OWN)
    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, "casey", CASEY_OWN)


def test_a_caseworker_cannot_restore(old_backup, data_dir):
    before = (data_dir / "confide.db").read_bytes()
    with pytest.raises(PermissionDenied, match="Only a manager"):
        restore_backup(data_dir, old_backup, username="carl", passphrase=CASEY_OWN)
    assert (data_dir / "confide.db").read_bytes() == before


def test_restore_reapplies_disabled_accounts_and_rekeys(old_backup, data_dir, tmp_path):
    with zipfile.ZipFile(old_backup) as archive:
        (tmp_path / "backup-vault.json").write_bytes(archive.read("vault.json"))
    backup_vault = VaultFile.load(tmp_path / "backup-vault.json")
    live_key_id = VaultFile.load(data_dir / "vault.json").key_id

    restore_backup(data_dir, old_backup, username="manager", passphrase=PASSPHRASE)

    restored = VaultFile.load(data_dir / "vault.json")
    assert restored.key_id not in (backup_vault.key_id, live_key_id)
    assert "casey" not in restored.slots
    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, "casey", CASEY_OWN)
    # casey's slot in the backup opens the backup's key, which opens nothing restored.
    secret = KeyringStore().load(backup_vault.vault_id)
    her_keys = staff_slot.open_slot(backup_vault.vault_id, backup_vault.slots["casey"], CASEY_OWN, secret).data_keys
    for key in her_keys:
        with pytest.raises(DatabaseDamaged):
            db.open_database(data_dir / "confide.db", key)
    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    rows = manager.conn.execute(
        "SELECT action, detail FROM audit_event WHERE action IN ('restore', 'staff_disabled') "
        "ORDER BY seq DESC LIMIT 2").fetchall()
    assert [r[0] for r in rows] == ["restore", "staff_disabled"] and '"by": "restore"' in rows[1][1]
    assert {m.username: m.active for m in staff.list_staff(manager)}["casey"] is False
    manager.lock()
    vault_service.unlock(data_dir, "carl", CASEY_OWN).lock()  # today's passphrase still works


def test_restore_attempts_are_throttled(old_backup, data_dir):
    for _ in range(3):
        with pytest.raises(WrongCredentials):
            restore_backup(data_dir, old_backup, username="manager", passphrase="not it at all, no")
    with pytest.raises(TooManyAttempts):
        restore_backup(data_dir, old_backup, username="manager", passphrase=PASSPHRASE)
