"""What the merge needs to know about the schema, read from the schema itself (PRAGMA
foreign_key_list, index_list, index_info), never listed by hand: a table added by a later
migration is covered with no extra work (docs/sync.md §8.2, §8.4, §11)."""

import re
from dataclasses import dataclass, field

from app.storage.capture import columns, primary_key, replicated_tables

_WHERE = re.compile(r"\bWHERE\b(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class UniqueKey:
    """A unique index other than the primary key; `where` is a partial index's condition."""

    table: str
    name: str
    columns: tuple
    where: str | None = None


@dataclass(frozen=True)
class SetField:
    """Child rows that together form one value of their parent: a table whose every column is
    in its primary key, part of which names the parent (an enquiry's topics). Two computers
    changing the set differently is one conflict on one field, not a silent union."""

    table: str
    parent: str
    parent_columns: tuple       # the child's columns naming the parent
    parent_key: tuple           # the parent's columns they name
    value_columns: tuple        # the rest of the child's key: one member of the set
    pk: tuple                   # the child's primary key, in order

    def member(self, key: list) -> object:
        """The set member a child row's primary key holds (one value, or a list of values)."""
        by_name = dict(zip(self.pk, key, strict=True))
        values = [by_name[c] for c in self.value_columns]
        return values[0] if len(values) == 1 else values

    def parent_of(self, key: list) -> list:
        by_name = dict(zip(self.pk, key, strict=True))
        return [by_name[c] for c in self.parent_columns]

    def child_key(self, parent: list, member) -> list:
        values = dict(zip(self.parent_columns, parent, strict=True))
        values.update(zip(self.value_columns, [member] if len(self.value_columns) == 1 else member,
                          strict=True))
        return [values[c] for c in self.pk]


@dataclass(frozen=True)
class HistoryTable:
    """Earlier versions of a record (note_revision, enquiry_revision): a table naming its parent
    with columns `version`, `written_at`, `written_by` and copies of the parent's data columns.
    A set field of the parent is kept as JSON in the column named after its member plural
    (enquiry_topic's `topic` -> `topics`)."""

    table: str
    parent: str
    parent_column: str
    copied: tuple
    sets: dict = field(default_factory=dict)    # history column -> SetField


@dataclass(frozen=True)
class Schema:
    unique: dict        # table -> [UniqueKey]
    sets: dict          # child table -> SetField
    history: dict       # parent table -> HistoryTable

    def sets_of(self, parent: str) -> list[SetField]:
        return [s for s in self.sets.values() if s.parent == parent]


_CACHE: dict[tuple, Schema] = {}


def schema(conn) -> Schema:
    """May raise: nothing beyond the database's own errors."""
    # Asked once per bundle: reading sqlite_master's text each time would cost more than the
    # merge under SQLCipher's memory security. The schema cookie moves with every change to it.
    stamp = (conn.execute("PRAGMA user_version").fetchone()[0], conn.execute("PRAGMA schema_version").fetchone()[0],
             conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    found = _CACHE.get(stamp)
    if found is None:
        text = conn.execute("SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index'")
        found = _CACHE[stamp] = _read(conn, dict(text))
    return found


def _read(conn, index_sql: dict) -> Schema:
    unique, sets, fks = {}, {}, {}
    tables = replicated_tables(conn)
    for table in tables:
        fks[table] = _foreign_keys(conn, table)
        unique[table] = _unique_keys(conn, table, index_sql)
        pk = primary_key(conn, table)
        if set(columns(conn, table)) != set(pk):
            continue
        for parent, pairs in fks[table].items():
            mine = tuple(a for a, _ in pairs)
            if set(mine) < set(pk):
                value = tuple(c for c in pk if c not in mine)
                sets[table] = SetField(table, parent, mine, tuple(b for _, b in pairs), value,
                                       tuple(pk))
    history = {}
    for table in tables:
        cols = set(columns(conn, table))
        if not {"version", "written_at", "written_by"} <= cols:
            continue
        for parent, pairs in fks[table].items():
            if len(pairs) != 1 or parent == table:
                continue
            parent_cols = set(columns(conn, parent))
            copied = tuple(c for c in columns(conn, table)
                           if c in parent_cols and c not in {"id", "version"} | {pairs[0][0]})
            by_plural = {f"{s.value_columns[0]}s": s for s in sets.values()
                         if s.parent == parent and len(s.value_columns) == 1}
            kept = {c: by_plural[c] for c in cols if c in by_plural}
            if copied:
                history[parent] = HistoryTable(table, parent, pairs[0][0], copied, kept)
    return Schema(unique, sets, history)


def _foreign_keys(conn, table: str) -> dict[str, list[tuple[str, str]]]:
    out: dict[int, tuple[str, list]] = {}
    for row in conn.execute(f"PRAGMA foreign_key_list({table})"):
        out.setdefault(row[0], (row[2], []))[1].append((row[3], row[4]))
    by_parent = {}
    for parent, pairs in out.values():
        by_parent.setdefault(parent, pairs)
    return by_parent


def _unique_keys(conn, table: str, index_sql: dict) -> list[UniqueKey]:
    keys = []
    for row in conn.execute(f"PRAGMA index_list({table})"):
        name, is_unique, origin, partial = row[1], row[2], row[3], row[4]
        if not is_unique or origin == "pk":
            continue
        cols = tuple(r[2] for r in conn.execute(f"PRAGMA index_info({name})"))
        where = None
        if partial:
            match = _WHERE.search(index_sql.get(name, ""))
            where = match.group(1).strip().rstrip(";") if match else None
        keys.append(UniqueKey(table, name, cols, where))
    return keys
