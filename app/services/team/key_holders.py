"""Who may hold the team's current key, and whether a new one is owed (docs/security.md,
"Who holds what").

The person half of a team key is sealed to the team's active caseworkers and managers, never
to a volunteer (a volunteer works in their own compartment and holds no key to casework).
Everyone who held the current key keeps it: a colleague who was disabled, or who became a
volunteer, may have copied it (and a computer's keys) while they could. So whenever someone
who held the current key is no longer entitled to it, a manager's computer makes a new one at
its next sync, whatever made the change (a disable, a role change, a record written raw).

This computer keeps the list of holders of the current key in `sync_state` (local):
the people the key's entry was sealed to, plus everyone entitled since (a member of staff
added later opens the database, which holds the key).
"""

from app.services.team import state

HOLDERS = "team_key_holders"    # sync_state: {"epoch": n, "people": [...]}
UNKNOWN = "team_key_holders_unknown"   # set by the upgrade on a team whose volunteers were sealed halves


def entitled(conn) -> set[str]:
    """Who receives the person half of a new team key: active caseworkers and managers with a
    key pair."""
    return {r[0] for r in conn.execute(
        "SELECT s.username FROM staff s JOIN staff_key k ON k.id = s.id WHERE s.active = 1 "
        "AND s.deleted_at IS NULL AND k.deleted_at IS NULL AND s.role != 'volunteer'")}


def _everyone_with_a_key(conn) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT s.username FROM staff s JOIN staff_key k ON k.id = s.id WHERE s.deleted_at IS NULL "
        "AND k.deleted_at IS NULL AND s.active = 1")}


def sealed_to(conn, epoch: int, people) -> None:
    """A team key's entry was applied: its person half went to `people`."""
    state.put(conn, HOLDERS, {"epoch": int(epoch), "people": sorted(people)})


def note(conn) -> set[str]:
    """Bring the list of holders of the current key up to date (everyone entitled now holds it
    too) and return it. Writes sync_state: call inside a transaction."""
    epoch = state.current_epoch(conn)[0]
    kept = state.get(conn, HOLDERS) or {}
    if kept and int(kept.get("epoch", 0)) >= epoch:
        people = set(kept.get("people") or [])
    elif state.get(conn, UNKNOWN):
        # Keys made before volunteers were left out were sealed to them too.
        people = _everyone_with_a_key(conn)
    else:
        people = set()
    people |= entitled(conn)
    if kept != {"epoch": epoch, "people": sorted(people)}:
        sealed_to(conn, epoch, people)
    if state.get(conn, UNKNOWN) is not None:
        conn.execute("DELETE FROM sync_state WHERE key = ?", (UNKNOWN,))
    return people


def owed(conn) -> list[str]:
    """Holders of the current key who are no longer entitled to it: a new key is owed."""
    return sorted(note(conn) - entitled(conn))
