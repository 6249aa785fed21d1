"""Setting up, unlocking and recovering a vault through the service layer."""

import json
import sys

import keyring
import pytest
from keyring.backends import fail

from app.errors import (
    CredentialStoreUnavailable,
    DeviceSecretMissing,
    PassphraseChangeRequired,
    ValidationError,
    VaultExists,
    WrongCredentials,
    WrongRecoveryKey,
)
from app.security import audit, keyslots
from app.security.device import KEYRING_SERVICE, KeyFileStore, KeyringStore
from app.services.vault import recovery as recovery_service
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE


def test_create_then_unlock_as_the_first_manager(vault, data_dir):
    session, recovery = vault
    assert session.user.role.value == "manager"
    assert len(keyslots.recovery_groups(recovery)) == 8
    session.lock()
    again = vault_service.unlock(data_dir, "Manager", PASSPHRASE)
    assert again.user.username == "manager"
    actions = [r[0] for r in again.conn.execute("SELECT action FROM audit_event ORDER BY seq")]
    assert actions[:2] == ["vault_created", "staff_added"] and actions[-1] == "unlock"
    again.lock()


def test_vault_json_holds_no_key_in_clear(vault, data_dir):
    session, recovery = vault
    text = (data_dir / "vault.json").read_text()
    assert session.data_key.hex() not in text
    assert session.device_secret.hex() not in text
    assert recovery not in text and recovery.replace("-", "") not in text


def test_wrong_passphrase_is_refused_plainly(vault, data_dir):
    vault[0].lock()
    with pytest.raises(WrongCredentials, match="do not match"):
        vault_service.unlock(data_dir, "manager", "not the passphrase at all")
    with pytest.raises(WrongCredentials, match="do not match"):
        vault_service.unlock(data_dir, "nobody", PASSPHRASE)


def test_failed_attempts_are_audited_after_the_next_success(vault, data_dir):
    vault[0].lock()
    for _ in range(2):
        with pytest.raises(WrongCredentials):
            vault_service.unlock(data_dir, "manager", "wrong wrong wrong")
    session = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    actions = [r[0] for r in session.conn.execute("SELECT action FROM audit_event ORDER BY seq")]
    assert actions[-3:] == ["unlock_failed", "unlock_failed", "unlock"]
    session.lock()


def test_second_vault_in_same_folder_is_refused(vault, data_dir):
    with pytest.raises(VaultExists):
        vault_service.create_vault(data_dir, "Other", "someone", "Some One", PASSPHRASE, KeyringStore())


def test_weak_passphrase_refused_and_nothing_written(data_dir):
    with pytest.raises(ValidationError) as info:
        vault_service.create_vault(data_dir, "Svc", "manager", "M", "short", KeyringStore())
    assert info.value.field == "passphrase"
    assert not (data_dir / "vault.json").exists()


def test_no_credential_store_fails_closed_and_writes_no_secret(data_dir, tmp_path):
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialStoreUnavailable, match="--device-key-file"):
        vault_service.create_vault(data_dir, "Svc", "manager", "Test Manager", PASSPHRASE, KeyringStore())
    assert not data_dir.exists() or not any(data_dir.iterdir())


def test_missing_credential_store_at_unlock(vault, data_dir):
    vault[0].lock()
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialStoreUnavailable, match="credential store"):
        vault_service.unlock(data_dir, "manager", PASSPHRASE)


def test_device_key_file_opt_in(data_dir, tmp_path):
    key_file = tmp_path / "device.key"
    session, _ = vault_service.create_vault(data_dir, "Svc", "manager", "Test Manager", PASSPHRASE,
                                            KeyFileStore(key_file))
    session.lock()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert json.loads((data_dir / "vault.json").read_text())["device_secret"]["store"] == "file"
    assert vault_service.unlock(data_dir, "manager", PASSPHRASE).user.username == "manager"


def test_wrong_device_secret_is_named_not_blamed_on_the_passphrase(vault, data_dir, memory_keyring):
    session = vault[0]
    vault_id = session.vault.vault_id
    session.lock()
    memory_keyring.set_password(KEYRING_SERVICE, vault_id, "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=")
    with pytest.raises(DeviceSecretMissing, match="recovery key"):
        vault_service.unlock(data_dir, "manager", PASSPHRASE)


def test_recovery_reenrols_a_computer_without_changing_any_passphrase(vault, data_dir, memory_keyring):
    session, recovery = vault
    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    vault_id = session.vault.vault_id
    session.lock()
    memory_keyring.values.clear()  # the OS credential store was reset
    with pytest.raises(DeviceSecretMissing, match="recovery key"):
        vault_service.unlock(data_dir, "manager", PASSPHRASE)
    with pytest.raises(WrongRecoveryKey):
        recovery_service.recover(data_dir, keyslots.new_recovery_key())
    recovery_service.recover(data_dir, recovery.lower().replace("-", " "))
    assert memory_keyring.get_password(KEYRING_SERVICE, vault_id)
    vault_service.unlock(data_dir, "manager", PASSPHRASE).lock()
    casey = vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)
    assert casey.must_change_passphrase
    casey.lock()


def test_recovery_can_reset_a_forgotten_manager_passphrase(vault, data_dir):
    session, recovery = vault
    session.lock()
    recovery_service.recover(data_dir, recovery, reset_username="manager", new_passphrase=OTHER_PASSPHRASE)
    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, "manager", PASSPHRASE)
    vault_service.unlock(data_dir, "manager", OTHER_PASSPHRASE).lock()


def test_recovery_key_typed_badly_gets_a_plain_message(vault, data_dir):
    vault[0].lock()
    with pytest.raises(ValidationError, match="8 groups of 5"):
        recovery_service.recover(data_dir, "ABCDE-FGH")


def test_temporary_passphrase_must_be_changed_before_work(vault, data_dir):
    session = vault[0]
    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    session.lock()
    casey = vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)
    with pytest.raises(PassphraseChangeRequired):
        staff.list_staff(casey)
    staff.change_own_passphrase(casey, OTHER_PASSPHRASE, "a brand new secret sentence")
    assert len(staff.list_staff(casey)) == 2
    casey.lock()
    vault_service.unlock(data_dir, "casey", "a brand new secret sentence").lock()


def test_lock_drops_key_and_connection(vault):
    session = vault[0]
    key_buffer = session._data_key
    session.lock()
    assert session.locked
    assert set(key_buffer) == {0}
    from app.errors import Locked

    with pytest.raises(Locked):
        session.conn  # noqa: B018


def test_lock_lets_go_of_the_page_cache_by_a_statement_before_closing(vault):
    # Failed before: closing freed and wiped the whole page cache inside the close, which holds
    # Python's lock, so the window stood still while the worker locked (1.9 s at 50,000 cases,
    # tests/perf/gui_day.py). A statement runs without it.
    session = vault[0]
    session.conn.execute("SELECT count(*) FROM audit_event").fetchone()
    ran = []
    session.conn.set_trace_callback(ran.append)
    session.lock()
    assert ran[-1] == "PRAGMA shrink_memory" and "COMMIT" in ran


def test_lock_empties_the_write_ahead_log_by_a_statement_before_closing(vault, data_dir):
    # Failed before: the close copied the log into the database and synced it itself, holding
    # Python's lock throughout, so the window stood still while the worker locked (1.9 s with
    # 12 ms of the window's CPU at 50,000 cases on a loaded disk, tests/perf/gui_day.py). By
    # the time the connection is closed, a statement has done it: the log is empty.
    session = vault[0]
    for i in range(50):
        session.conn.execute("INSERT INTO setting (key, value, updated_at) VALUES (?, ?, '2026-12-07') ON "
                             "CONFLICT(key) DO UPDATE SET value = excluded.value", (f"probe_{i}", json.dumps("x" * 2000)))
    conn, wal = session.conn, data_dir / "confide.db-wal"
    assert wal.stat().st_size > 0
    at_close = []

    def watch(_frame, event, arg):
        if event == "c_call" and getattr(arg, "__self__", None) is conn and arg.__name__ == "close":
            at_close.append(wal.stat().st_size)

    sys.setprofile(watch)
    try:
        session.lock()
    finally:
        sys.setprofile(None)
    assert at_close == [0]


def test_audit_head_recorded_in_vault_json(vault, data_dir):
    session = vault[0]
    session.lock()
    head = json.loads((data_dir / "vault.json").read_text())["audit_head"]
    again = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    rows = again.conn.execute("SELECT hash FROM audit_event WHERE seq = ?", (head["seq"],)).fetchone()
    assert rows[0] == head["hash"]
    assert audit.verify(again.conn, again.vault.audit_head).ok
    again.lock()
