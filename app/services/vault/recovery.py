"""The recovery key: enrol a replaced computer, reset a forgotten passphrase, renew the key.

Using the recovery key re-keys the database: whoever held the sheet has seen a data key, and
a fresh one leaves that copy useless.
"""

from pathlib import Path

from app.config import Paths
from app.domain import passphrase as passphrase_rules
from app.domain.role_matrix import Scope, grants
from app.domain.staff import clean_username
from app.errors import DatabaseDamaged, ValidationError, WrongRecoveryKey
from app.security import audit, keyslots
from app.security.device import KeyFileStore, KeyringStore
from app.security.keyslots import VaultFile
from app.security.session import Session
from app.security.throttle import AttemptLog
from app.services.vault.keys import record_staff_key
from app.services.vault.staff import slot_params
from app.services.vault.unlock import open_database, utc_now
from app.storage import db, keying
from app.storage.staff_repo import StaffRepo

RECOVERY_ACTOR = "recovery-key"


def open_with_recovery(paths: Paths, vault: VaultFile, recovery_key: str):
    """Throttled like a passphrase. Returns (data keys, device secret).
    May raise: TooManyAttempts, ValidationError, WrongRecoveryKey."""
    attempts = AttemptLog(paths.attempts)
    attempts.check(RECOVERY_ACTOR)
    try:
        keys, device_secret = vault.open_recovery(recovery_key)
    except WrongRecoveryKey:
        attempts.record_failure(RECOVERY_ACTOR)
        raise
    attempts.take_and_reset(RECOVERY_ACTOR)
    if vault.pending_key_id:
        keys.sort(key=lambda k: keyslots.sealing.key_id(k, vault.vault_id) != vault.pending_key_id)
    return keys, device_secret


def recover(data_dir: Path, recovery_key: str, device_key_file: str | Path | None = None,
            reset_username: str | None = None, new_passphrase: str | None = None) -> str:
    """Enrol this computer again with the recovery key: the device secret goes back into the
    credential store (or the chosen key file), so every staff slot opens as before. Optionally
    set a new passphrase for one account (a manager who forgot theirs). Then re-key.

    Returns the user name of the account that was reset, if any.
    May raise: VaultNotFound, VaultFileInvalid, ValidationError, WrongRecoveryKey,
    TooManyAttempts, CredentialStoreUnavailable, DatabaseDamaged.
    """

    paths = Paths(Path(data_dir))
    vault = VaultFile.load(paths.vault)
    keys, device_secret = open_with_recovery(paths, vault, recovery_key)
    store = KeyFileStore(Path(device_key_file)) if device_key_file else KeyringStore()
    store.check_available()
    reset_user = None
    if reset_username:
        reset_user = clean_username(reset_username)
        passphrase_rules.check_new(new_passphrase or "", reset_user, field="new_passphrase")
    if not keys:
        if reset_user:
            raise ValidationError(
                "This recovery key is from before the vault's key was changed: it can enrol this "
                "computer again, but not reset a passphrase. A manager can make a new recovery key.")
        # vault.json cannot be signed without a data key, so it stays as it is: the secret
        # goes back into the store it names (or the key file given each time).
        _enrol(store, vault.vault_id, device_secret)
        return ""
    conn, data_key = open_database(paths, keys)
    keyed = keying.Keyed(paths.vault, vault, conn, data_key, device_secret)
    try:
        keying.check_file(conn, vault, data_key)
        if vault.pending_key_id:
            keying.finish_pending(keyed, RECOVERY_ACTOR, keys)
        repo = StaffRepo(conn)
        member = None
        if reset_user:
            member = repo.get_by_username(reset_user)
            if member is None or not member.active:
                raise ValidationError(f"There is no active account named '{reset_user}'.",
                                      field="username")
        device = _enrol(store, vault.vault_id, device_secret)
        with db.transaction(conn):
            if audit.head_is_missing(conn, keyed.vault.audit_head):
                audit.record_head_mismatch(conn, RECOVERY_ACTOR, vault.vault_id, keyed.vault.audit_head)
            audit.append(conn, RECOVERY_ACTOR, "device_enrolled", "vault", vault.vault_id,
                         {"store": keyed.vault.device_store})
            changes = {}
            if reset_user:
                old = keyed.vault.slots.get(reset_user)
                params = old.params if old is not None else slot_params()
                slot = keyslots.make_staff_slot(vault.vault_id, reset_user, new_passphrase,
                                                keyed.data_key, device_secret, params)
                changes[reset_user] = slot
                record_staff_key(conn, member.id, slot, RECOVERY_ACTOR)
                repo.touch(member.id, passphrase_changed_at=_now())
                audit.append(conn, RECOVERY_ACTOR, "passphrase_reset", "staff", member.id)
            keying.write_slots(keyed, changes, device=device)
        keying.rotate(keyed, RECOVERY_ACTOR, "recovery key used")
    except db.DatabaseError as exc:
        raise DatabaseDamaged(f"The database could not be updated during recovery ({exc}).") from exc
    finally:
        conn.close()
    return reset_user or ""


def _enrol(store, vault_id: str, device_secret: bytes) -> tuple[str, str | None]:
    """Put the device secret back; returns what vault.json should say about where it is."""
    store.save(vault_id, device_secret)
    if isinstance(store, KeyFileStore):
        return "file", str(store.path)
    return "keyring", None


def _now() -> str:

    return utc_now()


@grants(Scope.MANAGER)
def renew_recovery_key(session: Session) -> str:
    """A manager makes a new recovery key (shown once); the old one stops working.
    Needed after a re-key when the recovery slot is of the old kind (it cannot be re-sealed).

    May raise: Locked, PermissionDenied, VaultFileInvalid.
    """
    new_key = keyslots.new_recovery_key()
    keyed = keying.Keyed(session.paths.vault, session.vault, session.conn, session.data_key,
                         session.device_secret)
    with db.transaction(session.conn):
        session.audit("recovery_key_renewed", "vault", session.vault.vault_id)
        keying.write_slots(keyed, {}, recovery=keyslots.RecoverySlot.create(
            new_key, session.vault.vault_id, session.data_key, session.device_secret))
    session.vault = keyed.vault
    return new_key
