"""Set up, unlock and recover a vault: the use cases that happen before anyone is signed in."""

import hmac
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from uuid6 import uuid7

from app import clock
from app.config import Paths
from app.domain import passphrase as passphrase_rules
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role, clean_full_name, clean_username
from app.domain.text import clean_name
from app.errors import (
    DatabaseDamaged,
    DeviceSecretMissing,
    PermissionDenied,
    VaultExists,
    VaultFileInvalid,
    WrongCredentials,
)
from app.security import audit, crypto, kdf, keyslots, sealing, staff_slot
from app.security.device import DeviceSecretStore, KeyFileStore, KeyringStore
from app.security.keyslots import VaultFile
from app.security.session import Session
from app.security.throttle import AttemptLog
from app.services.casework import restricted
from app.services.vault import compartment
from app.services.vault.keys import follow_key_change, record_staff_key, settle_after_unlock
from app.storage import db, keying, migrations
from app.storage.key_state_repo import KeyStateRepo
from app.storage.staff_repo import StaffRepo


def utc_now() -> str:
    return clock.stamp()


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
    vault.key_id = sealing.key_id(data_key, vault_id)
    vault.generation = 1
    slot = keyslots.make_staff_slot(vault_id, username, passphrase, data_key, device_secret, params)
    vault.slots[username] = slot
    vault.set_recovery(recovery_key, data_key, device_secret)
    private = staff_slot.open_slot(vault_id, slot, passphrase, device_secret).private

    device_store.save(vault_id, device_secret)
    conn = db.open_database(paths.db, data_key, create=True)
    try:
        db.check_cipher_version(conn)
        migrations.migrate(conn, paths.db)
        now = utc_now()
        with db.transaction(conn):
            member = StaffRepo(conn).insert(username, full_name, Role.MANAGER, actor=username, at=now)
            StaffRepo(conn).touch(member.id, last_unlock_at=now, passphrase_changed_at=now)
            record_staff_key(conn, member.id, slot, username)
            KeyStateRepo(conn).set_generation(vault.generation, vault.key_id)
            audit.append(conn, username, "vault_created", "vault", vault_id)
            audit.append(conn, username, "staff_added", "staff", member.id, {"role": "manager"})
        vault.audit_head = audit.head(conn)
        vault.save(paths.vault, [data_key])
    except BaseException:
        conn.close()
        for leftover in (paths.vault, paths.db, Path(f"{paths.db}-wal"), Path(f"{paths.db}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    session = Session(paths, vault, conn, StaffRepo(conn).get_by_username(username), data_key,
                      device_store, device_secret, private_key=private, key_follower=follow_as_staff,
                      write_follower=compartment.sync_after_write)
    compartment.keep_in_step_at_lock(session)
    return session, recovery_key


def open_database(paths: Paths, keys: list[bytes], on_migrate: Callable[[int], None] | None = None):
    """(connection, the key that opened it). May raise: DatabaseDamaged, SchemaTooNew, ..."""
    # An upgrade killed part-way left its safety copy: the database goes back to it first.
    migrations.recover_interrupted(paths.db)
    conn, key = db.open_with_any(paths.db, keys)
    try:
        db.check_cipher_version(conn)
        migrations.migrate(conn, paths.db, on_migrate)
    except BaseException:
        conn.close()
        raise
    return conn, key


@dataclass
class Credentials:
    """What a right user name and passphrase open, before the database is touched."""

    paths: Paths
    vault: VaultFile
    store: DeviceSecretStore
    device_secret: bytes
    slot: staff_slot.StaffSlot
    opened: staff_slot.Opened

    def require_staff(self) -> None:
        """May raise: PermissionDenied (a volunteer's slot opens only their compartment)."""
        if compartment.is_compartment_slot(self.paths, self.slot.user, self.vault.slots):
            raise PermissionDenied("A volunteer's account opens only the volunteer's own records; ask "
                                   "a member of staff to do this.")

    def keys_in_order(self) -> list[bytes]:
        """The pending key first during a re-key: after PRAGMA rekey only it opens the file."""
        pending = self.vault.pending_key_id
        return sorted(self.opened.data_keys,
                      key=lambda k: sealing.key_id(k, self.vault.vault_id) != pending)


def check_credentials(data_dir: Path, username: str, passphrase: str,
                      device_key_file: str | Path | None = None,
                      clock: Callable[[], float] = time.time) -> Credentials:
    """Check the passphrase (with the unlock throttle) and open the slot.

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
    if user_key in vault.broken_slots and user_key not in vault.slots:
        attempts.record_failure(user_key)
        raise VaultFileInvalid(f"Your key slot cannot be used ({vault.broken_slots[user_key]}) "
                               "Ask a manager to reset your passphrase.")
    slot = vault.slots.get(user_key)
    if slot is None and user_key not in vault.broken_slots:
        slot = compartment.read_slot(paths, user_key)   # a volunteer: their own slot file
    opened = None
    # Counted before the guess is checked (under a file lock): parallel attempts each spend one.
    attempt = attempts.begin(user_key)
    if slot is not None:
        opened = staff_slot.open_slot(vault.vault_id, slot, passphrase or "", device_secret)
    elif vault.slots:
        # Same work for an unknown name as for a wrong passphrase: names are not revealed.
        kdf.derive(passphrase or "", b"\0" * 16, next(iter(vault.slots.values())).params)
    if opened is None:
        raise WrongCredentials()  # already counted by begin()
    attempts.cancel(user_key, attempt)
    if slot.needs_reset or not opened.data_keys:
        raise WrongCredentials(
            "Your passphrase is right, but the vault's key was changed while your account still "
            "had the old kind of key slot. Ask a manager to reset your passphrase.")
    return Credentials(paths, vault, store, device_secret, slot, opened)


def unwrap_key(data_dir: Path, username: str, passphrase: str,
               device_key_file: str | Path | None = None, clock: Callable[[], float] = time.time):
    """(paths, vault, store, device_secret, slot, data keys in the order to try).
    May raise: what check_credentials raises."""
    c = check_credentials(data_dir, username, passphrase, device_key_file, clock)
    return c.paths, c.vault, c.store, c.device_secret, c.slot, c.keys_in_order()


def unlock(data_dir: Path, username: str, passphrase: str,
           device_key_file: str | Path | None = None, clock: Callable[[], float] = time.time, *,
           compartments_later: bool = False) -> Session:
    """Open the vault for one member of staff. `compartments_later`: volunteers' compartments
    not yet on this computer are left to the session's lock or compartment.make_missing (the
    first sign-in after a join, docs/sync.md §13).

    May raise: everything check_credentials raises, and DatabaseDamaged, SchemaTooNew,
    MigrationFailed, VaultRolledBack (an older vault.json than the database).
    """
    creds = check_credentials(data_dir, username, passphrase, device_key_file, clock)
    paths, vault, slot = creds.paths, creds.vault, creds.slot
    user_key = slot.user
    attempts = AttemptLog(paths.attempts, clock)
    if compartment.is_compartment_slot(paths, user_key, vault.slots):
        return _unlock_volunteer(creds, attempts)
    conn, data_key = open_database(paths, creds.keys_in_order())
    keyed = keying.Keyed(paths.vault, vault, conn, data_key, creds.device_secret)
    private = creds.opened.private
    try:
        keying.check_file(conn, vault, data_key)
        repo = StaffRepo(conn)
        member = repo.get_by_username(user_key)
        if member is None or not member.active:
            attempts.record_failure(user_key)
            raise WrongCredentials("This account has been disabled. Ask your manager.")
        if vault.pending_key_id:
            keying.finish_pending(keyed, user_key, creds.opened.data_keys)
        private = settle_after_unlock(keyed, slot, creds, member) or private
        failures = attempts.take_and_reset(user_key)
        now = utc_now()
        with db.transaction(conn):
            if audit.head_is_missing(conn, keyed.vault.audit_head):
                audit.record_head_mismatch(conn, user_key, keyed.vault.vault_id, keyed.vault.audit_head)
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
    session = Session(paths, keyed.vault, conn, member, keyed.data_key, creds.store, creds.device_secret,
                      must_change_passphrase=slot.must_change, private_key=private,
                      key_follower=follow_as_staff,
                      write_follower=compartment.sync_after_write)
    session.save_audit_head()
    _settle_compartments(session, make_new=not compartments_later)
    return session


@grants(Scope.HELPER, "a staff session follows a re-key and takes in volunteers' work")
def follow_as_staff(session: Session) -> None:
    """Before each call of a staff session: follow a re-key made elsewhere, and take in what a
    volunteer wrote in their compartment meanwhile. May raise: Locked."""
    follow_key_change(session)
    compartment.sync_if_changed(session)


def _settle_compartments(session: Session, make_new: bool = True) -> None:
    """Volunteers' compartments in step at every staff unlock and lock; a volunteer whose slot
    still opened this database (made before compartments) is moved out, and the database
    re-keyed, since they held its key (docs/security.md, "Volunteers hold no key to casework")."""
    if session.user.role == Role.VOLUNTEER:
        return
    # R16 at the file level: what is in the clear is sealed, readers who joined are added.
    restricted.follow(session)
    session.before_lock(lambda: restricted.follow(session))
    moved = compartment.move_out_of_vault(session)
    # At unlock only what volunteers wrote is taken in; the compartments are written anew at
    # this session's lock if it changed what they copy (or at once while one is open).
    compartment.sync_all(session, refresh=False, make_new=make_new)
    if moved:
        with db.transaction(session.conn):
            KeyStateRepo(session.conn).owe_rekey("volunteers moved to their own compartments")
        keyed = keying.Keyed(session.paths.vault, session.vault, session.conn, session.data_key,
                             session.device_secret)
        new_key = keying.rotate(keyed, session.user.username, "volunteers moved to their own compartments")
        session.replace_key(session.conn, new_key, keyed.vault)
    compartment.keep_in_step_at_lock(session)


def _unlock_volunteer(creds: Credentials, attempts: AttemptLog) -> Session:
    """A volunteer's unlock: their compartment only. May raise: WrongCredentials, DatabaseDamaged."""
    paths, user = creds.paths, creds.slot.user
    conn, key = compartment.open_compartment(paths, user, creds.opened.data_keys)
    try:
        repo = StaffRepo(conn)
        member = repo.get_by_username(user)
        if member is None or not member.active or member.role != Role.VOLUNTEER:
            attempts.record_failure(user)
            raise WrongCredentials("This account has been disabled. Ask your manager.")
        failures = attempts.take_and_reset(user)
        with db.transaction(conn):
            for failed_at in failures:
                audit.append(conn, user, "unlock_failed", "staff", member.id,
                             at=datetime.fromtimestamp(failed_at, UTC).isoformat(timespec="microseconds"))
            audit.append(conn, user, "unlock", "staff", member.id)
            repo.touch(member.id, last_unlock_at=utc_now())
        member = repo.get_by_id(member.id)
    except BaseException:
        conn.close()
        raise
    session = Session(paths, creds.vault, conn, member, key, creds.store, creds.device_secret,
                      must_change_passphrase=creds.slot.must_change, private_key=creds.opened.private,
                      key_follower=compartment.follow)
    session.compartment = True
    return session

