"""Change-capture triggers for the team vault (docs/sync.md §7).

The triggers are generated from the schema, not listed by hand, so a table added by a later
migration is captured with no extra work: `install_triggers` runs after every migration and
only touches triggers whose SQL changed. Local-only tables are named here, once.
"""

import re
import threading
from contextlib import contextmanager

# Derived or per-computer data: never replicated. Everything else that is a table is.
LOCAL_ONLY = frozenset({
    "audit_event",        # travels in its own bundle section (docs/sync.md §9)
    "search_key",         # FTS support rows, rebuilt locally
    "reference_counter",  # per-computer numbering (docs/sync.md §11)
    "setting",            # this computer's settings
    "key_state",          # this computer's own data key generation (its key is its own)
    "draft",              # what one person was typing here when Confide locked
    "person_read",        # the bulk-read budget: who read whom here (docs/security.md)
    "volunteer_compartment",  # keys of this computer's volunteer compartments (docs/security.md)
})
LOCAL_ONLY_PREFIXES = ("sync_", "sqlite_")
TRIGGER_PREFIX = "capture_"
# Large bytes written once and never changed: a document's pieces (docs/sync.md §3). When such
# a row is made, the outbox notes only the bytes' length ({"$bytes": n}); the bundle reads the
# bytes from the row itself and carries them raw, so they are never turned into hex text,
# copied through the outbox, or wiped out of it again (secure delete) after the push.
BULK: dict[str, tuple[str, ...]] = {"document_chunk": ("data",)}
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def fts_tables(conn) -> set[str]:
    names = set()
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
        if sql and sql.upper().startswith("CREATE VIRTUAL TABLE"):
            names.add(name)
    return names


def replicated_tables(conn) -> list[str]:
    """Every table that holds records, in creation order."""
    fts = fts_tables(conn)
    names = []
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid"):
        if name in LOCAL_ONLY or name.startswith(LOCAL_ONLY_PREFIXES) or name in fts:
            continue
        # FTS5 keeps its data in shadow tables named after it (search_index_data, ...).
        if any(name.startswith(f"{v}_") for v in fts):
            continue
        names.append(name)
    return names


_INFO: dict[tuple[str, str], list[tuple]] = {}
_PASS = threading.local()


@contextmanager
def schema_pass():
    """Within one sync step the schema does not change: look each table up once."""
    _PASS.tables = {}
    try:
        yield
    finally:
        _PASS.tables = None


def _table_info(conn, table: str) -> list[tuple]:
    # PRAGMA table_info costs milliseconds under memory security; a table's CREATE text (which
    # ALTER TABLE rewrites) identifies its columns, so the answer is kept per text.
    memo = getattr(_PASS, "tables", None)
    if memo is not None and table in memo:
        return memo[table]
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    cache_key = (table, row[0] if row else "")
    info = _INFO.get(cache_key)
    if info is None:
        info = [tuple(r) for r in conn.execute(f"PRAGMA table_info({_check(table)})")]
        _INFO[cache_key] = info
    if memo is not None:
        memo[table] = info
    return info


def columns(conn, table: str) -> list[str]:
    return [row[1] for row in _table_info(conn, table)]


def primary_key(conn, table: str) -> list[str]:
    rows = sorted((row[5], row[1]) for row in _table_info(conn, table) if row[5] > 0)
    return [name for _, name in rows]


def _check(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a table or column name: {name!r}")
    return name


def column_types(conn, table: str) -> dict[str, str]:
    return {row[1]: (row[2] or "").upper() for row in _table_info(conn, table)}


def image_sql(cols: list[str], alias: str, types: dict[str, str] | None = None,
              bulk: tuple[str, ...] = ()) -> str:
    """json_object of every column; BLOBs as {"$hex": ...} because JSON cannot hold bytes.
    Only columns declared BLOB (or with no type) can hold bytes, so only they pay for the
    check: the trigger text is parsed at every open, slowly under memory security. Columns
    in `bulk` give only their length, {"$bytes": n} (see BULK)."""
    parts = []
    for col in cols:
        ref = f"{alias}.{_check(col)}"
        declared = (types or {}).get(col, "")
        if col in bulk:
            parts.append(f"'{col}', json_object('$bytes', length({ref}))")
        elif types is None or declared in ("", "BLOB"):
            parts.append(f"'{col}', iif(typeof({ref}) = 'blob', json_object('$hex', hex({ref})), {ref})")
        else:
            parts.append(f"'{col}', {ref}")
    return "json_object(" + ", ".join(parts) + ")"


def key_sql(pk: list[str], alias: str) -> str:
    return "json_array(" + ", ".join(f"{alias}.{_check(c)}" for c in pk) + ")"


def trigger_sql(conn, table: str) -> dict[str, str]:
    cols, pk, types = columns(conn, table), primary_key(conn, table), column_types(conn, table)
    if not pk:
        return {}
    # The flag is 1 only on a team vault and never while remote changes are being applied.
    when = "WHEN (SELECT capture FROM sync_flag) = 1"
    ins = ("INSERT INTO sync_outbox (tbl, pk, op, before_img, after_img, at) VALUES "
           "('{t}', {k}, '{op}', {b}, {a}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")
    out = {}
    # Only a new row's image leaves its bulk bytes out: an edit's or a delete's before image
    # is the base a merge compares with, and is kept whole.
    for op, event, k, b, a in (
            ("i", "INSERT", key_sql(pk, "NEW"), "NULL", image_sql(cols, "NEW", types, BULK.get(table, ()))),
            ("u", "UPDATE", key_sql(pk, "NEW"), image_sql(cols, "OLD", types), image_sql(cols, "NEW", types)),
            ("d", "DELETE", key_sql(pk, "OLD"), image_sql(cols, "OLD", types), "NULL")):
        name = f"{TRIGGER_PREFIX}{table}_{op}"
        body = ins.format(t=table, k=k, op=op, b=b, a=a)
        out[name] = f"CREATE TRIGGER {name} AFTER {event} ON {table} {when} BEGIN {body}; END"
    return out


def bulk_size_sql() -> str:
    """SQL for the bytes a sync_outbox row's bulk columns stand for (0 if none)."""
    parts = [f"coalesce(CASE WHEN tbl = '{_check(t)}' THEN json_extract(after_img, '$.{_check(c)}.\"$bytes\"') END, 0)"
             for t, cols in BULK.items() for c in cols]
    return " + ".join(parts) or "0"


def in_team(conn) -> bool:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sync_state'").fetchone() is None:
        return False
    return conn.execute("SELECT 1 FROM sync_state WHERE key = 'team_id'").fetchone() is not None


def install_triggers(conn, force: bool = False) -> int:
    """Create or refresh the capture triggers; drop those of tables that went away.
    Returns how many triggers were (re)created. Call inside a transaction, after migrating.

    Only a team vault gets them (unless `force`): with SQLCipher's memory security on, each
    CREATE TRIGGER re-parses the schema slowly (about 30 ms each), which a one-desk vault
    should not pay for, and a vault's records before it joins a team travel in a snapshot."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sync_outbox'").fetchone() is None:
        return 0
    if not force and not in_team(conn):
        return 0
    wanted: dict[str, str] = {}
    for table in replicated_tables(conn):
        wanted.update(trigger_sql(conn, table))
    existing = {name: sql for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
        (TRIGGER_PREFIX + "%",))}
    changed = 0
    for name in existing.keys() - wanted.keys():
        conn.execute(f"DROP TRIGGER {_check(name)}")
    for name, sql in wanted.items():
        if existing.get(name) == sql:
            continue
        if name in existing:
            conn.execute(f"DROP TRIGGER {_check(name)}")
        conn.execute(sql)
        changed += 1
    return changed
