"""Publish this computer's digest on the hub (docs/sync.md §17): after a sync, every EVERY
entries, and at once when it owes another computer row hashes."""

from app.services.team import control, device_keys, state
from app.services.team.replica_check import digest, entry
from app.services.team.replica_check.receive import OWED, PUBLISHED
from app.services.team.sync import pull
from app.storage.db import transaction
from app.storage.hub.base import Hub, SequenceTaken

EVERY = 200
ATTEMPTS = 8


def due(conn) -> bool:
    if not state.in_team(conn):
        return False
    if state.get(conn, OWED):
        return True
    return state.last_applied(conn) >= int(state.get(conn, PUBLISHED, 0)) + EVERY


def _content(conn, owed: dict | None) -> dict:
    partial = digest.partial(conn)
    tables, held = digest.digests(conn, partial)
    content = {"partial": partial, "tables": tables, "held": held}
    if owed is not None:
        rows, scope = {}, {}
        for table in owed["tables"]:
            keys = owed["keys"].get(table)
            limited = keys is not None or (partial and digest.casework(conn, table))
            rows[table] = digest.row_hashes(conn, table, set(keys) if keys is not None else None)
            scope[table] = "keys" if limited else "all"
        content.update(rows=rows, scope=scope, to=owed["to"], answer=owed["answer"])
    return content


def _append(conn, hub: Hub, owed: dict | None) -> int:
    me = state.get(conn, "device_id")
    for _ in range(ATTEMPTS):
        pull(conn, hub)
        payload = control.seal(entry.seal(conn, _content(conn, owed)), device_keys.sign_priv(conn))
        seq = state.last_applied(conn) + 1
        try:
            hub.append(seq, me, "control", payload)
        except SequenceTaken:
            continue
        with transaction(conn):
            control.apply(conn, control.check(conn, payload, seq, me), seq)
            state.put(conn, "last_applied_seq", seq)
        return seq
    return 0


def publish(conn, hub: Hub, force: bool = False) -> list[int]:
    """Append the digest entries owed or due (all of them when `force`). Returns their hub
    numbers; an entry that lost every race is left for the next sync.

    May raise: HubUnavailable, HubError, SyncBlocked."""
    if not state.in_team(conn) or not (force or due(conn)):
        return []
    written = []
    owed = state.get(conn, OWED) or []
    for item in owed:
        seq = _append(conn, hub, item)
        if not seq:
            return written
        written.append(seq)
        with transaction(conn):
            left = state.get(conn, OWED) or []
            state.put(conn, OWED, [o for o in left if o != item])
    if not owed:
        seq = _append(conn, hub, None)
        if seq:
            written.append(seq)
    return written
