"""The rows a snapshot carries, as a compressed stream of pages (docs/sync.md §10).

A snapshot of 50,000 cases holds about 1.4 million rows. Row images as Python dicts (the
first format) cost minutes and gigabytes; here each row is a JSON array made by SQLite
itself, pages of rows are joined as text, and one zlib stream holds them all:

    line 1           {"v": 2, "devices": [[device_id, last_dseq, last_hash, last_seq], ...]}
    per table        {"t": table, "c": [columns], "b": [indexes of columns that may hold BLOBs]}
    then             [[row], [row], ...]          (up to PAGE_ROWS rows per line)

JSON never holds a raw newline, so a line is always a whole item. The joiner inserts each
page with one executemany into tables emptied of rows, indexes and capture triggers, and
builds the indexes once at the end.
"""

import json
import zlib

from app.services.team.bundle import BundleRefused
from app.storage import capture as triggers
from app.storage.capture import column_types, columns, replicated_tables

PAGE_ROWS = 5000
_CHUNK = 1 << 20


def _row_sql(table: str, cols: list[str], types: dict[str, str]) -> tuple[str, list[int]]:
    parts, blobs = [], []
    for n, col in enumerate(cols):
        if types.get(col, "") in ("", "BLOB"):
            blobs.append(n)
            parts.append(f"iif(typeof({col}) = 'blob', json_object('$hex', hex({col})), {col})")
        else:
            parts.append(col)
    return f"SELECT json_array({', '.join(parts)}) FROM {table} ORDER BY rowid", blobs


def dump(conn) -> bytes:
    """Every replicated table and each known computer's place in its chain, compressed.
    Reads only: call inside a read transaction so the pages are one consistent state."""
    z = zlib.compressobj(6)
    out = []
    devices = [list(r) for r in conn.execute(
        "SELECT device_id, last_dseq, last_hash, last_seq FROM sync_device ORDER BY device_id")]
    out.append(z.compress(json.dumps({"v": 2, "devices": devices}).encode() + b"\n"))
    for table in replicated_tables(conn):
        cols = columns(conn, table)
        sql, blobs = _row_sql(table, cols, column_types(conn, table))
        out.append(z.compress(json.dumps({"t": table, "c": cols, "b": blobs}).encode() + b"\n"))
        cursor = conn.execute(sql)
        while page := cursor.fetchmany(PAGE_ROWS):
            out.append(z.compress(("[" + ",".join(r[0] for r in page) + "]\n").encode()))
    out.append(z.flush())
    return b"".join(out)


def _lines(compressed: bytes):
    z = zlib.decompressobj()
    rest = b""
    for start in range(0, len(compressed), _CHUNK):
        data = rest + z.decompress(compressed[start:start + _CHUNK])
        *whole, rest = data.split(b"\n")
        yield from whole
    data = rest + z.flush()
    if not z.eof:
        raise ValueError("the row stream ends early")
    yield from (line for line in data.split(b"\n") if line)


def _decode_blobs(rows: list[list], blobs: list[int]) -> list[list]:
    for row in rows:
        for n in blobs:
            v = row[n]
            if isinstance(v, dict):
                row[n] = bytes.fromhex(v["$hex"])
    return rows


def _indexes(conn, tables: list[str]) -> list[tuple[str, str]]:
    marks = ",".join("?" for _ in tables)
    return [(r[0], r[1]) for r in conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
        tables)]


def load(conn, compressed: bytes) -> list[list]:
    """Replace every replicated table's rows with the stream's. Call inside one transaction
    with capture off: on any failure the caller rolls back and nothing has changed.
    Returns the computers' chain positions (the caller stores them).

    May raise: BundleRefused (the stream does not fit this computer's schema).
    """
    tables = replicated_tables(conn)
    known = set(tables)
    indexes = _indexes(conn, tables)
    # Rows arrive in bulk: building each index once at the end is several times faster than
    # keeping it up to date row by row, and capture triggers would only test the flag.
    saved_triggers = [r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?", (triggers.TRIGGER_PREFIX + "%",))]
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
                                (triggers.TRIGGER_PREFIX + "%",)).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    for table in reversed(tables):
        conn.execute(f"DELETE FROM {table}")
    lines = _lines(compressed)
    first = json.loads(next(lines))
    if first.get("v") != 2:
        raise BundleRefused("The hub's snapshot is in a form this version of Confide cannot read.",
                            deterministic=False)
    insert, blobs, keep = None, [], None
    for line in lines:
        if line[:1] == b"{":
            head = json.loads(line)
            table, cols = head["t"], head["c"]
            if table not in known:
                raise BundleRefused(f"The hub's snapshot holds a table ({table}) this computer does not "
                                    "have. Update Confide on this computer, then join again.", deterministic=False)
            here = set(columns(conn, table))
            keep = [n for n, c in enumerate(cols) if c in here]
            blobs = [keep.index(n) for n in head["b"] if n in keep]
            names = [cols[n] for n in keep]
            insert = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
            full = len(keep) == len(cols)
            continue
        rows = json.loads(line)
        if not full:
            rows = [[r[n] for n in keep] for r in rows]
        conn.executemany(insert, _decode_blobs(rows, blobs) if blobs else rows)
    for _, sql in indexes:
        conn.execute(sql)
    for sql in saved_triggers:
        conn.execute(sql)
    return first["devices"]
