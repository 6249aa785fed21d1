"""Set up, unlock and recover a vault: the use cases that happen before anyone is signed in."""

import hmac
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from uuid6 import uuid7

from app.config import Paths
from app.domain import passphrase as passphrase_rules
from app.domain.staff import Role, clean_full_name, clean_username
from app.domain.text import clean_name
from app.errors import (
    DatabaseDamaged,
    DeviceSecretMissing,
    ValidationError,
    VaultExists,
    WrongCredentials,
)
from app.security import audit, crypto, kdf, keyslots
from app.security.device import DeviceSecretStore, KeyFileStore, KeyringStore
from app.security.keyslots import VaultFile
from app.security.session import Session
from app.security.throttle import AttemptLog
from app.storage import db, migrations
from app.storage.staff_repo import StaffRepo


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def device_check(device_secret: bytes, vault_id: str) -> str:
    """A value that tells a wrong device secret from a wrong passphrase, revealing neither."""
    return crypto.hkdf(device_secret, info=f"confide-device-check:v1:{vault_id}".encode()).hex()


def resolve_store(vault: VaultFile, device_key_file: str | Path | None = None) -> DeviceSecretStore:
    if device_key_file:
        return KeyFileStore(Path(device_key_file))
    if vault.device_store == "file" and vault.device_key_file:
        return KeyFileStore(Path(vault.device_key_file))
    return KeyringStore()


def vault_exists(data_dir: Path) -> bool:
    return Paths(Path(data_dir)).vault.exists()


@dataclass(frozen=True)
class VaultSummary:
    """What may be shown before anyone is signed in: nothing secret, no personal data."""

    service_name: str
    device_key_file: str | None


def vault_summary(data_dir: Path) -> VaultSummary:
    """May raise: VaultNotFound, VaultFileInvalid."""
    vault = VaultFile.load(Paths(Path(data_dir)).vault)
    key_file = vault.device_key_file if vault.device_store == "file" else None
    return VaultSummary(vault.service_name, key_file)


def create_vault(data_dir: Path, service_name: str, username: str, full_name: str,
                 passphrase: str, device_store: DeviceSecretStore,
                 params: kdf.KdfParams | None = None) -> tuple[Session, str]:
    """Make a new vault with its first account (a manager). Returns the session and the
    recovery key, which is shown once and never stored in clear.

    May raise: VaultExists, ValidationError, CredentialStoreUnavailable.
    """
    paths = Paths(Path(data_dir))
    if paths.vault.exists() or paths.db.exists():
        raise VaultExists(f"A Confide vault already exists in {paths.data_dir}. Nothing was changed.")
    service_name = clean_name(service_name, "service_name", "The service's name", required=True, max_len=120)
    username = clean_username(username)
    full_name = clean_full_name(full_name)
    passphrase_rules.check_new(passphrase, username)
    device_store.check_available()
    paths.ensure()

    vault_id = str(uuid7())
    data_key = crypto.random_key()
    device_secret = os.urandom(32)
    params = params or kdf.calibrate()
    recovery_key = keyslots.new_recovery_key()

    vault = VaultFile(vault_id=vault_id, service_name=service_name, created_at=utc_now(),
                      test_kdf=kdf.test_profile_active())
    if isinstance(device_store, KeyFileStore):
        vault.device_store, vault.device_key_file = "file", str(device_store.path)
    vault.device_check = device_check(device_secret, vault_id)
    vault.slots[username] = keyslots.make_staff_slot(vault_id, username, passphrase, data_key,
                                                     device_secret, params)
    vault.set_recovery(recovery_key, data_key, device_secret)

    device_store.save(vault_id, device_secret)
    conn = db.open_database(paths.db, data_key, create=True)
    try:
        db.check_cipher_version(conn)
        migrations.migrate(conn, paths.db)
        now = utc_now()
        with db.transaction(conn):
            member = StaffRepo(conn).insert(username, full_name, Role.MANAGER, actor=username, at=now)
            StaffRepo(conn).touch(member.id, last_unlock_at=now, passphrase_changed_at=now)
            audit.append(conn, username, "vault_created", "vault", vault_id)
            audit.append(conn, username, "staff_added", "staff", member.id, {"role": "manager"})
        vault.audit_head = audit.head(conn)
        vault.save(paths.vault)
    except BaseException:
        conn.close()
        for leftover in (paths.vault, paths.db, Path(f"{paths.db}-wal"), Path(f"{paths.db}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    session = Session(paths, vault, conn, StaffRepo(conn).get_by_username(username), data_key,
                      device_store, device_secret)
    return session, recovery_key


def _open(paths: Paths, data_key: bytes, on_migrate: Callable[[int], None] | None = None):
    conn = db.open_database(paths.db, data_key)
    try:
        db.check_cipher_version(conn)
        migrations.migrate(conn, paths.db, on_migrate)
    except BaseException:
        conn.close()
        raise
    return conn


def unwrap_key(data_dir: Path, username: str, passphrase: str,
               device_key_file: str | Path | None = None, clock: Callable[[], float] = time.time):
    """Check the passphrase (with the unlock throttle) and return the unwrapped keys.

    Returns (paths, vault, store, device_secret, slot, data_key).
    May raise: VaultNotFound, VaultFileInvalid, TooManyAttempts, CredentialStoreUnavailable,
    DeviceSecretMissing, WrongCredentials.
    """
    paths = Paths(Path(data_dir))
    vault = VaultFile.load(paths.vault)
    attempts = AttemptLog(paths.attempts, clock)
    user_key = (username or "").strip().lower()
    attempts.check(user_key)
    store = resolve_store(vault, device_key_file)
    device_secret = store.load(vault.vault_id)
    if vault.device_check and not hmac.compare_digest(
            device_check(device_secret, vault.vault_id), vault.device_check):
        raise DeviceSecretMissing(
            f"The device secret in {store.describe()} belongs to another vault or was replaced. "
            "Open the vault with the recovery key to enrol this computer again; nobody's "
            "passphrase changes.")
    slot = vault.slots.get(user_key)
    data_key = None
    # Counted before the guess is checked (under a file lock): parallel attempts each spend one.
    attempt = attempts.begin(user_key)
    if slot is not None:
        data_key = keyslots.unwrap_staff_slot(vault.vault_id, slot, passphrase or "", device_secret)
    elif vault.slots:
        # Same work for an unknown name as for a wrong passphrase: names are not revealed.
        kdf.derive(passphrase or "", b"\0" * 16, next(iter(vault.slots.values())).params)
    if data_key is None:
        raise WrongCredentials()  # already counted by begin()
    attempts.cancel(user_key, attempt)
    return paths, vault, store, device_secret, slot, data_key


def unlock(data_dir: Path, username: str, passphrase: str,
           device_key_file: str | Path | None = None, clock: Callable[[], float] = time.time) -> Session:
    """Open the vault for one member of staff.

    May raise: everything unwrap_key raises, and DatabaseDamaged, SchemaTooNew, MigrationFailed.
    """
    paths, vault, store, device_secret, slot, data_key = unwrap_key(
        data_dir, username, passphrase, device_key_file, clock)
    user_key = slot.user
    attempts = AttemptLog(paths.attempts, clock)
    conn = _open(paths, data_key)
    try:
        repo = StaffRepo(conn)
        member = repo.get_by_username(user_key)
        if member is None or not member.active:
            attempts.record_failure(user_key)
            raise WrongCredentials("This account has been disabled. Ask your manager.")
        failures = attempts.take_and_reset(user_key)
        now = utc_now()
        with db.transaction(conn):
            if audit.head_is_missing(conn, vault.audit_head):
                audit.record_head_mismatch(conn, user_key, vault.vault_id, vault.audit_head)
            for failed_at in failures:
                audit.append(conn, user_key, "unlock_failed", "staff", member.id,
                             at=datetime.fromtimestamp(failed_at, UTC).isoformat(timespec="microseconds"))
            audit.append(conn, user_key, "unlock", "staff", member.id)
            repo.touch(member.id, last_unlock_at=now)
        member = repo.get_by_id(member.id)
    except db.DatabaseError as exc:
        conn.close()
        raise DatabaseDamaged(f"The database is damaged ({exc}). Nothing has been changed. Run "
                              "'confide verify' for details, or restore the latest backup.") from exc
    except BaseException:
        conn.close()
        raise
    session = Session(paths, vault, conn, member, data_key, store, device_secret,
                      must_change_passphrase=slot.must_change)
    session.save_audit_head()
    return session


def recover(data_dir: Path, recovery_key: str, device_key_file: str | Path | None = None,
            reset_username: str | None = None, new_passphrase: str | None = None) -> str:
    """Enrol this computer again with the recovery key: the device secret goes back into the
    credential store (or the chosen key file), so every staff slot opens as before. Optionally
    set a new passphrase for one account (a manager who forgot theirs).

    Returns the user name of the account that was reset, if any.
    May raise: VaultNotFound, ValidationError, WrongRecoveryKey, CredentialStoreUnavailable,
    DatabaseDamaged.
    """
    paths = Paths(Path(data_dir))
    vault = VaultFile.load(paths.vault)
    data_key, device_secret = vault.open_recovery(recovery_key)
    store = KeyFileStore(Path(device_key_file)) if device_key_file else KeyringStore()
    store.check_available()
    reset_user = None
    if reset_username:
        reset_user = clean_username(reset_username)
        passphrase_rules.check_new(new_passphrase or "", reset_user, field="new_passphrase")
    conn = _open(paths, data_key)
    try:
        repo = StaffRepo(conn)
        if reset_user:
            member = repo.get_by_username(reset_user)
            if member is None or not member.active:
                raise ValidationError(f"There is no active account named '{reset_user}'.",
                                      field="username")
        store.save(vault.vault_id, device_secret)
        if isinstance(store, KeyFileStore):
            vault.device_store, vault.device_key_file = "file", str(store.path)
        else:
            vault.device_store, vault.device_key_file = "keyring", None
        with db.transaction(conn):
            if audit.head_is_missing(conn, vault.audit_head):
                audit.record_head_mismatch(conn, "recovery-key", vault.vault_id, vault.audit_head)
            audit.append(conn, "recovery-key", "device_enrolled", "vault", vault.vault_id,
                         {"store": vault.device_store})
            if reset_user:
                params = vault.slots[reset_user].params if reset_user in vault.slots else kdf.calibrate()
                vault.slots[reset_user] = keyslots.make_staff_slot(
                    vault.vault_id, reset_user, new_passphrase, data_key, device_secret, params)
                repo.touch(member.id, passphrase_changed_at=utc_now())
                audit.append(conn, "recovery-key", "passphrase_reset", "staff", member.id)
        vault.audit_head = audit.head(conn)
        vault.save(paths.vault)
    except db.DatabaseError as exc:
        raise DatabaseDamaged(f"The database could not be updated during recovery ({exc}).") from exc
    finally:
        conn.close()
    return reset_user or ""
