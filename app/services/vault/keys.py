"""Key upkeep around a session: what a successful unlock tidies up (a version-1 slot's key
pair, the generation after a crash, a re-key that a crash left owed), the public keys kept in
the database, and following a re-key made by another session on the same vault."""

from app import clock
from app.domain.role_matrix import Scope, grants
from app.errors import Locked
from app.security import audit, sealing, staff_slot
from app.security.keyslots import VaultFile
from app.security.session import Session
from app.storage import db, keying
from app.storage.key_state_repo import KeyStateRepo


def record_staff_key(conn, staff_id: str, slot: staff_slot.StaffSlot, actor: str) -> None:
    """The public key and the passphrase-wrapped private key, in the database too: the team
    vault carries them with the staff record to the other computers."""
    if slot.version != 2:
        return
    data = slot.to_json()
    KeyStateRepo(conn).put_staff_key(staff_id, data["public"], {
        "salt": data["salt"], "kdf": data["kdf"], "private": data["private"],
        # A temporary passphrase stays temporary on the team's other computers too.
        "must_change": bool(data["must_change"]),
        # When it was set: of two set on two computers before they synced, the later stands
        # (team/merge/key_record.py).
        "set_at": clock.stamp()}, actor)


def settle_after_unlock(keyed: keying.Keyed, slot, creds, member) -> bytes | None:
    """Housekeeping a successful unlock does: give a version-1 slot its key pair, repair the
    generation after a crash, and carry out a re-key that a crash left owed.
    Returns the private key when one was made here."""
    state = KeyStateRepo(keyed.conn)
    private = None
    if slot.version == 1:
        new_slot, private = staff_slot.upgrade_v1(keyed.vault.vault_id, slot, creds.opened,
                                                  keyed.data_key, creds.device_secret)
        with db.transaction(keyed.conn):
            keying.write_slots(keyed, {slot.user: new_slot})
            record_staff_key(keyed.conn, member.id, new_slot, slot.user)
            audit.append(keyed.conn, slot.user, "key_pair_created", "staff", member.id)
    elif keyed.vault.generation > state.get()[0]:
        # vault.json was written, then the process died before the database committed.
        with db.transaction(keyed.conn):
            state.set_generation(keyed.vault.generation)
    due = state.get()[2]
    if due:
        keying.rotate(keyed, slot.user, due)
    return private


@grants(Scope.HELPER, "an open session picks up a re-key made by another")
def follow_key_change(session: Session) -> None:
    """Called before each service call: when another session on this vault re-keyed it,
    unseal the new data key with our private key and reopen (no passphrase needed).
    May raise: Locked (our slot is gone: the account was disabled)."""
    if getattr(session, "_key_lost", False):
        raise Locked()
    private = session.private_key
    if private is None:
        return
    try:
        st = session.paths.vault.stat()
    except OSError:
        return
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    if getattr(session, "_vault_stamp", None) == stamp:
        return  # unchanged since the last look: one stat per call, no JSON parse
    session._vault_stamp = stamp
    try:
        current = VaultFile.load(session.paths.vault)
    except Exception:
        return
    if current.vault_id != session.vault.vault_id or current.pending_key_id or \
            current.key_id == sealing.key_id(session.data_key, current.vault_id):
        return
    slot = current.slots.get(session.user.username)
    keys = [] if slot is None or slot.version != 2 else \
        staff_slot.unseal_all(current.vault_id, slot, private, session.device_secret)
    keys = [k for k in keys if sealing.key_id(k, current.vault_id) == current.key_id]
    if not keys or not current.mac_ok(keys[0]):
        # Our slot is gone (account disabled) or the file is not genuine. No lock() here: this
        # may run on a worker thread, and locking calls back into the screens. Every later
        # call is refused until the window locks and someone unlocks again.
        session._key_lost = True
        raise Locked()
    conn = db.open_database(session.paths.db, keys[0])
    session.replace_key(conn, keys[0], current)
