"""Accounts across the team's computers (docs/sync.md §12): every computer seals its own data
key to every active colleague's public key, bound to its own device secret, from the staff
key records that replicate; and it re-keys its own database when the team key changes.

So a colleague signs in on a computer they never used with their own passphrase and that
computer's OS login; a passphrase change on one computer (a new wrap of the same private key)
reaches the others at their next sync; a disabled colleague's slot leaves every computer.
"""

import json

from app.domain.role_matrix import Scope, grants
from app.security import staff_slot
from app.security.keyslots import VaultFile
from app.security.slot_record import b64, slot_from_record
from app.services.team import state
from app.storage import db, keying

REKEYED_EPOCH = "rekeyed_epoch"


def team_records(conn) -> dict[str, tuple[str, str, bool]]:
    """username -> (public key, private wrap, active) for every member with a key record."""
    return {r[0]: (r[1], r[2], bool(r[3])) for r in conn.execute(
        "SELECT s.username, k.public_key, k.private_wrap, s.active FROM staff s JOIN staff_key k "
        "ON k.id = s.id WHERE s.deleted_at IS NULL AND k.deleted_at IS NULL")}


def _same(slot: staff_slot.StaffSlot | None, public_b64: str, private_wrap: str) -> bool:
    if slot is None or slot.version != 2:
        return False
    wrap = json.loads(private_wrap)
    return (slot.public == b64(public_b64) and slot.salt == b64(wrap["salt"])
            and slot.private_wrapped == b64(wrap["private"]["wrapped"]))


@grants(Scope.ANY, "this computer's own slots, from the replicated key records")
def follow_staff_keys(session) -> int:
    """Bring this computer's vault.json slots in line with the team's staff key records.
    Returns how many slots changed. May raise: VaultFileInvalid, OSError."""
    if session.vault.pending_key_id:
        return 0       # an unfinished re-key is finished at the next unlock first
    conn = session.conn
    vault = VaultFile.load(session.paths.vault)
    vault_id = vault.vault_id
    changes: dict[str, staff_slot.StaffSlot | None] = {}
    records = team_records(conn)
    # Volunteers' slots open their compartment, never this data key (docs/security.md).
    volunteers = {r[0] for r in conn.execute("SELECT username FROM staff WHERE role = 'volunteer'")}
    for user, (public, wrap, active) in records.items():
        current = vault.slots.get(user)
        if not active or user in volunteers:
            if current is not None:
                changes[user] = None
        elif not _same(current, public, wrap):
            changes[user] = slot_from_record(user, public, wrap, session.data_key, session.device_secret,
                                             vault_id)
    for user in set(vault.slots) - set(records):
        row = conn.execute("SELECT active FROM staff WHERE username = ?", (user,)).fetchone()
        if row is not None and not row[0]:
            changes[user] = None
    if not changes:
        return 0
    keyed = keying.Keyed(session.paths.vault, session.vault, conn, session.data_key, session.device_secret)
    with db.transaction(conn):
        keying.write_slots(keyed, changes)
    session.vault = keyed.vault
    return len(changes)


@grants(Scope.ANY, "this computer's own database key")
def rekey_if_team_key_changed(session) -> bool:
    """After a new team key (someone left, a computer was removed), re-key this computer's
    own database once, so an old copy of its vault.json no longer opens current data.
    Returns True when it re-keyed. May raise: VaultFileInvalid, DatabaseError, OSError."""
    conn = session.conn
    if not state.in_team(conn):
        return False
    epoch = state.current_epoch(conn)[0]
    done = int(state.get(conn, REKEYED_EPOCH, 1))
    if epoch <= done:
        return False
    keyed = keying.Keyed(session.paths.vault, session.vault, conn, session.data_key, session.device_secret)
    new_key = keying.rotate(keyed, session.user.username, f"team key {epoch}")
    session.replace_key(keyed.conn, new_key, keyed.vault)
    with db.transaction(session.conn):
        state.put(session.conn, REKEYED_EPOCH, epoch)
    return True
