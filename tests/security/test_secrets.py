"""Wrong passphrase, wrong device secret, no credential store: each refused, and neither the
data key, the device secret, the recovery key nor a passphrase is ever written to disk
(except the device secret in the key file the user explicitly opted into)."""

import base64

import keyring
import pytest
from keyring.backends import fail

from app.errors import CredentialStoreUnavailable, DeviceSecretMissing, WrongCredentials
from app.security.device import KEYRING_SERVICE, KeyFileStore, KeyringStore
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from app.services.vault.backup import create_backup
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE
from tests.security.support import scan, secret_needles, text_needles

OTHER_SECRET = bytes(range(100, 132))


def _needles(session, recovery: str) -> dict[str, bytes]:
    found = {}
    found.update(secret_needles("data key", session.data_key))
    found.update(secret_needles("device secret", session.device_secret))
    found.update(text_needles("recovery key", recovery))
    found.update(text_needles("recovery key, no dashes", recovery.replace("-", "")))
    found.update(text_needles("passphrase", PASSPHRASE))
    found.update(text_needles("temporary passphrase", OTHER_PASSPHRASE))
    return found


def _exercise(session, tmp_path):
    """The operations that write files: a new slot, a backup, a lock."""
    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    create_backup(session, tmp_path / "backup.confide-backup")
    session.lock()


def test_refusals_with_the_os_credential_store_leave_no_secret_on_disk(tmp_path, data_dir, memory_keyring):
    session, recovery = vault_service.create_vault(data_dir, "Svc", "manager", "Test Manager",
                                                   PASSPHRASE, KeyringStore())
    needles = _needles(session, recovery)
    vault_id = session.vault.vault_id
    _exercise(session, tmp_path)

    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, "manager", "a wrong passphrase entirely")

    real_secret = memory_keyring.get_password(KEYRING_SERVICE, vault_id)
    memory_keyring.set_password(KEYRING_SERVICE, vault_id, base64.b64encode(OTHER_SECRET).decode())
    with pytest.raises(DeviceSecretMissing, match="recovery key"):
        vault_service.unlock(data_dir, "manager", PASSPHRASE)
    memory_keyring.set_password(KEYRING_SERVICE, vault_id, real_secret)

    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialStoreUnavailable, match="credential store"):
        vault_service.unlock(data_dir, "manager", PASSPHRASE)

    # Everything the test and the app wrote: vault, attempts file, backup, XDG folders, temp.
    assert scan([tmp_path], needles) == []


def test_key_file_opt_in_keeps_the_device_secret_in_that_file_only(tmp_path, data_dir):
    key_file = tmp_path / "keys" / "device.key"
    key_file.parent.mkdir()
    session, recovery = vault_service.create_vault(data_dir, "Svc", "manager", "Test Manager",
                                                   PASSPHRASE, KeyFileStore(key_file))
    needles = _needles(session, recovery)
    _exercise(session, tmp_path)

    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, "manager", "a wrong passphrase entirely")
    original = key_file.read_text()
    vault_id = original.split(":")[0]
    key_file.write_text(f"{vault_id}:{base64.b64encode(OTHER_SECRET).decode()}\n")
    with pytest.raises(DeviceSecretMissing):
        vault_service.unlock(data_dir, "manager", PASSPHRASE)
    key_file.write_text(original)
    vault_service.unlock(data_dir, "manager", PASSPHRASE).lock()

    allowed = {label: {key_file.resolve()} for label in needles if label.startswith("device secret")}
    assert scan([tmp_path], needles, allow=allowed) == []
    # The opt-in file does hold the secret (base64), so the scan above could have found it.
    assert scan([key_file], needles)
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
