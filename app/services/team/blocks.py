"""Nothing refused is passed over (docs/sync.md §4): an entry this computer cannot apply
stops its sync there, says so in plain words, and is published to the team.

- The block is kept in `sync_state` (key BLOCKED) until a pull gets past that entry, so the
  status bar shows it after a restart too, and `confide sync` exits non-zero.
- It is published as a small signed control entry of type `blocked` (this computer's own
  key; no personal data: the entry number, the author's device id, the reason's words), so
  the manager's device list shows which computers are stopped and by what. A computer
  stopped at a damaged entry of a folder hub can still append after it (the damaged number
  counts as taken), so this works there too.
- It ends when the entry is put back whole (`confide hub repair` from any computer's copy)
  and applies, or when a manager's computer appends a signed `void` control entry naming
  that number: every computer then passes over exactly that entry, recorded in
  `sync_refused` with the manager's reason. Nothing else ever passes an entry over.
"""

from app import clock
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.errors import ConfideError, ValidationError
from app.services.team import authority, control, copies, device_keys, state
from app.services.team.bundle import BundleRefused
from app.storage.db import transaction
from app.storage.hub.base import Hub, HubEntry, SequenceTaken

BLOCKED = "blocked"           # sync_state: this computer's own block, while it lasts
ATTEMPTS = 8


class EntryBlocked(ConfideError):
    """Sync stopped before an entry that cannot be applied (recorded; the block is published)."""

    def __init__(self, message: str, seq: int):
        super().__init__(message)
        self.seq = seq


def author(conn, device_id: str) -> str:
    """The computer that wrote an entry, by name, for messages."""
    dev = state.device(conn, device_id) if device_id else None
    if dev is not None:
        return f"computer '{dev.name}'"
    if device_id:
        return f"a computer that is not enrolled in this team (id {device_id})"
    return "an unknown computer (the entry is unreadable)"


def sentence(conn, seq: int, device_id: str, reason: str) -> str:
    own = ""
    if device_id and device_id == state.get(conn, "device_id"):
        # This computer keeps a copy of all it writes: with one, repair here puts it back;
        # without, the entry under its name is someone else's work with a copy of its keys.
        mine = copies.get(conn, seq)
        own = (" This computer holds its own copy of that entry: repair here puts it back."
               if mine is not None and mine.own else
               " It carries this computer's own name but is not what this computer wrote: someone "
               "may hold a copy of this computer's keys.")
    return (f"Sync stopped at hub entry {seq}, written by {author(conn, device_id)}: {reason}{own} Nothing after "
            f"it is applied on this computer until it is put right: run 'confide hub check' and 'confide "
            f"hub repair' on a computer of the team, or a manager voids the entry ('confide hub void "
            f"--entry {seq}').")


def record(conn, seq: int, device_id: str, reason: str) -> str:
    """Keep this computer's block (its own transaction). Returns the plain message."""
    message = sentence(conn, seq, device_id, reason)
    old = state.get(conn, BLOCKED) or {}
    with transaction(conn):
        state.put(conn, BLOCKED, {"seq": seq, "device_id": device_id, "reason": reason, "message": message,
                                  "at": old.get("at") if old.get("seq") == seq else clock.stamp(),
                                  "published": old.get("published") if old.get("seq") == seq else None})
    return message


def current(conn) -> dict | None:
    return state.get(conn, BLOCKED)


def clear(conn) -> None:
    """A pull reached the end of the log: any earlier block is over (kept published until
    said otherwise by `publish`)."""
    old = current(conn)
    if old is not None and old.get("seq") is not None:
        with transaction(conn):
            state.put(conn, BLOCKED, {"seq": None, "published": old.get("published")})


def publish(conn, hub: Hub) -> bool:
    """Say on the hub that this computer is stopped (or no longer stopped) if it has not
    said so yet. Best effort: a hub that refuses or is busy is tried at the next sync.
    Returns True when it appended."""
    block = current(conn)
    if block is None or block.get("published") == block.get("seq"):
        return False
    if hub.last_number() < state.last_applied(conn):
        return False    # a hub gone back to an older copy: writing there would fork it; repair first
    me = state.get(conn, "device_id")
    body = {"team": state.get(conn, "team_id"), "type": "blocked", "by": me, "at": clock.stamp(),
            "entry": block.get("seq"), "author": block.get("device_id"), "reason": block.get("reason")}
    payload = control.seal(body, device_keys.sign_priv(conn))    # its own statement: its device key
    for _ in range(ATTEMPTS):
        # At the hub's end, not after what this computer applied: it is stopped before that
        # (and past any gap: a missing number is left for its own entry to be put back).
        seq = hub.last_number() + 1
        try:
            hub.append(seq, me, "control", payload)
        except SequenceTaken:
            continue
        with transaction(conn):
            state.put(conn, BLOCKED, {**block, "published": block.get("seq")})
            if seq == state.last_applied(conn) + 1:
                # At the end of the log (not stopped): ours to apply now, like any we write.
                control.apply(conn, control.check(conn, payload, seq, me), seq)
                copies.keep(conn, seq, me, "control", payload, own=True)
                state.put(conn, "last_applied_seq", seq)
            if block.get("seq") is None:
                conn.execute("DELETE FROM sync_state WHERE key = ?", (BLOCKED,))
        return True
    return False


def published(conn) -> dict[str, dict]:
    """Device id -> the block it published ({"entry", "author", "reason", "at"})."""
    return dict(state.get(conn, control.BLOCKED) or {})


def stopped_at_mine(conn) -> list[str]:
    """Other computers stopped at an entry this computer wrote: it holds the copy that puts
    it right, so it is told (an altered bundle no longer cuts its sender off in silence)."""
    me = state.get(conn, "device_id")
    # A voided entry is over for every computer: a block published before the void was read
    # is not this computer's to put right (the other computer lifts it at its next sync).
    passed = {r[0] for r in conn.execute("SELECT hub_seq FROM sync_refused")}
    out = []
    for device_id, b in sorted(published(conn).items()):
        if (device_id != me and b.get("author") == me and b.get("entry") is not None
                and b["entry"] not in passed):
            out.append(f"{author(conn, device_id).capitalize()} is stopped at hub entry {b['entry']}, which this "
                       f"computer wrote: {b.get('reason')} Run 'confide hub repair' on this computer.")
    return out


# --- a manager's decision to void an entry -------------------------------------------------

def look_ahead(conn, hub: Hub, seq: int) -> str | None:
    """Read past the entry this computer is stopped at (applying nothing of the log): a
    checked `void` entry that names it gives the manager's reason (returned; else None),
    and other computers' `blocked` entries are recorded, so a manager's computer that is
    stopped too still lists who else is. Checked with what this computer trusts now."""
    voided = None
    for entry in hub.read_after(seq):
        if entry.kind != "control":
            continue
        try:
            body = control.read_unverified(entry.payload, entry.seq)
            if body.get("type") == "blocked":
                with transaction(conn):
                    control.apply(conn, control.check(conn, entry.payload, entry.seq, entry.device_id),
                                  entry.seq)
                continue
            if voided or body.get("type") != "void" or seq not in (body.get("entries") or []):
                continue
            body = control.check(conn, entry.payload, entry.seq, entry.device_id)
        except BundleRefused:
            continue
        voided = (f"Hub entry {seq} was voided by {author(conn, entry.device_id)} (entry {entry.seq}): "
                  f"{body.get('reason') or 'no reason given'}")
    return voided


@grants(Scope.MANAGER, "a manager's signed decision that every computer passes over one hub entry")
def void(session, hub: Hub, seq: int, reason: str) -> int:
    """Append a manager's signed decision that hub entry `seq` is passed over by every
    computer. For an entry no computer holds a good copy of (a forged entry, one damaged
    beyond repair); `confide hub check` says whether a copy exists. Returns the void
    entry's number.

    May raise: PermissionDenied, ValidationError, HubUnavailable, HubError.
    """
    session.require(Role.MANAGER)
    conn = session.conn
    me = state.device(conn, state.get(conn, "device_id"))
    if me is None or not me.manager:
        raise ValidationError("Only a manager's computer can void a hub entry.", field="entry")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the entry is voided (--reason): every computer records it.",
                              field="reason")
    if seq < 1 or seq > hub.last_number():
        raise ValidationError(f"The hub has no entry {seq}.", field="entry")
    if hub.last_number() < state.last_applied(conn):
        raise ValidationError("The hub has gone back to an older copy: run 'confide hub repair' first; a "
                              "void written now would take the number of an entry that is only missing.",
                              field="entry")
    # A team-changing entry: signed by the active manager signed in here (authority.py), not
    # by the computer's key, so a copied database cannot void entries.
    try:
        staff, sign_key = authority.signer_for(conn)
    except authority.NoAuthority as exc:
        raise ValidationError(exc.message, field="entry") from exc
    body = {"team": state.get(conn, "team_id"), "type": "void", "by": me.device_id, "at": clock.stamp(),
            "entries": [int(seq)], "reason": reason[:500], "staff": staff}
    payload = control.seal(body, sign_key)
    for _ in range(ATTEMPTS):
        at = hub.last_number() + 1
        try:
            hub.append(at, me.device_id, "control", payload)
        except SequenceTaken:
            continue
        session.audit("hub_entry_voided", "hub_entry", str(seq))
        return at
    raise ValidationError("The hub is too busy: try again in a moment.", field="entry")


def skip_voided(conn, entry: HubEntry, reason: str) -> None:
    """Pass over exactly this entry, as a manager decided (its own transaction)."""
    with transaction(conn):
        conn.execute("INSERT OR REPLACE INTO sync_refused (hub_seq, device_id, reason, at) VALUES (?, ?, ?, ?)",
                     (entry.seq, entry.device_id, reason, clock.stamp()))
        state.put(conn, "last_applied_seq", entry.seq)
