"""Read what the capture triggers wrote, and write rows from images (docs/sync.md §7, §8).

The triggers themselves are generated in app/storage/capture.py (storage must not import
services, and migrations refresh them).
"""

import json
from dataclasses import dataclass

from app.storage import capture as triggers
from app.storage.capture import columns, primary_key, replicated_tables

# Bookkeeping columns: changed by every write, so never compared when merging. Only on
# tables with the record stamps of docs/architecture.md, "Data rules": note_revision's "version" is data.
META = frozenset({"version", "updated_at", "updated_by"})


def meta_of(columns_or_image) -> frozenset:
    return META if "updated_at" in columns_or_image else frozenset()
# Activity stamps, not edits (StaffRepo.touch): when two computers both moved one, the later
# time is right and nobody needs to be asked.
LATEST_WINS = {"staff": frozenset({"last_unlock_at", "passphrase_changed_at"})}


@dataclass
class Change:
    table: str
    key: list
    before: dict | None
    after: dict | None
    by: str | None = None
    at: str | None = None

    def as_wire(self) -> dict:
        return {"t": self.table, "k": self.key, "b": self.before, "a": self.after,
                "by": self.by, "at": self.at}

    @classmethod
    def from_wire(cls, d: dict) -> "Change":
        return cls(d["t"], list(d["k"]), d.get("b"), d.get("a"), d.get("by"), d.get("at"))


def _as_hex(value):
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$hex": bytes(value).hex()}
    raise TypeError(f"{type(value).__name__} is not a column value")


def image_json(image: dict | None) -> str | None:
    """An image as JSON text to keep (a pending base, a conflict's side): bytes read from a
    bundle become {"$hex": ...}, the form the capture triggers write."""
    return json.dumps(image, default=_as_hex) if image is not None else None


def decode_value(value):
    if isinstance(value, dict) and set(value) == {"$hex"}:
        return bytes.fromhex(value["$hex"])
    return value


def current_image(conn, table: str, key: list) -> dict | None:
    pk = primary_key(conn, table)
    where = " AND ".join(f"{c} = ?" for c in pk)
    row = conn.execute(f"SELECT {triggers.image_sql(columns(conn, table), table)} FROM {table} "
                       f"WHERE {where}", key).fetchone()
    return json.loads(row[0]) if row else None


def changed_fields(before: dict | None, after: dict | None) -> set[str]:
    """Data columns that differ; an insert or delete changes every column."""
    if before is None or after is None:
        image = before or after or {}
        return set(image.keys()) - meta_of(image)
    meta = meta_of(after)
    return {k for k in set(before) | set(after) if k not in meta and before.get(k) != after.get(k)}


def pending_rows(conn, exclude_in_flight: bool = False) -> list[tuple[str, str, int]]:
    """(table, key json, first outbox seq) of every row with pending changes, in first-write order."""
    sql = "SELECT tbl, pk, min(seq) FROM sync_outbox"
    if exclude_in_flight:
        sql += " WHERE in_flight IS NULL"
    return [tuple(r) for r in conn.execute(sql + " GROUP BY tbl, pk ORDER BY min(seq)")]


def pending_count(conn) -> int:
    return conn.execute("SELECT count(*) FROM (SELECT 1 FROM sync_outbox GROUP BY tbl, pk)").fetchone()[0]


def base_image(conn, table: str, key_json: str) -> dict | None:
    row = conn.execute("SELECT before_img, op FROM sync_outbox WHERE tbl = ? AND pk = ? ORDER BY seq "
                       "LIMIT 1", (table, key_json)).fetchone()
    return json.loads(row[0]) if row and row[0] is not None else None


def set_base(conn, table: str, key_json: str, image: dict | None) -> None:
    conn.execute("UPDATE sync_outbox SET before_img = ? WHERE seq = (SELECT min(seq) FROM sync_outbox "
                 "WHERE tbl = ? AND pk = ?)", (image_json(image), table, key_json))


def drop_pending(conn, table: str, key_json: str) -> None:
    conn.execute("DELETE FROM sync_outbox WHERE tbl = ? AND pk = ?", (table, key_json))


def has_pending(conn, table: str, key_json: str) -> bool:
    return conn.execute("SELECT 1 FROM sync_outbox WHERE tbl = ? AND pk = ? LIMIT 1",
                        (table, key_json)).fetchone() is not None


def cutoff(conn, held: set, budget: int) -> int | None:
    """Where a bundle of at most about `budget` bytes of images ends (docs/sync.md §8.3): the
    first outbox seq of the first row, in first-write order, that no longer fits, or None
    when everything fits. A row is never split, and the first always goes, however large."""
    total = 0
    for table, key_json, first, size in conn.execute(
            "SELECT tbl, pk, min(seq), coalesce(max(octet_length(after_img)), 0) + coalesce(max(octet_length(before_img)), 0) "
            f"+ max({triggers.bulk_size_sql()}) FROM sync_outbox GROUP BY tbl, pk ORDER BY min(seq)"):
        if (table, key_json) in held:
            continue
        if total and total + size > budget:
            return first
        total += size
    return None


def collect(conn, by: str, before_seq: int | None = None) -> list[Change]:
    """Coalesce the outbox per row: base = first before image, after = the row now. With
    `before_seq`, only rows first written before it (one bounded piece, `cutoff`)."""
    tables = replicated_set(conn)
    having = "" if before_seq is None else f" HAVING min(seq) < {int(before_seq)}"
    firsts = conn.execute(
        "SELECT o.tbl, o.pk, o.before_img FROM sync_outbox o JOIN (SELECT min(seq) AS s FROM sync_outbox "
        f"GROUP BY tbl, pk{having}) f ON o.seq = f.s ORDER BY o.seq").fetchall()
    wanted: dict[str, list[str]] = {}
    for table, key_json, _ in firsts:
        if table in tables:
            wanted.setdefault(table, []).append(key_json)
    now = _current_images(conn, wanted)
    out = []
    for table, key_json, before_text in firsts:
        before = json.loads(before_text) if before_text is not None else None
        after = now.get((table, key_json))
        if before == after:
            continue
        out.append(Change(table, json.loads(key_json), before, after, by))
    return out


def _current_images(conn, wanted: dict[str, list[str]]) -> dict[tuple[str, str], dict]:
    """The rows as they are now, read in chunks rather than one query per row."""
    found = {}
    for table, key_jsons in wanted.items():
        pk = primary_key(conn, table)
        if len(pk) != 1:
            for kj in key_jsons:
                image = current_image(conn, table, json.loads(kj))
                if image is not None:
                    found[(table, kj)] = image
            continue
        # Bulk bytes (triggers.BULK) are read as themselves beside the image, never as hex.
        bulk = triggers.BULK.get(table, ())
        select = (f"SELECT {', '.join([triggers.image_sql(columns(conn, table), table, bulk=bulk), *bulk])} "
                  f"FROM {table} WHERE {pk[0]} IN ")
        by_value = {json.loads(kj)[0]: kj for kj in key_jsons}
        values = list(by_value)
        for i in range(0, len(values), 500 if not bulk else 8):
            chunk = values[i:i + (500 if not bulk else 8)]
            for text, *raw in conn.execute(select + f"({', '.join('?' for _ in chunk)})", chunk):
                image = json.loads(text)
                image.update(zip(bulk, raw, strict=True))
                found[(table, by_value[image[pk[0]]])] = image
    return found


def pending_keys(conn) -> set[tuple[str, str]]:
    return {(r[0], r[1]) for r in conn.execute("SELECT DISTINCT tbl, pk FROM sync_outbox")}


def replicated_set(conn) -> frozenset:
    return frozenset(replicated_tables(conn))


def write_image(conn, table: str, key: list, image: dict | None) -> None:
    """Make the row equal to `image` (None: delete it). Columns this schema lacks are ignored."""
    pk = primary_key(conn, table)
    where = " AND ".join(f"{c} = ?" for c in pk)
    if image is None:
        conn.execute(f"DELETE FROM {table} WHERE {where}", key)
        return
    cols = [c for c in columns(conn, table) if c in image]
    values = [decode_value(image[c]) for c in cols]
    sets = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in pk) or f"{pk[0]} = excluded.{pk[0]}"
    conn.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
                 f"ON CONFLICT({', '.join(pk)}) DO UPDATE SET {sets}", values)


def write_changes(conn, table: str, changes: list[Change]) -> None:
    """Make each row equal to its change's after image: an edit (before and after both given,
    on a table with record stamps) writes only the columns it changed, guarded by the version
    it was made from, which touches fewer indexes (about 3x cheaper under SQLCipher than the
    full upsert); anything else, or a row that is not at that version here, gets the full
    after image. May raise: IntegrityError (a unique key taken; nothing of the run is kept
    by the caller then)."""
    pk = primary_key(conn, table)
    have = set(columns(conn, table))
    full: list[dict] = []
    groups: dict[tuple[str, ...], list[Change]] = {}
    for ch in changes:
        before, after = ch.before, ch.after
        if (before is None or len(pk) != 1 or not meta_of(after) or "version" not in have
                or not isinstance(before.get("version"), int) or set(before) != set(after)):
            full.append(after)
            continue
        changed = tuple(sorted(c for c in after if c in have and c not in pk and before[c] != after[c]))
        if not changed:
            full.append(after)
            continue
        groups.setdefault(changed, []).append(ch)
    for changed, group in groups.items():
        sets = ", ".join(f"{c} = ?" for c in changed)       # names from the schema itself
        cursor = conn.executemany(
            f"UPDATE {table} SET {sets} WHERE {pk[0]} = ? AND version IS ?",
            [[decode_value(ch.after[c]) for c in changed] + [ch.after[pk[0]], ch.before["version"]]
             for ch in group])
        if cursor.rowcount != len(group):
            # Some row here was not where the sender's edit started: write whole images.
            full.extend(ch.after for ch in group)
    write_images(conn, table, full)


def write_images(conn, table: str, images: list[dict]) -> None:
    """write_image for a run of rows of one table, with one prepared statement. (One
    INSERT ... SELECT FROM json_each was tried: slower, as SQLCipher's memory security wipes
    the whole JSON text at every json_extract.)"""
    if not images:
        return
    pk = primary_key(conn, table)
    cols = [c for c in columns(conn, table) if c in images[0]]
    if any(set(i) != set(images[0]) for i in images) or not set(pk) <= set(cols):
        for image in images:
            write_image(conn, table, [image[c] for c in pk], image)
        return
    sets = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in pk) or f"{pk[0]} = excluded.{pk[0]}"
    conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
                     f"ON CONFLICT({', '.join(pk)}) DO UPDATE SET {sets}",
                     [[decode_value(image[c]) for c in cols] for image in images])


def unique_twin(conn, table: str, key: list, image: dict | None) -> list | None:
    """The key of another row equal to `image` on one of the table's unique keys (read from
    the schema), or None."""
    if image is None:
        return None
    pk = primary_key(conn, table)
    for index in conn.execute(f"PRAGMA index_list({table})").fetchall():
        if not index[2]:
            continue
        cols = [r[2] for r in conn.execute(f"PRAGMA index_info({index[1]})")]
        if not cols or set(cols) == set(pk) or any(image.get(c) is None for c in cols):
            continue
        row = conn.execute(f"SELECT {', '.join(pk)} FROM {table} WHERE " + " AND ".join(f"{c} = ?" for c in cols),
                           [decode_value(image[c]) for c in cols]).fetchone()
        if row is not None and list(row) != list(key):
            return list(row)
    return None
