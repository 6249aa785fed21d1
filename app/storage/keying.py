"""The data key's life: prove vault.json belongs with the database, write slot changes, and
re-key (PRAGMA rekey) crash-safely.

Re-key order, chosen so that a kill -9 at any point leaves a vault that opens with the old
key or the new one, never neither:
  1. vault.json is written with every active slot holding two sealed copies (old and new
     key), `pending_key_id` naming the new one, a higher generation and a MAC under each key;
  2. the database records the new generation and a `rekey` audit event (old key);
  3. PRAGMA rekey (one transaction: the file is under the old key or the new one);
  4. vault.json is written with the new key only.
Whoever unlocks next while `pending_key_id` is set finishes steps 2-4 (roll forward): the
old key still opens the database before step 3, and the new one after it.

Roll-back detection: the generation is kept in the database (key_state) and in vault.json,
which is authenticated by an HMAC under a key derived from the data key. A vault.json older
than the database is refused; a disabled colleague's slot in an older copy holds a data key
that no longer opens the database.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.errors import VaultFileInvalid
from app.security import audit, crypto, sealing
from app.security.keyslots import RecoverySlot, VaultFile
from app.security.staff_slot import StaffSlot
from app.storage import db
from app.storage.key_state_repo import KeyStateRepo

Step = Callable[[str], None]


def _no_step(_name: str) -> None:
    pass


class VaultRolledBack(VaultFileInvalid):
    pass


@dataclass
class Keyed:
    """An open database and the vault file that goes with it."""

    vault_path: Path
    vault: VaultFile
    conn: object
    data_key: bytes
    device_secret: bytes


def check_file(conn, vault: VaultFile, data_key: bytes) -> None:
    """vault.json must be authenticated by the key that opened the database and be no older
    than it. May raise: VaultFileInvalid, VaultRolledBack."""
    generation = KeyStateRepo(conn).get()[0]
    if vault.read_format == 1:
        if generation > 0:
            raise VaultRolledBack(_older(0, generation))
        return
    if not vault.mac_ok(data_key):
        raise VaultFileInvalid("vault.json was altered: its authentication code does not match. "
                               "Put back the vault.json from the latest backup or use the recovery key.")
    if vault.generation < generation:
        raise VaultRolledBack(_older(vault.generation, generation))


def _older(found: int, expected: int) -> str:
    return (f"vault.json is older than the database (key generation {found}, the database is at "
            f"{expected}): an old copy was put back. It is refused, because it could bring back "
            "a removed account or passphrase. Put back the current vault.json.")


def next_generation(conn, vault: VaultFile) -> int:
    return max(vault.generation, KeyStateRepo(conn).get()[0]) + 1


def write_slots(keyed: Keyed, changes: dict[str, StaffSlot | None], *,
                recovery: RecoverySlot | None = None,
                device: tuple[str, str | None] | None = None) -> VaultFile:
    """Write slot changes into vault.json as it is on disk now (another session may have
    changed other slots meanwhile), with a new generation, in the caller's transaction.

    May raise: VaultFileInvalid (the file on disk is under another key: re-key elsewhere).
    """
    current = VaultFile.load(keyed.vault_path)
    if current.vault_id != keyed.vault.vault_id:
        raise VaultFileInvalid("vault.json now belongs to another vault; nothing was changed.")
    if current.read_format == 2 and not current.mac_ok(keyed.data_key):
        raise VaultFileInvalid("The vault's key was changed in another window. Lock Confide and "
                               "unlock it again, then repeat the change.")
    for user, slot in changes.items():
        if slot is None:
            current.slots.pop(user, None)
        else:
            current.slots[user] = slot
    if recovery is not None:
        current.recovery = recovery
    if device is not None:
        current.device_store, current.device_key_file = device
    current.key_id = current.key_id or sealing.key_id(keyed.data_key, current.vault_id)
    current.generation = next_generation(keyed.conn, current)
    KeyStateRepo(keyed.conn).set_generation(current.generation, current.key_id)
    current.save(keyed.vault_path, [keyed.data_key])
    keyed.vault = current
    return current


def rotate(keyed: Keyed, actor: str, reason: str, step: Step = _no_step) -> bytes:
    """Re-key: a new random data key sealed to every active member and the recovery slot;
    slots of accounts that are not active are dropped. Returns the new key (keyed is updated).

    May raise: VaultFileInvalid, DatabaseError, OSError (then the vault still opens).
    """
    vault = VaultFile.load(keyed.vault_path)
    if vault.read_format == 2 and not vault.mac_ok(keyed.data_key):
        raise VaultFileInvalid("The vault's key was changed in another window; nothing was re-keyed.")
    if vault.pending_key_id:
        keyed.vault = vault
        return finish_pending(keyed, actor, [keyed.data_key])
    old_key, new_key = keyed.data_key, crypto.random_key()
    old_id = vault.key_id or sealing.key_id(old_key, vault.vault_id)
    new_id = sealing.key_id(new_key, vault.vault_id)
    active = KeyStateRepo(keyed.conn).active_usernames()
    for user in [u for u in vault.slots if u not in active]:
        del vault.slots[user]
    for slot in vault.slots.values():
        if slot.version == 1:
            slot.needs_reset = True  # no public key to seal to: a manager's reset makes one
            continue
        current = [s for s in slot.sealed if s.key_id == old_id][:1]
        slot.sealed = current + [sealing.seal(new_key, slot.public, keyed.device_secret,
                                              vault.vault_id, slot.user, new_id)]
    vault.recovery.reseal(vault.vault_id, [old_key, new_key])
    vault.key_id, vault.pending_key_id = old_id, new_id
    vault.generation = next_generation(keyed.conn, vault)
    step("pending")
    vault.save(keyed.vault_path, [old_key, new_key])
    keyed.vault = vault
    step("pending-written")
    with db.transaction(keyed.conn):
        KeyStateRepo(keyed.conn).set_generation(vault.generation)
        KeyStateRepo(keyed.conn).clear_rekey()
        audit.append(keyed.conn, actor, "rekey", "vault", vault.vault_id,
                     {"reason": reason, "generation": vault.generation})
    return _finish(keyed, new_key, step)


def finish_pending(keyed: Keyed, actor: str, keys: list[bytes], step: Step = _no_step) -> bytes:
    """Roll an interrupted re-key forward. `keys` are those the unlocking slot unsealed."""
    vault = keyed.vault
    new_key = next((k for k in keys if sealing.key_id(k, vault.vault_id) == vault.pending_key_id), None)
    if new_key is None:
        return keyed.data_key  # this slot was not given the new key; someone else will finish
    state = KeyStateRepo(keyed.conn)
    if state.get()[0] < vault.generation:
        with db.transaction(keyed.conn):
            state.set_generation(vault.generation)
            state.clear_rekey()
            audit.append(keyed.conn, actor, "rekey", "vault", vault.vault_id,
                         {"reason": "finishing an interrupted re-key", "generation": vault.generation})
    return _finish(keyed, new_key, step)


def _finish(keyed: Keyed, new_key: bytes, step: Step) -> bytes:
    vault = keyed.vault
    new_id = vault.pending_key_id
    if keyed.data_key != new_key:
        step("rekeying")
        db.rekey(keyed.conn, new_key)
        keyed.data_key = new_key
    else:
        # Killed after PRAGMA rekey committed but before the checkpoint: the new pages are
        # in the WAL and the main file still holds old-key pages, which page-HMAC checks of
        # the file (cipher_integrity_check) would report. Copy them over now.
        keyed.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    step("rekeyed")
    for slot in vault.slots.values():
        if slot.version == 2:
            slot.sealed = [s for s in slot.sealed if s.key_id == new_id]
    vault.recovery.sealed = [s for s in vault.recovery.sealed if s.key_id == new_id]
    vault.key_id, vault.pending_key_id = new_id, ""
    with db.transaction(keyed.conn):
        KeyStateRepo(keyed.conn).set_generation(vault.generation, new_id)
    vault.audit_head = audit.head(keyed.conn)
    vault.save(keyed.vault_path, [new_key])
    step("finished")
    return new_key
