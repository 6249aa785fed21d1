"""This computer's own copies of hub entries and what it knows of the hub's snapshots
(docs/sync.md §15), local-only: the evidence `confide hub check` compares the hub with and
the material `confide hub repair` puts back.

Kept: every entry this computer wrote, and every control entry, for good (they are what a
repair most needs and are small); every other entry it applied for RETAIN_DAYS after
applying it. Sixty days covers a hub folder put back from a month-old backup, or a
PostgreSQL server restored from last month's dump, with room to notice; a team whose
entries are all older than that has computers that hold the state in their replicas and
snapshots anyway.
"""

from dataclasses import dataclass
from datetime import timedelta

from app import clock
from app.services.team import bundle

RETAIN_DAYS = 60


@dataclass(frozen=True)
class Copy:
    seq: int
    device_id: str
    kind: str
    sha256: str
    payload: bytes
    own: bool


def digest(payload: bytes) -> str:
    return bundle.bundle_hash(payload)


def keep(conn, seq: int, device_id: str, kind: str, payload: bytes, own: bool = False,
         created_at: str | None = None) -> None:
    """Record the entry at `seq` as this computer applied or wrote it (inside the caller's
    transaction). A later copy at the same number replaces an earlier one only when it is
    this computer's own (its push at that number was acknowledged)."""
    conn.execute(
        "INSERT INTO sync_entry_copy (seq, device_id, kind, sha256, payload, created_at, own, kept_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(seq) DO UPDATE SET device_id = excluded.device_id, "
        "kind = excluded.kind, sha256 = excluded.sha256, payload = excluded.payload, "
        "created_at = excluded.created_at, own = excluded.own, kept_at = excluded.kept_at "
        "WHERE excluded.own = 1 OR sync_entry_copy.own = 0",
        (seq, device_id, kind, digest(payload), bytes(payload), created_at, 1 if own else 0,
         clock.now().isoformat(timespec="seconds")))


def prune(conn) -> int:
    """Drop copies of other computers' bundles applied more than RETAIN_DAYS ago."""
    cutoff = (clock.now() - timedelta(days=RETAIN_DAYS)).isoformat(timespec="seconds")
    return conn.execute("DELETE FROM sync_entry_copy WHERE own = 0 AND kind = 'bundle' AND kept_at < ?",
                        (cutoff,)).rowcount


def get(conn, seq: int) -> Copy | None:
    row = conn.execute("SELECT seq, device_id, kind, sha256, payload, own FROM sync_entry_copy WHERE seq = ?",
                       (seq,)).fetchone()
    return Copy(row[0], row[1], row[2], row[3], bytes(row[4]), bool(row[5])) if row else None


def digests(conn) -> dict[int, str]:
    """Number -> SHA-256 of every copy held (without the payloads)."""
    return {r[0]: r[1] for r in conn.execute("SELECT seq, sha256 FROM sync_entry_copy")}


def highest(conn) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) FROM sync_entry_copy").fetchone()[0]


def saw_snapshot(conn, upto_seq: int, device_id: str, payload_sha256: str | None, size: int | None,
                 own: bool) -> None:
    conn.execute("INSERT OR REPLACE INTO sync_snapshot_seen (upto_seq, device_id, sha256, size, own, at) "
                 "VALUES (?, ?, ?, ?, ?, ?)", (upto_seq, device_id, payload_sha256, size, 1 if own else 0,
                                               clock.now().isoformat(timespec="seconds")))


def newest_snapshot_seen(conn) -> tuple[int, str, str | None, int | None, bool] | None:
    row = conn.execute("SELECT upto_seq, device_id, sha256, size, own FROM sync_snapshot_seen "
                       "ORDER BY upto_seq DESC, own DESC LIMIT 1").fetchone()
    return (row[0], row[1], row[2], row[3], bool(row[4])) if row else None
