"""The device secret: the OS-login layer of the two-layer protection (R12).

Two implementations behind one small interface. The OS credential store is the default; a
key file is an explicit, visible opt-in. There is no silent fallback: with no usable
credential store and no opt-in, Confide refuses to go on (fails closed).
"""

import base64
import os
import stat
from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import fail as fail_backend

from app.errors import CredentialStoreUnavailable, DeviceKeyFileExposed, DeviceSecretMissing
from app.fsutil import atomic_write

KEYRING_SERVICE = "Confide device secret"
SECRET_BYTES = 32

NO_STORE_HELP = (
    "Confide could not find this computer's credential store (Windows Credential Manager, "
    "macOS Keychain, or a Secret Service such as GNOME Keyring or KWallet on Linux). "
    "Sign in to a desktop session with a keyring unlocked and try again. "
    "If this computer cannot have one, start Confide with --device-key-file PATH "
    "(weaker protection: the device secret is then kept in a file readable by your OS account)."
)


class DeviceSecretStore:
    """Where this computer keeps the vault's device secret."""

    weaker = False

    def describe(self) -> str:
        raise NotImplementedError

    def check_available(self) -> None:
        """May raise: CredentialStoreUnavailable."""

    def load(self, vault_id: str) -> bytes:
        """May raise: DeviceSecretMissing, CredentialStoreUnavailable."""
        raise NotImplementedError

    def save(self, vault_id: str, secret: bytes) -> None:
        """May raise: CredentialStoreUnavailable."""
        raise NotImplementedError

    def forget(self, vault_id: str) -> None:
        raise NotImplementedError


def _missing(where: str) -> DeviceSecretMissing:
    return DeviceSecretMissing(
        f"This computer's device secret for Confide is missing from {where}. "
        "The vault itself is safe: open it with the recovery key from the recovery sheet, "
        "and Confide will enrol this computer again. Nobody's passphrase changes."
    )


class KeyringStore(DeviceSecretStore):
    def describe(self) -> str:
        return "the OS credential store"

    def check_available(self) -> None:
        backend = keyring.get_keyring()
        if isinstance(backend, fail_backend.Keyring) or getattr(backend, "priority", 1) <= 0:
            raise CredentialStoreUnavailable(NO_STORE_HELP)

    def load(self, vault_id: str) -> bytes:
        self.check_available()
        try:
            value = keyring.get_password(KEYRING_SERVICE, vault_id)
        except keyring.errors.KeyringError as exc:
            raise CredentialStoreUnavailable(NO_STORE_HELP) from exc
        if not value:
            raise _missing(self.describe())
        return _decode(value, self.describe())

    def save(self, vault_id: str, secret: bytes) -> None:
        self.check_available()
        try:
            keyring.set_password(KEYRING_SERVICE, vault_id, base64.b64encode(secret).decode())
        except keyring.errors.KeyringError as exc:
            raise CredentialStoreUnavailable(NO_STORE_HELP) from exc

    def forget(self, vault_id: str) -> None:
        try:
            keyring.delete_password(KEYRING_SERVICE, vault_id)
        except keyring.errors.KeyringError:
            pass


class KeyFileStore(DeviceSecretStore):
    """Opt-in only: a file readable by the OS account alone. Always shown as weaker."""

    weaker = True

    def __init__(self, path: Path):
        self.path = Path(path).expanduser().resolve()

    def describe(self) -> str:
        return f"the device key file {self.path}"

    def check_available(self) -> None:
        if not self.path.parent.is_dir():
            raise CredentialStoreUnavailable(
                f"The folder for the device key file does not exist: {self.path.parent}"
            )
        check_key_folder(self.path)

    def load(self, vault_id: str) -> bytes:
        """May raise: DeviceSecretMissing, DeviceKeyFileExposed."""
        self.check_private()
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            raise _missing(self.describe()) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DeviceSecretMissing(f"The device key file {self.path} cannot be read ({exc}).") from exc
        owner, _, encoded = text.partition(":")
        if owner != vault_id:
            raise DeviceSecretMissing(
                f"The device key file {self.path} belongs to a different vault. "
                "Use the key file that was chosen when this vault was set up, or the recovery key."
            )
        return _decode(encoded, self.describe())

    def check_private(self) -> None:
        """Refuse a key file other accounts can read or change (POSIX permission bits).

        Once another account has read it, the OS-login layer is gone: the secret must not be
        used as if it still protected anything. Windows has no such bits; its ACLs are left
        to the folder the file is in. May raise: DeviceKeyFileExposed.
        """
        if os.name != "posix":
            return
        check_key_folder(self.path)
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            return  # load() says it is missing, with the recovery advice
        except OSError:
            return
        if stat.S_IMODE(mode) & 0o077:
            raise DeviceKeyFileExposed(
                f"The device key file {self.path} can be read or changed by other accounts on this "
                f"computer (permissions {stat.S_IMODE(mode):04o}). Confide will not use it like that. "
                f"Make it private with: chmod 600 '{self.path}'")

    def save(self, vault_id: str, secret: bytes) -> None:
        self.check_available()
        atomic_write(self.path, f"{vault_id}:{base64.b64encode(secret).decode()}\n".encode(), 0o600)

    def forget(self, vault_id: str) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def check_key_folder(path: Path) -> None:
    """Refuse a key file whose folder, or a folder above it, others could change (POSIX).

    Whoever can write to the folder can swap the file for their own secret or move it aside,
    so a private file in a shared folder is not private. The folder itself must be writable by
    its owner alone and owned by this account or root; a folder above it may be shared only
    with the sticky bit (as /tmp is), which stops others renaming what is not theirs.
    May raise: DeviceKeyFileExposed.
    """
    if os.name != "posix":
        return
    me = os.geteuid()
    folder = Path(path).parent
    for current in [folder, *folder.parents]:
        try:
            st = os.stat(current)
        except OSError:
            continue  # check_available and load say what is missing
        shared = stat.S_IMODE(st.st_mode) & 0o022
        sticky = st.st_mode & stat.S_ISVTX and current != folder
        if st.st_uid not in (me, 0) or (shared and not sticky):
            whom = "another account owns it" if st.st_uid not in (me, 0) else \
                f"other accounts can write to it (permissions {stat.S_IMODE(st.st_mode):04o})"
            raise DeviceKeyFileExposed(
                f"The device key file {path} is in a folder others could change: {current} ({whom}). "
                "Confide will not use it there. Keep the key file in a folder of your own, e.g. "
                f"with: chmod 700 '{current}' (or move the file and start Confide with "
                "--device-key-file at its new place).")


def _decode(value: str, where: str) -> bytes:
    try:
        secret = base64.b64decode(value, validate=True)
    except ValueError:
        secret = b""
    if len(secret) != SECRET_BYTES:
        raise DeviceSecretMissing(f"The device secret in {where} is damaged. Use the recovery key.")
    return secret


def store_for(device_key_file: str | Path | None) -> DeviceSecretStore:
    return KeyFileStore(Path(device_key_file)) if device_key_file else KeyringStore()
