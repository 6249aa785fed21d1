"""Set-valued fields stored as child rows (docs/sync.md §8.2): an enquiry's topics are one
value of the enquiry, so two computers correcting them differently is a conflict on that one
field, decided by the same pure rule as any other field (decide.py)."""

import json
from dataclasses import dataclass, field

from app.services.team.capture import Change
from app.services.team.merge import decide as rule
from app.services.team.merge.schema import SetField, schema


def key_json(key: list) -> str:
    # Must equal what SQLite's json_array() writes in the triggers (apply.key_json).
    return json.dumps(key, separators=(",", ":"), ensure_ascii=False)


@dataclass
class Group:
    """Every change one bundle makes to one parent's set, met where its first change stands."""

    set_field: SetField
    parent: list
    changes: list = field(default_factory=list)
    applied: bool = False

    @property
    def held_key(self) -> tuple[str, str]:
        return (self.set_field.table, key_json(self.parent))


def contested(conn, wires: list[dict], pending_keys: set, held_keys: set) -> dict[tuple[str, str], Group]:
    """The sets a bundle changes that this computer has also changed (pending child rows) or
    holds in a conflict: those go through the merge as one field; the rest apply row by row."""
    sets = schema(conn).sets
    if not sets:
        return {}
    mine = {(t, key_json(sets[t].parent_of(json.loads(kj)))) for t, kj in pending_keys if t in sets}
    groups: dict[tuple[str, str], Group] = {}
    for wire in wires:
        table = wire["t"]
        if table not in sets:
            continue
        parent = sets[table].parent_of(list(wire["k"]))
        held = (table, key_json(parent))
        if held in mine or held in held_keys:
            groups.setdefault(held, Group(sets[table], parent)).changes.append(Change.from_wire(wire))
    return groups


def parent_key_json(conn, change: Change) -> str | None:
    """The key of the parent whose set a change to a child row belongs to (None: not a set)."""
    sf = schema(conn).sets.get(change.table)
    return key_json(sf.parent_of(change.key)) if sf else None


def members(conn, sf: SetField, parent: list) -> set:
    where = " AND ".join(f"{c} = ?" for c in sf.parent_columns)
    return {hashable(sf.member(list(r))) for r in conn.execute(
        f"SELECT {', '.join(sf.pk)} FROM {sf.table} WHERE {where}", parent)}


def hashable(member):
    return tuple(member) if isinstance(member, list) else member


def listed(values: set) -> list:
    return sorted((list(v) if isinstance(v, tuple) else v for v in values), key=json.dumps)


def pending_members(conn, sf: SetField, parent: list) -> dict:
    """This computer's pending child rows of the parent: member -> did it exist at their base."""
    out = {}
    for kj, before in conn.execute(
            "SELECT o.pk, o.before_img FROM sync_outbox o JOIN (SELECT min(seq) AS s FROM sync_outbox "
            "WHERE tbl = ? GROUP BY pk) f ON o.seq = f.s", (sf.table,)):
        key = json.loads(kj)
        if sf.parent_of(key) == parent:
            out[hashable(sf.member(key))] = before is not None
    return out


def images(conn, group: Group) -> tuple[dict, dict, dict]:
    """(base, mine, theirs) of the set as one-field images: the field is named by the member
    column (enquiry_topic's `topic`), beside the parent's key."""
    sf, parent = group.set_field, group.parent
    now = members(conn, sf, parent)
    pend = pending_members(conn, sf, parent)
    base = {m for m in now if m not in pend or pend[m]} | {m for m, existed in pend.items() if existed}
    theirs = set(base)
    for ch in group.changes:
        m = hashable(sf.member(ch.key))
        if ch.after is None:
            theirs.discard(m)
        else:
            theirs.add(m)
    return tuple(image(sf, parent, s) for s in (base, now, theirs))


def image(sf: SetField, parent: list, values) -> dict:
    return {**dict(zip(sf.parent_columns, parent, strict=True)), field_name(sf): listed(set(values))}


def field_name(sf: SetField) -> str:
    return sf.value_columns[0] if len(sf.value_columns) == 1 else sf.table


def decide(conn, group: Group) -> tuple[rule.Decision, dict, dict, dict]:
    base, mine, theirs = images(conn, group)
    return rule.decide(base, mine, theirs), base, mine, theirs


def write(conn, sf: SetField, parent: list, values) -> None:
    """Make the parent's child rows equal the set `values` (a list of members)."""
    want = {hashable(v) for v in values}
    now = members(conn, sf, parent)
    pk = " AND ".join(f"{c} = ?" for c in sf.pk)
    for gone in now - want:
        conn.execute(f"DELETE FROM {sf.table} WHERE {pk}", sf.child_key(parent, listed({gone})[0]))
    for new in want - now:
        key = sf.child_key(parent, listed({new})[0])
        conn.execute(f"INSERT INTO {sf.table} ({', '.join(sf.pk)}) VALUES ({', '.join('?' for _ in key)})", key)


def rebase_pending(conn, sf: SetField, parent: list, theirs: set) -> None:
    """My pending child rows now start from their set: a row whose state here equals theirs
    has nothing left to push."""
    now = members(conn, sf, parent)
    for member in pending_members(conn, sf, parent):
        key = sf.child_key(parent, listed({member})[0])
        kj = key_json(key)
        if (member in now) == (member in theirs):
            conn.execute("DELETE FROM sync_outbox WHERE tbl = ? AND pk = ?", (sf.table, kj))
        else:
            before = json.dumps(dict(zip(sf.pk, key, strict=True))) if member in theirs else None
            conn.execute("UPDATE sync_outbox SET before_img = ? WHERE seq = (SELECT min(seq) FROM "
                         "sync_outbox WHERE tbl = ? AND pk = ?)", (before, sf.table, kj))


def drop_pending(conn, sf: SetField, parent: list) -> None:
    for member in pending_members(conn, sf, parent):
        conn.execute("DELETE FROM sync_outbox WHERE tbl = ? AND pk = ?",
                     (sf.table, key_json(sf.child_key(parent, listed({member})[0]))))


def held_rows(conn, outbox_keys, held_keys: set) -> set[tuple[str, str]]:
    """The outbox rows not to push: a held row's, and a held set's child rows."""
    sets = schema(conn).sets
    out = set()
    for table, kj in outbox_keys:
        if (table, kj) in held_keys:
            out.add((table, kj))
        elif table in sets and (table, key_json(sets[table].parent_of(json.loads(kj)))) in held_keys:
            out.add((table, kj))
    return out
