"""Erasing a family's records everywhere (docs/lifecycle.md "Erasing everywhere").

On the manager's computer, in one transaction: the rows an erasure takes (erase_set) are
deleted, their search entries with them, and an `erasure` row records what kind of record
went, how many rows, by whom, when and why, never whom it was about. On a team vault the
deletes are captured like any change, but each one travels with a before image that holds only
the row's key and the mark `$erased` (purge_marks): the erased data is never copied to the hub
again, and every computer applying it deletes the row whatever it had pending (apply.py).
Each computer then compacts its file and says so with an `erasure_done` row (carry_out).
"""

import json
from dataclasses import dataclass

from app import clock
from app.domain.dashboard import Item, Section
from app.domain.role_matrix import Scope, grants
from app.domain.text import clean
from app.errors import PermissionDenied, ValidationError
from app.security.session import Session
from app.services.lifecycle import erase_set, review
from app.services.team import authority, erasure_warrant, search_build, state
from app.services.team.apply import ERASED
from app.services.team.laptop.schema import casework
from app.services.team.replica_check import digest
from app.storage import records
from app.storage.capture import in_team, primary_key
from app.storage.db import transaction

KIND_WORDS = {"case": "closed case", "enquiry": "general information enquiry",
              "mailing_list_member": "mailing list entry"}
SEARCHED = erase_set.SEARCHED


@dataclass
class Erased:
    erasure_id: str
    records: int
    rows: int


def blocked(conn, kind: str, ids: list[str]) -> dict[str, list[str]]:
    if kind == "case":
        return review.blocks_for_cases(conn, ids)
    if kind == "enquiry":
        return review.blocks_for_enquiries(conn, ids)
    return {}


def references(conn, kind: str, ids: list[str]) -> dict[str, str]:
    table = {"case": "casefile", "enquiry": "enquiry"}.get(kind)
    if table is None:
        return {i: "a mailing list entry" for i in ids}
    out = {}
    for i in range(0, len(ids), 400):
        chunk = ids[i:i + 400]
        out.update(conn.execute(f"SELECT id, reference FROM {table} WHERE id IN ({', '.join('?' for _ in chunk)})",
                                chunk).fetchall())
    return out


def purge_marks(conn, erased: dict[str, set[str]], since: int = 0, warrant: str | None = None) -> None:
    """Replace what the capture triggers wrote for the erased rows with one delete each whose
    before image is the row's key, the erasure mark and the hash of the row as the log left it
    (what the replica digest needs, docs/sync.md §17), so no image of the row is kept in the
    outbox or sent. A row made here and never pushed just leaves the outbox. Inside the
    erasure's transaction, after the deletes; `since`: the last outbox seq before them (a
    before image written by the triggers since is in SQLite's own form: hashed as it is);
    `warrant`: the manager's signed warrant each mark names (team/erasure_warrant.py)."""
    cw = casework(conn)
    stamp = clock.precise_stamp()
    for table, ids in erased.items():
        pk = primary_key(conn, table)
        col = cw.id_column[table]
        wanted = set(ids)
        firsts = conn.execute(
            "SELECT o.pk, o.seq, o.before_img FROM sync_outbox o JOIN (SELECT pk, min(seq) AS s FROM sync_outbox "
            "WHERE tbl = ? GROUP BY pk) f ON o.seq = f.s", (table,)).fetchall()
        marks, gone = [], []
        for kj, first, base in firsts:
            key = json.loads(kj)
            named = dict(zip(pk, key, strict=False))
            if named.get(col) not in wanted:
                continue
            gone.append(kj)
            if base is None:
                continue        # made here, never on the hub: nothing to tell anyone
            hashed = digest.row_hash(table, base) if first > since else digest.base_hash(conn, table, base)
            marks.append((first, table, kj, json.dumps({**named, ERASED: True, digest.BASE_HASH: hashed,
                                                                erasure_warrant.WARRANT: warrant}), stamp))
        for i in range(0, len(gone), 400):
            chunk = gone[i:i + 400]
            conn.execute(f"DELETE FROM sync_outbox WHERE tbl = ? AND pk IN ({', '.join('?' for _ in chunk)})",
                         [table, *chunk])
        conn.executemany("INSERT INTO sync_outbox (seq, tbl, pk, op, before_img, after_img, at) "
                         "VALUES (?, ?, ?, 'd', ?, NULL, ?)", marks)


def delete_rows(conn, erased: dict[str, set[str]]) -> int:
    """Delete the rows (children before parents) and their search entries; clear the links a
    register that outlives them keeps; drop drafts and conflicts that copy them."""
    cw = casework(conn)
    conn.execute("PRAGMA defer_foreign_keys = ON")
    people = erased.get("person", set())
    for table, column in erase_set.OUTLIVES.items():
        ids = sorted(people)
        for i in range(0, len(ids), 400):
            chunk = ids[i:i + 400]
            conn.execute(f"UPDATE {table} SET {column} = NULL, version = version + 1, updated_at = ? "
                         f"WHERE {column} IN ({', '.join('?' for _ in chunk)})", [records.utc_now(), *chunk])
    count = 0
    for table in reversed(cw.tables):
        ids = sorted(erased.get(table, ()))
        col = cw.id_column[table]
        for i in range(0, len(ids), 400):
            chunk = ids[i:i + 400]
            marks = ", ".join("?" for _ in chunk)
            count += conn.execute(f"DELETE FROM {table} WHERE {col} IN ({marks})", chunk).rowcount
            conn.execute(f"DELETE FROM sync_conflict WHERE tbl = ? AND json_extract(pk, '$[0]') IN ({marks})",
                         [table, *chunk])
            conn.execute(f"DELETE FROM import_reference WHERE record_id IN ({marks})", chunk)
        if table in SEARCHED and ids:
            search_build.reindex_ids(conn, SEARCHED[table], ids)
    erase_set.forget_queued(conn, erased)
    every = [i for ids in erased.values() for i in ids]
    for (draft_id, context, fields) in conn.execute("SELECT id, context, fields FROM draft").fetchall():
        if any(i in context or i in fields for i in every):
            conn.execute("DELETE FROM draft WHERE id = ?", (draft_id,))
    return count


def signer(conn) -> tuple[str, str] | None:
    """On a team vault, the signed-in manager's name and staff signing key, which every other
    computer asks of an erasure (team/erasure_warrant.py); None outside a team.

    May raise: PermissionDenied (not one of the team's managers as its signed entries say)."""
    if not in_team(conn):
        return None
    try:
        return authority.signer_for(conn)
    except authority.NoAuthority as exc:
        raise PermissionDenied("An erasure reaches every computer of the team only under the signature of one "
                               "of the team's managers. " + exc.message) from exc


def erase_locally(conn, erased: dict[str, set[str]], signed_by: tuple[str, str] | None) -> int:
    """Delete and, on a team vault, mark for sending under the manager's signed warrant
    (`signed_by`, from signer()). Inside the caller's transaction."""
    team = in_team(conn)
    if team and signed_by is None:
        raise PermissionDenied("An erasure on a team computer needs a manager's signature.")
    since = conn.execute("SELECT coalesce(max(seq), 0) FROM sync_outbox").fetchone()[0] if team else 0
    count = delete_rows(conn, erased)
    if team:
        purge_marks(conn, erased, since, erasure_warrant.sign(conn, erased, signed_by))
    return count


@grants(Scope.MANAGER, "erasure is the manager's decision")
def erase(session: Session, kind: str, ids: list[str], reason: str, request_ref: str | None = None) -> Erased:
    """Erase records of one kind (closed cases, general enquiries, mailing-list entries)
    with everything that hangs off them and the people only they are about. Refused as a
    whole when any of them is under an open subject access request, an open safeguarding
    concern or a legal hold, or a case is still open.

    May raise: ValidationError, PermissionDenied."""
    if kind not in KIND_WORDS:
        raise ValidationError(f"Records of kind '{kind}' cannot be erased here.", field="kind")
    why = clean(reason, "reason", "Reason", multiline=True) or ""
    if not why:
        raise ValidationError("Say why these records are being erased (the audit trail keeps the reason).",
                              field="reason")
    ids = sorted(set(ids))
    if not ids:
        raise ValidationError("Choose at least one record to erase.", field="ids")
    conn = session.conn
    refs = references(conn, kind, ids)
    missing = [i for i in ids if i not in refs]
    if missing:
        raise ValidationError(f"{len(missing)} of the chosen records no longer exist here.", field="ids")
    stops = blocked(conn, kind, ids)
    if stops:
        lines = [f"{refs[i]}: {' and '.join(why_not)}" for i, why_not in sorted(stops.items())]
        raise PermissionDenied("These records cannot be erased until released: " + "; ".join(lines) + ".")
    if kind == "case":
        still_open = [r for (r,) in conn.execute(
            f"SELECT reference FROM casefile WHERE status != 'closed' AND id IN ({', '.join('?' for _ in ids)})", ids)]
        if still_open:
            raise PermissionDenied("Only closed cases are erased: " + ", ".join(still_open) + " is still open.")
    signed_by = signer(conn)
    with transaction(conn):
        taken = erase_set.rows_to_erase(conn, kind, ids)
        count = erase_locally(conn, taken, signed_by)
        at = records.utc_now()
        erasure_id = records.insert(conn, "erasure", {
            "record_kind": kind, "records": len(ids), "rows_erased": count, "reason": why,
            "erased_at": at, "erased_by": session.user.username, "request_ref": request_ref}, session.user.username)
        # The audit trail says what kind, how many, by whom, when and why: never whom.
        session.audit("records_erased", "erasure", erasure_id,
                      {"kind": kind, "records": len(ids), "rows": count, "reason": why})
    carry_out(session)
    return Erased(erasure_id, len(ids), count)


def compact(conn) -> None:
    """Rewrite the file so erased rows' pages are gone, not merely free: secure_delete has
    zeroed the freed cells; FTS5 keeps deleted words in older segments until they are merged;
    VACUUM drops free pages; the WAL is emptied (TRUNCATE) before and after."""
    for (name, sql) in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall():
        if sql and sql.upper().startswith("CREATE VIRTUAL TABLE") and "FTS5" in sql.upper():
            conn.execute(f"INSERT INTO {name} ({name}) VALUES ('optimize')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def owed(conn) -> list[str]:
    """Erasures this computer has not yet said it carried out."""
    me = state.get(conn, "device_id") if state.in_team(conn) else "local"
    return [r[0] for r in conn.execute(
        "SELECT id FROM erasure e WHERE NOT EXISTS (SELECT 1 FROM erasure_done d WHERE d.erasure_id = e.id "
        "AND d.device_id = ?) ORDER BY erased_at", (me,))]


def forget_entry_copies(conn) -> None:
    """This computer's copies of hub bundles it applied or wrote hold the erased rows' old
    images (encrypted under the team's key): they go, like the hub's own after compaction.
    Control entries (no personal data) stay."""
    upto = state.last_applied(conn)
    conn.execute("DELETE FROM sync_entry_copy WHERE kind = 'bundle' AND seq <= ?", (upto,))


@grants(Scope.ANY, "carrying out an erasure the team's manager made: removes, never reads")
def carry_out(session: Session) -> int:
    """Compact this computer's file for every erasure it has applied and not yet carried
    out, and say so (`erasure_done`, replicated: the manager sees who has not). Run after
    every sync and after an erasure here. Returns the number of erasures carried out."""
    conn = session.conn
    pending = owed(conn)
    if not pending:
        return 0
    team = state.in_team(conn)
    if team:
        with transaction(conn):
            forget_entry_copies(conn)
    compact(conn)
    me = state.get(conn, "device_id") if team else "local"
    with transaction(conn):
        at = records.utc_now()
        for erasure_id in pending:
            conn.execute("INSERT OR IGNORE INTO erasure_done (erasure_id, device_id, done_at) VALUES (?, ?, ?)",
                         (erasure_id, me, at))
    return len(pending)


@dataclass
class Outstanding:
    erasure_id: str
    erased_at: str
    record_kind: str
    computers: list[str]        # names of the computers that have not yet carried it out


@grants(Scope.MANAGER, "the manager follows erasures through")
def not_yet_carried_out(session: Session) -> list[Outstanding]:
    """Each erasure some enrolled computer has not yet carried out, naming those computers."""
    conn = session.conn
    if not state.in_team(conn):
        return []
    devices = {r[0]: r[1] for r in conn.execute("SELECT device_id, name FROM sync_device WHERE revoked_seq IS NULL")}
    out = []
    for eid, at, kind in conn.execute("SELECT id, erased_at, record_kind FROM erasure ORDER BY erased_at"):
        done = {r[0] for r in conn.execute("SELECT device_id FROM erasure_done WHERE erasure_id = ?", (eid,))}
        missing = sorted(name or dev for dev, name in devices.items() if dev not in done)
        if missing:
            out.append(Outstanding(eid, at, kind, missing))
    return out



@grants(Scope.MANAGER, "the manager follows erasures through")
def dashboard_section(session: Session) -> Section | None:
    """Erasures some computer has not yet carried out (None outside a team)."""
    if not state.in_team(session.conn):
        return None
    section = Section("erasures_pending", "Erasures not yet carried out on every computer",
                      empty_text="Every computer has carried out every erasure.")
    for o in not_yet_carried_out(session):
        section.items.append(Item(f"{KIND_WORDS.get(o.record_kind, o.record_kind)} erased {o.erased_at[:10]}",
                                  "erasure", o.erasure_id, severity="info",
                                  detail="not yet on " + ", ".join(o.computers) + " (done at their next sync)"))
    return section
