"""A manager's warrant for an erasure (docs/sync.md §10, docs/lifecycle.md "Erasing everywhere").

An erasure's deletes win over whatever another computer has pending or holds in a conflict
(apply.is_erasure), so who may send one matters as much as who may change the team. Each
erased row's mark names its warrant, and the bundle carries the warrant: the rows erased,
signed with the erasing manager's own staff key (authority.py), which no computer's key, data
key or copied database gives. Before anything of a bundle is applied, every computer checks
that each mark is covered by a warrant signed by one of the team's active managers at that
point of the log; otherwise the bundle is refused like a forged one (docs/sync.md §4): sync
stops before it, says why, and the block is published for the manager.

A row another computer added to an erased record before it knew of the erasure is carried by
the pending erasure after the manager signed (erase_set.erase_on_arrival): its mark is covered
when the row, as the receiving computer holds it, names a row already covered. A mark for a
row the receiving computer does not hold deletes nothing there.
"""

from uuid6 import uuid7

from app import clock
from app.services.team import authority, keys, state
from app.services.team.bundle import BundleRefused, canonical
from app.services.team.laptop.schema import casework
from app.storage.capture import primary_key

ERASED = "$erased"
WARRANT = "$erasure"             # in a mark: the warrant that covers it
PENDING = "erasure_warrants"     # sync_state: warrant id -> {"body", "sig"} until its marks are pushed


def sign(conn, rows: dict[str, set[str]], signer: tuple[str, str]) -> str:
    """Sign and keep (until pushed) the warrant for `rows` (table -> ids in its id column).
    Inside the erasure's transaction. Returns the warrant's id, which each mark names."""
    staff, sign_key = signer
    warrant_id = str(uuid7())
    body = {"v": 1, "team": state.get(conn, "team_id"), "id": warrant_id, "staff": staff,
            "at": clock.precise_stamp(), "rows": {t: sorted(ids) for t, ids in rows.items() if ids}}
    held = state.get(conn, PENDING) or {}
    held[warrant_id] = {"body": body, "sig": keys.sign(sign_key, canonical(body)).hex()}
    state.put(conn, PENDING, held)
    return warrant_id


def for_changes(conn, changes: list[dict]) -> list[dict]:
    """The warrants a bundle of these changes must carry."""
    wanted = {w["b"].get(WARRANT) for w in changes if _is_mark(w)}
    held = state.get(conn, PENDING) or {}
    return [held[w] for w in sorted(wanted, key=str) if w in held]


def forget_pushed(conn) -> None:
    """Drop warrants no pending mark names any more (they list erased rows' ids)."""
    held = state.get(conn, PENDING) or {}
    if not held:
        return
    named = {w for (w,) in conn.execute(
        f"SELECT json_extract(before_img, '$.\"{WARRANT}\"') FROM sync_outbox WHERE op = 'd' "
        "AND before_img LIKE '%\"$erased\"%'")}
    kept = {k: v for k, v in held.items() if k in named}
    if kept != held:
        state.put(conn, PENDING, kept)


def _is_mark(wire: dict) -> bool:
    before = wire.get("b")
    return wire.get("a") is None and isinstance(before, dict) and before.get(ERASED) is True


def _valid(conn, warrant, team: str, managers: dict[str, str]) -> dict | None:
    if not isinstance(warrant, dict) or not isinstance(warrant.get("body"), dict):
        return None
    body, sig = warrant["body"], warrant.get("sig")
    pub = managers.get(str(body.get("staff")))
    try:
        signature = bytes.fromhex(sig)
    except (TypeError, ValueError):
        return None
    if body.get("team") != team or pub is None or not keys.verify(pub, signature, canonical(body)):
        return None
    rows = body.get("rows")
    return rows if isinstance(rows, dict) else None


def check(conn, body: dict, seq: int) -> None:
    """Refuse the bundle unless every erasure mark in it is covered by a manager's warrant.

    May raise: BundleRefused (deterministic: every computer decides the same from the log)."""
    marks = [w for w in body.get("changes", []) if isinstance(w, dict) and _is_mark(w)]
    if not marks:
        return
    managers = authority.active_managers(conn)
    team = state.get(conn, "team_id")
    covered: dict[str, set] = {}
    for warrant in body.get("erasures") or []:
        for table, ids in (_valid(conn, warrant, team, managers) or {}).items():
            if isinstance(ids, list):
                covered.setdefault(str(table), set()).update(i for i in ids if isinstance(i, str))
    cw = casework(conn)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    waiting = []
    for wire in marks:
        table, before = str(wire.get("t")), wire["b"]
        col = cw.id_column.get(table)
        if col is not None and before.get(col) in covered.get(table, ()):
            continue
        waiting.append(wire)
    while waiting:
        left = []
        for wire in waiting:
            row = _held_row(conn, wire, tables)
            if row is _NOT_A_TABLE:
                left.append(wire)
                continue
            table = str(wire["t"])
            if row is None or any(row.get(e.column) in covered.get(e.parent, ())
                                  for e in cw.needs.get(table, ())):
                col = cw.id_column.get(table)
                if col is not None and row is not None:
                    covered.setdefault(table, set()).add(row.get(col))
                continue
            left.append(wire)
        if len(left) == len(waiting):
            raise BundleRefused(f"Change bundle {seq} erases records without the warrant of one of the team's "
                                f"active managers ({len(left)} row{'s' if len(left) != 1 else ''} not covered) "
                                "and was not applied.")
        waiting = left


_NOT_A_TABLE = object()


def _held_row(conn, wire: dict, tables: set[str]):
    """The row a mark names as this computer holds it, None if it holds none."""
    table, key = wire.get("t"), wire.get("k")
    if table not in tables or not isinstance(key, list):
        return _NOT_A_TABLE
    pk = primary_key(conn, table)
    if len(pk) != len(key):
        return _NOT_A_TABLE
    cur = conn.execute(f"SELECT * FROM {table} WHERE {' AND '.join(f'{c} = ?' for c in pk)}", key)
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row, strict=True))
