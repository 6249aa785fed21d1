"""Restore a backup: a manager's action (or the recovery key's), throttled and audited.

Who may restore is decided by the *current* vault when there is one: the user name and
passphrase must open it, the account must be an active manager there, and every account
disabled in the current staff register is disabled again in what is restored. The restored
database gets a new data key (a backup's vault.json holds slots of people who may since have
left), sealed to each active member and to the recovery key.

The backup's database is opened with the data key that the backup's own vault.json unwraps
(format 3: the pages as they were on disk; format 2: a copy under a backup key wrapped with
that data key). A member of staff keeps one key pair across passphrase changes, so today's
passphrase opens the private key that the backup's sealed copy was made for.
"""

import hmac
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from app import clock
from app.config import Paths
from app.domain.staff import Role
from app.errors import (
    BackupInvalid,
    ConfideError,
    DatabaseDamaged,
    PermissionDenied,
    ValidationError,
    WrongCredentials,
)
from app.fsutil import fsync_dir
from app.security import audit, crypto, keyslots, sealing, staff_slot
from app.security.crypto import DecryptionFailed
from app.security.device import KeyFileStore, KeyringStore
from app.security.keyslots import VaultFile
from app.security.throttle import AttemptLog
from app.services.vault.backup_file import (
    Progress,
    manifest_aad,
    manifest_mac,
    no_progress,
    read_backup,
)
from app.services.vault.recovery import RECOVERY_ACTOR, open_with_recovery
from app.services.vault.unlock import check_credentials, device_check, open_database, resolve_store
from app.storage import db, export, keying, migrations
from app.storage.key_state_repo import KeyStateRepo
from app.storage.staff_repo import StaffRepo


@dataclass
class _Live:
    """What the current vault says, when one exists and the credentials open it."""

    disabled: set[str] = field(default_factory=set)
    generation: int = 0
    slots: dict = field(default_factory=dict)
    vault: VaultFile | None = None


def restore_backup(data_dir: Path, backup_path: Path, *, username: str | None = None,
                   passphrase: str | None = None, recovery_key: str | None = None,
                   device_key_file: str | Path | None = None, progress: Progress = no_progress) -> Path | None:
    """Restore a backup into `data_dir`, with a manager's passphrase (same computer) or the
    recovery key (any computer; it enrols this one). Returns where the replaced database was
    kept, if there was one.

    May raise: BackupInvalid, WrongCredentials, WrongRecoveryKey, TooManyAttempts,
    PermissionDenied, ValidationError, CredentialStoreUnavailable, DeviceSecretMissing,
    SchemaTooNew, VaultFileInvalid.
    """
    paths = Paths(Path(data_dir))
    progress(5, "Reading the backup")
    contents = read_backup(Path(backup_path))
    bvault, manifest = contents.vault, contents.manifest
    paths.ensure()
    live = _Live()
    if recovery_key:
        actor = RECOVERY_ACTOR
        keys, device_secret = open_with_recovery(paths, bvault, recovery_key)
        store = KeyFileStore(Path(device_key_file)) if device_key_file else KeyringStore()
        store.check_available()
        live = _live_by_recovery(paths, recovery_key)
    elif username:
        actor = username.strip().lower()
        keys, device_secret, store, live = _keys_by_passphrase(paths, bvault, actor, passphrase or "",
                                                               device_key_file)
    else:
        raise ValidationError("Give a user name and passphrase, or the recovery key, to restore.")
    backup_key = _database_key(manifest, keys)
    migrations.check_version(int(manifest.get("schema_version", -1)))

    staging = Path(tempfile.mkdtemp(dir=paths.data_dir, prefix=".restore-"))
    try:
        progress(20, "Checking the backup copy")
        fresh, new_key = staging / "confide.db", crypto.random_key()
        _check_and_copy(contents, manifest, staging, backup_key, fresh, new_key)
        progress(50, "Preparing the restored database")
        conn = db.open_database(fresh, new_key)
        try:
            migrations.migrate(conn, fresh)
            vault = _restored_vault(conn, bvault, live, actor, new_key, device_secret, manifest,
                                    recovery_key, passphrase if not recovery_key else None)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()
        progress(75, "Replacing the live database")
        if recovery_key:
            store.save(vault.vault_id, device_secret)
            if isinstance(store, KeyFileStore):
                vault.device_store, vault.device_key_file = "file", str(store.path)
            else:
                vault.device_store, vault.device_key_file = "keyring", None
            vault.device_check = device_check(device_secret, vault.vault_id)
        staged_vault = staging / "vault.json"
        vault.save(staged_vault, [new_key])
        kept = _move_aside(paths)
        os.replace(fresh, paths.db)
        Path(f"{fresh}-wal").unlink(missing_ok=True)
        Path(f"{fresh}-shm").unlink(missing_ok=True)
        os.replace(staged_vault, paths.vault)
        fsync_dir(paths.data_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    progress(100, "Restore complete")
    return kept


def _keys_by_passphrase(paths: Paths, bvault: VaultFile, user: str, passphrase: str, device_key_file):
    """(data keys for the backup, device secret, store, what the live vault says)."""
    if paths.vault.exists() and paths.db.exists():
        creds = check_credentials(paths.data_dir, user, passphrase, device_key_file)
        conn, key = open_database(paths, creds.keys_in_order())
        try:
            keying.check_file(conn, creds.vault, key)
            member = StaffRepo(conn).get_by_username(user)
            _require_manager(member)
            state = KeyStateRepo(conn)
            live = _Live(state.inactive_usernames(), state.get()[0], dict(creds.vault.slots), creds.vault)
        finally:
            conn.close()
        keys = _unseal_backup_slot(bvault, user, creds.opened, passphrase, creds.device_secret)
        if not keys:
            raise WrongCredentials(f"Your account ({user}) has no key in this backup, so it cannot be "
                                   "opened with your passphrase. Use the recovery key instead.")
        return keys, creds.device_secret, creds.store, live
    # No current vault here (its files were lost): the backup's own slots decide.
    attempts = AttemptLog(paths.attempts)
    attempts.check(user)
    store = resolve_store(bvault, device_key_file)
    device_secret = store.load(bvault.vault_id)
    slot = bvault.slots.get(user)
    opened = slot and staff_slot.open_slot(bvault.vault_id, slot, passphrase, device_secret)
    if not opened or not opened.data_keys:
        attempts.record_failure(user)
        raise WrongCredentials("That user name and passphrase do not open this backup. On a "
                               "different computer, use the recovery key instead.")
    attempts.take_and_reset(user)
    return opened.data_keys, device_secret, store, _Live()


def _unseal_backup_slot(bvault: VaultFile, user: str, opened, passphrase: str, device_secret: bytes):
    slot = bvault.slots.get(user)
    if slot is None:
        return []
    if slot.version == 2 and opened.private and slot.public == sealing.public_of(opened.private):
        return staff_slot.unseal_all(bvault.vault_id, slot, opened.private, device_secret)
    # An older slot (another key pair, or version 1): the passphrase as it was may still fit.
    older = staff_slot.open_slot(bvault.vault_id, slot, passphrase, device_secret)
    return older.data_keys if older else []


def _live_by_recovery(paths: Paths, recovery_key: str) -> _Live:
    """The current register, if the recovery key also opens the current vault."""
    if not (paths.vault.exists() and paths.db.exists()):
        return _Live()
    try:
        vault = VaultFile.load(paths.vault)
        keys, _secret = vault.open_recovery(recovery_key)
        conn, key = open_database(paths, keys)
    except ConfideError:
        return _Live()
    try:
        keying.check_file(conn, vault, key)
        state = KeyStateRepo(conn)
        return _Live(state.inactive_usernames(), state.get()[0], dict(vault.slots), vault)
    except ConfideError:
        return _Live()
    finally:
        conn.close()


def _require_manager(member) -> None:
    if member is None or not member.active:
        raise WrongCredentials("This account has been disabled. Ask your manager.")
    if member.role != Role.MANAGER:
        raise PermissionDenied("Only a manager can restore a backup.")


def _database_key(manifest: dict, keys: list[bytes]) -> bytes:
    """The key the backup's database is under, once the manifest is proven unaltered.

    May raise: BackupInvalid."""
    if manifest.get("format") == 2:
        return _format2_backup_key(manifest, keys)
    altered = BackupInvalid("The backup's manifest cannot be checked: the file was altered.")
    vault_id = str(manifest.get("vault_id"))
    for key in keys:
        if sealing.key_id(key, vault_id) != manifest.get("key_id"):
            continue
        if not hmac.compare_digest(str(manifest.get("mac", "")), manifest_mac(key, manifest)):
            raise altered
        return key
    raise altered


def _format2_backup_key(manifest: dict, keys: list[bytes]) -> bytes:
    try:
        nonce = keyslots._unb64(manifest["backup_key"]["nonce"])
        wrapped = keyslots._unb64(manifest["backup_key"]["wrapped"])
    except (KeyError, TypeError, ConfideError) as exc:
        raise BackupInvalid("The backup's own key cannot be opened: the file was altered.") from exc
    for key in keys:
        try:
            return crypto.open_sealed(key, nonce, wrapped, manifest_aad(manifest))
        except DecryptionFailed:
            continue
    raise BackupInvalid("The backup's own key cannot be opened: the file was altered.")


def _check_and_copy(contents, manifest: dict, staging: Path, backup_key: bytes, fresh: Path,
                    new_key: bytes) -> None:
    copy = staging / "backup.sqlcipher"
    contents.extract_database(copy)
    try:
        conn = db.open_database(copy, backup_key)
    except DatabaseDamaged as exc:
        raise BackupInvalid("The database inside the backup is damaged or was altered; "
                            "it cannot be restored.") from exc
    try:
        problems = db.integrity_problems(conn)
        if problems:
            # integrity_check puts many findings in one row, a line each: the message is one line.
            lines = [line for problem in problems for line in problem.splitlines() if line.strip()]
            raise BackupInvalid("The database inside the backup is damaged: " + "; ".join(lines[:3]))
        chain = audit.verify(conn, manifest.get("audit_head"))
        if not chain.ok:
            raise BackupInvalid("The audit trail inside the backup is broken: " + chain.message)
        export.export_copy(conn, fresh, new_key)
    finally:
        conn.close()
    copy.unlink(missing_ok=True)


def _restored_vault(conn, bvault: VaultFile, live: _Live, actor: str, new_key: bytes,
                    device_secret: bytes, manifest: dict, recovery_key: str | None,
                    passphrase: str | None) -> VaultFile:
    """Re-apply the current register's disabled accounts, record the restore, and build the
    vault.json for the new key: slots for active accounts only (today's slot where there is
    one, so today's passphrases work)."""
    repo, state = StaffRepo(conn), KeyStateRepo(conn)
    vault_id = bvault.vault_id
    new_id = sealing.key_id(new_key, vault_id)
    with db.transaction(conn):
        for name in sorted(live.disabled):
            member = repo.get_by_username(name)
            if member is not None and member.active:
                repo.update(member.id, actor, active=0)
                audit.append(conn, actor, "staff_disabled", "staff", member.id, {"by": "restore"})
        if actor != RECOVERY_ACTOR:
            _require_manager(repo.get_by_username(actor))
        generation = max(live.generation, bvault.generation, state.get()[0]) + 1
        state.set_generation(generation, new_id)
        state.clear_rekey()
        audit.append(conn, actor, "restore", "vault", vault_id,
                     {"backup_created_at": manifest.get("created_at"),
                      "backup_audit_seq": (manifest.get("audit_head") or {}).get("seq"),
                      "reapplied_disabled": len(live.disabled), "generation": generation})
    active = state.active_usernames()
    same_vault = live.vault is not None and live.vault.vault_id == vault_id
    backup_slots = dict(bvault.slots)
    vault = bvault
    vault.slots = {}
    vault.broken_slots, vault.broken_raw = {}, []
    for name in sorted(active):
        slot = (live.slots.get(name) if same_vault else None) or backup_slots.get(name)
        if slot is None:
            continue
        if slot.version == 1 and name == actor and passphrase:
            slot = keyslots.make_staff_slot(vault_id, name, passphrase, new_key, device_secret, slot.params)
        elif slot.version == 1:
            slot.needs_reset = True
        else:
            slot.sealed = [sealing.seal(new_key, slot.public, device_secret, vault_id, name, new_id)]
        vault.slots[name] = slot
    if recovery_key:
        vault.recovery = keyslots.RecoverySlot.create(recovery_key, vault_id, new_key, device_secret)
    else:
        if same_vault:
            vault.recovery = live.vault.recovery
        vault.recovery.reseal(vault_id, [new_key])
    if same_vault:
        vault.device_store, vault.device_key_file = live.vault.device_store, live.vault.device_key_file
    vault.key_id, vault.pending_key_id, vault.generation = new_id, "", generation
    vault.audit_head = audit.head(conn)
    return vault


def _move_aside(paths: Paths) -> Path | None:
    """Keep the database being replaced: restoring the wrong backup must not lose anything."""
    if not paths.db.exists():
        return None
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    folder = paths.data_dir / f"replaced-{stamp}"
    suffix = 1
    while folder.exists():  # a second restore within the same second
        suffix += 1
        folder = paths.data_dir / f"replaced-{stamp}-{suffix}"
    folder.mkdir(mode=0o700)
    for source in (paths.db, Path(f"{paths.db}-wal"), Path(f"{paths.db}-shm"), paths.vault):
        if source.exists():
            os.replace(source, folder / source.name)
    return folder
