"""The tamper-evident audit trail: each row's hash covers its content and the previous hash.

Rows name staff and record ids, never a family's personal data, so that erasing a family's
records later never breaks the chain. The head (seq, hash) is also copied into vault.json
and into every backup manifest, which is how truncation of the tail is noticed.
"""

import hashlib
import json
from dataclasses import dataclass

from uuid6 import uuid7

from app import clock

GENESIS = "0" * 64


def _utc_now() -> str:
    return clock.precise_stamp()


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


# --- the append-only triggers ---------------------------------------------------------------

# Exactly the triggers schema 1 shipped. `verify` compares the database against this table;
# a branch that adds a trigger on audit_event adds it here too.
SHIPPED_TRIGGERS = {
    "audit_event_no_update": "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                             "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "audit_event_no_delete": "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
                             "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
}


def _normal(sql: str) -> str:
    return " ".join((sql or "").replace(";", "; ").split()).replace(" ;", ";").rstrip(";").strip()


def trigger_problems(conn) -> list[str]:
    """Plain sentences for each append-only trigger that is missing, altered or extra."""
    found = {name: sql for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'")}
    problems = []
    for name, sql in SHIPPED_TRIGGERS.items():
        if name not in found:
            problems.append(f"The append-only trigger {name} is missing: the audit trail could be "
                            "changed or deleted.")
        elif _normal(found[name]) != _normal(sql):
            problems.append(f"The append-only trigger {name} is not the one Confide ships.")
    for name in sorted(set(found) - set(SHIPPED_TRIGGERS)):
        problems.append(f"An unknown trigger {name} is attached to the audit trail.")
    return problems


# --- checkpoints: the head written down outside the database ---------------------------------

def format_checkpoint(checkpoint: dict) -> str:
    return f"{int(checkpoint['seq'])}:{checkpoint['hash']}"


def parse_checkpoint(text: str) -> dict:
    """'SEQ:HASH' as printed by `confide audit checkpoint`. May raise: ValueError."""
    seq_text, _, digest = (text or "").strip().partition(":")
    digest = digest.strip().lower()
    if not seq_text.strip().isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"'{text.strip()[:80]}' is not a checkpoint: it reads SEQUENCE:HASH, e.g. "
                         "1234:followed by 64 hexadecimal digits.")
    return {"seq": int(seq_text), "hash": digest}


def compare_checkpoint(conn, checkpoint: dict, source: str) -> str | None:
    """None when the trail still holds the checkpointed event unchanged (the hash chain then
    vouches for every event before it); otherwise a plain sentence."""
    seq = int(checkpoint["seq"])
    if seq == 0:
        return None
    row = conn.execute("SELECT hash FROM audit_event WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        last = head(conn)["seq"]
        return (f"The audit trail ends at event {last}, but {source} records event {seq}: "
                "events were removed.")
    if row[0] != checkpoint["hash"]:
        return (f"Audit event {seq} differs from {source}: the trail up to it was rewritten.")
    return None


def read_head_or_zero(value) -> dict:
    """A head from a backup manifest, as {seq, hash}; anything unreadable counts as empty."""
    try:
        return {"seq": int(value["seq"]), "hash": str(value["hash"])}
    except (KeyError, TypeError, ValueError):
        return {"seq": 0, "hash": ""}
