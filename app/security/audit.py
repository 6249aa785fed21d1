"""The tamper-evident audit trail: each row's hash covers its content and the previous hash.

Rows name staff and record ids, never a family's personal data, so that erasing a family's
records later never breaks the chain. The head (seq, hash) is also copied into vault.json
and into every backup manifest, which is how truncation of the tail is noticed.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from uuid6 import uuid7

GENESIS = "0" * 64


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def canonical(row: dict) -> bytes:
    fields = {k: row[k] for k in ("seq", "id", "at", "actor", "action", "object_type", "object_id", "detail")}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def row_hash(row: dict, prev_hash: str) -> str:
    return hashlib.sha256(canonical(row) + prev_hash.encode("ascii")).hexdigest()


def head(conn) -> dict:
    row = conn.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
    return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": GENESIS}


def append(conn, actor: str, action: str, object_type: str | None = None,
           object_id: str | None = None, detail: dict | None = None, at: str | None = None) -> dict:
    """Add one event. Call inside the transaction of the change it describes."""
    last = head(conn)
    row = {
        "seq": last["seq"] + 1,
        "id": str(uuid7()),
        "at": at or _utc_now(),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "detail": json.dumps(detail or {}, sort_keys=True),
    }
    row["prev_hash"] = last["hash"]
    row["hash"] = row_hash(row, last["hash"])
    conn.execute(
        "INSERT INTO audit_event (seq, id, at, actor, action, object_type, object_id, detail, "
        "prev_hash, hash) VALUES (:seq, :id, :at, :actor, :action, :object_type, :object_id, "
        ":detail, :prev_hash, :hash)", row)
    return {"seq": row["seq"], "hash": row["hash"]}


HEAD_MISMATCH = "audit_head_mismatch"


def head_is_missing(conn, recorded: dict | None) -> bool:
    """True when the head recorded outside the database is not in it (an older database
    file was put in place, or the tail was cut). One indexed read: cheap enough for unlock."""
    seq = int((recorded or {}).get("seq") or 0)
    if seq <= 0:
        return False
    row = conn.execute("SELECT hash FROM audit_event WHERE seq = ?", (seq,)).fetchone()
    return row is None or row[0] != recorded.get("hash")


def record_head_mismatch(conn, actor: str, vault_id: str, recorded: dict) -> None:
    """Keep the evidence inside the chain before vault.json's head is overwritten."""
    found = head(conn)
    append(conn, actor, HEAD_MISMATCH, "vault", vault_id,
           {"recorded_seq": int(recorded.get("seq") or 0), "recorded_hash": recorded.get("hash"),
            "found_seq": found["seq"]})


def recorded_mismatches(conn) -> list[str]:
    """Plain sentences for each mismatch noticed at an earlier unlock."""
    lines = []
    for at, detail in conn.execute(
            "SELECT at, detail FROM audit_event WHERE action = ? ORDER BY seq", (HEAD_MISMATCH,)):
        info = json.loads(detail or "{}")
        lines.append(f"At {at[:19].replace('T', ' ')} UTC the audit trail ended at event "
                     f"{info.get('found_seq')} although event {info.get('recorded_seq')} had been "
                     "recorded: events were removed, or an older copy of the database was put in place.")
    return lines


@dataclass
class ChainReport:
    ok: bool
    events: int
    message: str
    first_broken_seq: int | None = None


def verify(conn, expected_head: dict | None = None) -> ChainReport:
    """Walk the chain from the start; name the first broken link.

    `expected_head` is the head recorded outside the database (vault.json, a backup manifest):
    if the database holds fewer events than it, the tail was cut off.
    """
    prev = GENESIS
    count = 0
    expected_seq = 1
    cursor = conn.execute(
        "SELECT seq, id, at, actor, action, object_type, object_id, detail, prev_hash, hash "
        "FROM audit_event ORDER BY seq")
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        seq = row["seq"]
        if seq != expected_seq:
            return ChainReport(False, count, f"Audit event {expected_seq} is missing.", expected_seq)
        if row["prev_hash"] != prev:
            return ChainReport(False, count, f"Audit event {seq} does not follow event {seq - 1}.", seq)
        if row_hash(row, prev) != row["hash"]:
            return ChainReport(False, count, f"Audit event {seq} was altered after it was written.", seq)
        prev = row["hash"]
        count += 1
        expected_seq += 1
    if expected_head and expected_head.get("seq"):
        want_seq, want_hash = int(expected_head["seq"]), expected_head.get("hash")
        if want_seq > count:
            return ChainReport(False, count,
                               f"The audit trail ends at event {count} but event {want_seq} was "
                               "recorded: events were removed from the end.", count + 1)
        got = conn.execute("SELECT hash FROM audit_event WHERE seq = ?", (want_seq,)).fetchone()
        if got is None or got[0] != want_hash:
            return ChainReport(False, count,
                               f"Audit event {want_seq} differs from the one recorded in the "
                               "vault file.", want_seq)
    return ChainReport(True, count, f"The audit trail is intact ({count} events).")
