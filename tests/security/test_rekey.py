"""Keys that change when people leave, attacked with the files a leaver could
have kept: an older vault.json, a backup's vault.json, their own private key."""

import json
import shutil
import zipfile

import pytest

from app.errors import DatabaseDamaged, Locked, VaultFileInvalid, WrongCredentials
from app.security import sealing, staff_slot
from app.security.device import KeyringStore
from app.security.keyslots import VaultFile
from app.services.vault import recovery as recovery_service
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from app.services.vault.backup import create_backup
from app.storage import db
from app.storage.keying import VaultRolledBack
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE

CASEY_OWN = "casey keeps this one to herself"
RESET = "temporary words after a suspected leak"


def _keys_from(vault_json, user: str, passphrase: str) -> list[bytes]:
    """What someone holding this vault.json, the passphrase and the device secret gets:
    the attacker skips Confide and uses the keys directly."""
    vault = VaultFile.load(vault_json)
    secret = KeyringStore().load(vault.vault_id)
    opened = staff_slot.open_slot(vault.vault_id, vault.slots[user], passphrase, secret)
    assert opened is not None
    return opened.data_keys


def _opens_live(data_dir, keys: list[bytes]) -> bool:
    for key in keys:
        try:
            db.open_database(data_dir / "confide.db", key).close()
            return True
        except DatabaseDamaged:
            continue
    return False


@pytest.fixture
def with_casey(session, data_dir, tmp_path):
    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    casey = vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)
    staff.change_own_passphrase(casey, OTHER_PASSPHRASE, CASEY_OWN)
    casey.lock()
    kept = tmp_path / "kept-vault.json"
    shutil.copy2(data_dir / "vault.json", kept)  # what casey copies before she leaves
    return session, kept


def test_a_disabled_colleagues_old_slot_no_longer_opens_the_database(with_casey, data_dir):
    session, kept = with_casey
    old_keys = _keys_from(kept, "casey", CASEY_OWN)
    assert _opens_live(data_dir, old_keys)  # before: her copy opens the live data
    staff.disable(session, "casey")
    assert not _opens_live(data_dir, old_keys)
    assert "casey" not in VaultFile.load(data_dir / "vault.json").slots
    # Putting her old vault.json back opens nothing either, and the manager's own session goes on.
    session.lock()
    current = data_dir / "vault.json"
    shutil.copy2(current, data_dir.parent / "current.json")
    shutil.copy2(kept, current)
    with pytest.raises((DatabaseDamaged, VaultFileInvalid, WrongCredentials)):
        vault_service.unlock(data_dir, "casey", CASEY_OWN)
    shutil.copy2(data_dir.parent / "current.json", current)
    vault_service.unlock(data_dir, "manager", PASSPHRASE).lock()


def test_the_slot_in_an_older_backup_no_longer_opens_current_data(with_casey, data_dir, tmp_path):
    session, _ = with_casey
    backup = tmp_path / "before.confide-backup"
    create_backup(session, backup)
    with zipfile.ZipFile(backup) as archive:
        (tmp_path / "from-backup.json").write_bytes(archive.read("vault.json"))
    staff.disable(session, "casey")
    assert not _opens_live(data_dir, _keys_from(tmp_path / "from-backup.json", "casey", CASEY_OWN))


def test_a_reset_passphrase_cannot_be_revived_from_an_older_vault_file(with_casey, data_dir):
    session, kept = with_casey
    staff.reset_passphrase(session, "casey", RESET)
    assert not _opens_live(data_dir, _keys_from(kept, "casey", CASEY_OWN))
    session.lock()
    shutil.copy2(kept, data_dir / "vault.json")
    with pytest.raises((DatabaseDamaged, VaultFileInvalid)):
        vault_service.unlock(data_dir, "casey", CASEY_OWN)


def test_an_older_vault_file_with_the_same_key_is_refused_as_a_roll_back(session, data_dir, tmp_path):
    """No re-key between the copies (a passphrase change): the generation tells them apart."""
    old = tmp_path / "old.json"
    shutil.copy2(data_dir / "vault.json", old)
    staff.change_own_passphrase(session, PASSPHRASE, CASEY_OWN)
    session.lock()
    shutil.copy2(old, data_dir / "vault.json")
    with pytest.raises(VaultRolledBack, match="older than the database"):
        vault_service.unlock(data_dir, "manager", PASSPHRASE)


def test_a_vault_file_edited_to_look_newer_is_refused(session, data_dir):
    session.lock()
    path = data_dir / "vault.json"
    data = json.loads(path.read_text())
    data["generation"] += 10
    path.write_text(json.dumps(data))
    with pytest.raises(VaultFileInvalid, match="altered"):
        vault_service.unlock(data_dir, "manager", PASSPHRASE)


def test_every_way_a_key_changes(session, data_dir, vault):
    recovery = vault[1]
    ids = [VaultFile.load(data_dir / "vault.json").key_id]

    def changed():
        ids.append(VaultFile.load(data_dir / "vault.json").key_id)
        return ids[-1] != ids[-2]

    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    assert not changed()  # adding an account does not re-key
    staff.reset_passphrase(session, "casey", RESET)
    assert changed()
    staff.disable(session, "casey")
    assert changed()
    staff.rekey(session)
    assert changed()
    session.lock()
    recovery_service.recover(data_dir, recovery)
    assert changed()
    assert len(set(ids)) == 5
    after = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    assert sealing.key_id(after.data_key, after.vault.vault_id) == ids[-1]
    actions = [r[0] for r in after.conn.execute("SELECT action FROM audit_event WHERE action = 'rekey'")]
    assert len(actions) == 4
    after.lock()


def test_an_open_session_follows_a_rekey_made_by_another(session, data_dir):
    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    casey = vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)
    staff.change_own_passphrase(casey, OTHER_PASSPHRASE, CASEY_OWN)
    cli = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    staff.rekey(cli)
    cli.lock()
    # The GUI session (and casey's) unseal the new key with their private keys: no prompt.
    assert staff.list_staff(session)
    assert staff.list_staff(casey)
    # Disabled elsewhere: casey's open session locks at her next action.
    staff.disable(session, "casey")
    with pytest.raises(Locked):
        staff.list_staff(casey)


def test_a_v1_slot_is_upgraded_at_unlock_and_marked_for_reset_if_it_misses_a_rekey(session, data_dir):
    from tests.security.v1_files import downgrade_to_format_1

    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    staff.add_staff(session, "dana", "Dana Worker", "caseworker", OTHER_PASSPHRASE)
    session.lock()
    downgrade_to_format_1(data_dir, {"manager": PASSPHRASE, "casey": OTHER_PASSPHRASE,
                                     "dana": OTHER_PASSPHRASE})
    assert json.loads((data_dir / "vault.json").read_text())["format"] == 1

    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    upgraded = VaultFile.load(data_dir / "vault.json")
    assert upgraded.read_format == 2 and upgraded.slots["manager"].version == 2
    assert upgraded.slots["casey"].version == 1
    vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE).lock()  # casey upgrades too
    staff.rekey(manager)
    # dana never unlocked: no key pair to seal to; she is told to ask for a reset, not locked out silently.
    assert staff.accounts_needing_reset(manager) == ["dana"]
    with pytest.raises(WrongCredentials, match="reset your passphrase"):
        vault_service.unlock(data_dir, "dana", OTHER_PASSPHRASE)
    vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE).lock()
    staff.reset_passphrase(manager, "dana", RESET)
    assert staff.accounts_needing_reset(manager) == []
    manager.lock()
    vault_service.unlock(data_dir, "dana", RESET).lock()


def test_only_a_manager_rekeys(session, data_dir):
    from app.errors import PermissionDenied

    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    casey = vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)
    staff.change_own_passphrase(casey, OTHER_PASSPHRASE, CASEY_OWN)
    before = VaultFile.load(data_dir / "vault.json").key_id
    with pytest.raises(PermissionDenied):
        staff.rekey(casey)
    assert VaultFile.load(data_dir / "vault.json").key_id == before
    casey.lock()


def test_an_old_recovery_slot_goes_stale_at_a_rekey_and_the_manager_renews_it(vault, data_dir):
    from app.errors import ValidationError
    from tests.security.v1_files import downgrade_to_format_1

    session, recovery_key = vault
    session.lock()
    downgrade_to_format_1(data_dir, {"manager": PASSPHRASE}, recovery_key)
    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    staff.rekey(manager)
    manager.lock()
    assert VaultFile.load(data_dir / "vault.json").recovery.stale
    # It still enrols the computer, but opens no data and resets nobody.
    assert recovery_service.recover(data_dir, recovery_key) == ""
    with pytest.raises(ValidationError, match="new recovery key"):
        recovery_service.recover(data_dir, recovery_key, reset_username="manager", new_passphrase=CASEY_OWN)
    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    renewed = recovery_service.renew_recovery_key(manager)
    manager.lock()
    assert recovery_service.recover(data_dir, renewed, reset_username="manager", new_passphrase=CASEY_OWN) == "manager"
    vault_service.unlock(data_dir, "manager", CASEY_OWN).lock()
