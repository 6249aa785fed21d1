"""What must hold after every step, and after everyone has synced (docs/sync.md §16)."""

from app.services.team.replica_check import digest
from app.services.team.replica_check.receive import differing_rows, differing_tables


def _count(w, c, text: str) -> int:
    """How many notes on `c` carry a marker's text. One grouped query per computer and
    state, not one scan of the note table per marker: per-marker scans made every step cost
    markers × notes, and a 10,000-step run slow down as it went."""
    state = (id(c.conn), *_state(c))         # a restarted computer has a new connection
    held = w.marker_counts.get(c.index)
    if held is None or held[0] != state:
        counts = dict(c.conn.execute("SELECT body, count(*) FROM note WHERE body LIKE 'marker-%' GROUP BY body"))
        w.marker_counts[c.index] = held = (state, counts)
    return held[1].get(text, 0)


def _holds_case(c, case_id: str) -> bool:
    return c.conn.execute("SELECT 1 FROM casefile WHERE id = ?", (case_id,)).fetchone() is not None


def _content(c, rows_for: list[str] | None = None) -> dict:
    tables, held = digest.digests(c.conn, c.laptop)
    content = {"partial": c.laptop, "tables": tables, "held": held}
    if rows_for:
        content["rows"] = {t: digest.row_hashes(c.conn, t, set(held[t]) if t in held else None) for t in rows_for}
        content["scope"] = {t: "keys" if t in held else "all" for t in rows_for}
    return content


def _state(c) -> tuple:
    """What a replica's digest depends on: its place in the log and its writes (every write
    goes through this one connection)."""
    return c.applied(), c.conn.total_changes


def _differing(w, ref, other, present) -> list[str]:
    # The same two states compared again give the same answer: steps mostly move one computer.
    key = (ref.index, other.index, _state(ref), _state(other))
    if key not in w.compared:
        w.compared[key] = differing_tables(ref.conn, _content(other), present, ref.laptop)
    return w.compared[key]


def digest_problems(w, group) -> list[str]:
    """Computers standing at the same entry describe the same log state; the first office
    among them (or the first computer) is the reference."""
    if len(group) < 2:
        return []
    group = sorted(group, key=lambda c: c.laptop)
    ref, out = group[0], []
    present = set(digest.tables(ref.conn))
    for other in group[1:]:
        differ = _differing(w, ref, other, present)
        if differ:
            rows = differing_rows(ref.conn, _content(other, differ), present, ref.laptop)
            named = {t: [f"{k} {why.replace('this computer', ref.name).replace('the other computer', other.name)}"
                         for k, why in r[:4]] for t, r in rows.items()}
            out.append(f"digest of {other.name} differs from {ref.name} at entry {ref.applied()}: {named or differ}")
    return out


def after_step(w) -> list[str]:
    out = []
    for c in w.computers:
        if c.conn.in_transaction:
            out.append(f"{c.name} was left inside a transaction")
    for m in w.markers.values():
        c = w.computers[m.by]
        if m.accepted and (not c.laptop or _holds_case(c, m.case_id)) and _count(w, c, m.text) != 1:
            out.append(f"lost: {m.text} (accepted from {c.name} at step {m.step}) is held {_count(w, c, m.text)} "
                       f"times on {c.name}")
    by_entry = {}
    for c in w.computers:
        by_entry.setdefault(c.applied(), []).append(c)
    for group in by_entry.values():
        out += digest_problems(w, group)
    return out


def after_settling(w) -> list[str]:
    out = []
    heads = {c.name: c.applied() for c in w.computers}
    if len(set(heads.values())) != 1:
        out.append(f"not converged: computers stand at different entries after syncing: {heads}")
    for m in w.markers.values():
        if not m.accepted:
            continue
        for c in w.computers:
            if c.laptop and not _holds_case(c, m.case_id):
                continue
            n = _count(w, c, m.text)
            if n != 1:
                out.append(f"lost: {m.text} (accepted from {w.computers[m.by].name} at step {m.step}) is held "
                           f"{n} times on {c.name}")
    for (table, record_id, name), (owner, value) in w.owned.items():
        for c in w.computers:
            row = c.conn.execute(f"SELECT {name} FROM {table} WHERE id = ?", (record_id,)).fetchone()
            if row is not None and row[0] != value:
                out.append(f"lost: {table} {record_id[-6:]} {name} = {value!r} written by "
                           f"{w.computers[owner].name} reads {row[0]!r} on {c.name}")
    for step, name, reason in w.refusals:
        out.append(f"refused on {name} at step {step}: {reason}")
    w.refusals.clear()
    for step, name, reason in w.blocked:
        out.append(f"error: sync blocked on {name} at step {step}: {reason}")
    w.blocked.clear()
    out += digest_problems(w, list(w.computers))
    return out
