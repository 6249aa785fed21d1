"""What a replica holds, as the log left it, reduced to hashes (docs/sync.md §17).

A row's hash is SHA-256 of its table name and its image as SQLite's json_object writes it
(every column in schema order, BLOBs as hex: the image the capture triggers write), so no
row is parsed in Python: a replica of a million rows is digested in seconds, not minutes. A table's digest is the row count and
the sum of its rows' hashes modulo 2^256, so it does not depend on the order rows are read
in. A row with changes made here and not yet on the hub counts as it was before them (the
first before image in the outbox; absent if it was made here), so a computer with pending
work still describes exactly the log's state at its last applied entry.
"""

import hashlib
import json

from app.services.team import state
from app.services.team.capture import decode_value
from app.services.team.laptop import schema as laptop_schema
from app.storage.capture import (
    column_types,
    columns,
    image_sql,
    key_sql,
    primary_key,
    replicated_tables,
)

MODULUS = 1 << 256
# An erased row's pending delete carries, in place of its before image, only its key, the
# erasure mark and the hash of the image the log left (docs/lifecycle.md): what the digest needs.
ERASED, BASE_HASH = "$erased", "$base"


def row_hash(table: str, image_text: str) -> str:
    return hashlib.sha256(table.encode() + b"\0" + image_text.encode()).hexdigest()


def _sqlite_form(conn, table: str, image_text: str) -> str:
    """An outbox image (perhaps written by Python's json.dumps after a merge) in the form
    SQLite writes for the same values, so a pending row hashes like a stored one."""
    image = json.loads(image_text)
    cols = columns(conn, table)
    values = [decode_value(image.get(c)) for c in cols]
    row = ", ".join(f"? AS {c}" for c in cols)
    sql = f"SELECT {image_sql(cols, 'r', column_types(conn, table))} FROM (SELECT {row}) AS r"
    return conn.execute(sql, values).fetchone()[0]


def _pending_bases(conn) -> dict[str, dict[str, str | None]]:
    """Table -> key -> the first before image of each row with pending changes (None: made here)."""
    bases: dict[str, dict[str, str | None]] = {}
    for table, kj, before in conn.execute("SELECT tbl, pk, before_img FROM sync_outbox ORDER BY seq"):
        bases.setdefault(table, {}).setdefault(kj, before)
    return bases


def base_hash(conn, table: str, before_text: str) -> str:
    """The hash of a pending row as the log left it (its first before image)."""
    return row_hash(table, _sqlite_form(conn, table, before_text))


def _erased_hash(before: str) -> str | None:
    if ERASED not in before:
        return None
    image = json.loads(before)
    return image.get(BASE_HASH) if image.get(ERASED) is True else None


def _log_hashes(conn, table: str, bases: dict[str, str | None]) -> dict[str, str]:
    """Key (JSON array text, as the outbox writes it) -> hash of every row as the log left it."""
    cols, pk = columns(conn, table), primary_key(conn, table)
    hashes = {kj: row_hash(table, img) for kj, img in conn.execute(
        f"SELECT {key_sql(pk, table)}, {image_sql(cols, table, column_types(conn, table))} FROM {table}")}
    for kj, before in bases.items():
        if before is None:
            hashes.pop(kj, None)
        else:
            erased = _erased_hash(before)
            hashes[kj] = erased if erased is not None else base_hash(conn, table, before)
    return hashes


def row_hashes(conn, table: str, keys: set[str] | None = None, bases: dict | None = None) -> dict[str, str]:
    """Key -> row hash, limited to `keys` when given."""
    if bases is None:
        bases = _pending_bases(conn)
    hashes = _log_hashes(conn, table, bases.get(table, {}))
    return {kj: h for kj, h in hashes.items() if keys is None or kj in keys}


def table_digest(hashes: dict[str, str]) -> list:
    total = sum(int(h, 16) for h in hashes.values()) % MODULUS
    return [len(hashes), f"{total:064x}"]


def tables(conn) -> list[str]:
    return replicated_tables(conn)


def partial(conn) -> bool:
    """A laptop (laptop.replica.is_laptop; read here directly, since that module reaches the
    snapshot code, which replays control entries, which call this package)."""
    return state.get(conn, "replica_kind") == "laptop"


def casework(conn, table: str) -> bool:
    """A table a laptop holds only in part (its cases' rows), from the schema's foreign keys."""
    return table in laptop_schema.casework(conn).tables


def digests(conn, partial: bool) -> tuple[dict[str, list], dict[str, list[str]]]:
    """Per-table digests of this replica, and (a laptop only, `partial`) the keys of the
    casework rows it holds, so an office computer can digest the same rows."""
    out, held = {}, {}
    bases = _pending_bases(conn)
    for table in tables(conn):
        hashes = row_hashes(conn, table, bases=bases)
        out[table] = table_digest(hashes)
        if partial and casework(conn, table):
            held[table] = sorted(hashes)
    return out, held
