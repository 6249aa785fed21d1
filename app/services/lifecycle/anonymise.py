"""Anonymising a record past its date (docs/lifecycle.md "Anonymising").

What the reports count stays: dates, channel, route, topics, level, outcomes, the child's
date of birth (the age band of every past period is worked out from it), school phase, need
and area, a note's author, date and minutes. Every identifying field is emptied, every note's
text, and every record that only identifies (consents and their signatures, disclosures,
relationships, earlier versions of notes and enquiries, actions, paper files, SAR working
papers) is erased as in an erasure. A person another record still names is left as they are.

The emptied rows travel with no before image, so the old values are not copied to the hub
again; the rows erased travel with the erasure mark. Like an erasure, it is recorded
(kind "anonymised case"), and each computer compacts its file and says so.
"""

import json

from app.domain.role_matrix import Scope, grants
from app.domain.text import clean
from app.errors import PermissionDenied, ValidationError
from app.security.session import Session
from app.services.lifecycle import erase as eraser
from app.services.lifecycle import erase_set
from app.services.team import search_build
from app.services.team.laptop.schema import casework
from app.storage import records
from app.storage.capture import in_team, primary_key
from app.storage.db import transaction

# Rows kept, with these fields emptied ('' for the NOT NULL text the schema needs).
KEPT = {
    "person": {"first_name": "", "last_name": "", "known_as": None, "school_name": None, "organisation_id": None,
               "job_title": None, "address": None, "postcode": None, "phone_home": None, "phone_mobile": None,
               "phone_work": None, "email": None, "contact_note": None, "staff_safety_note": None},
    "enquiry": {"summary": "", "anonymous_first_name": None, "statement_how": None},
    "enquiry_topic": {},
    "casefile": {},
    "note": {"body": ""},
    "safeguarding_concern": {"description": "", "referred_to": None, "external_reference": None, "outcome": None},
    "incident": {"description": ""},
    "subject_access_request": {"requester_name": "", "authority_note": None, "extension_reason": None,
                               "child_authority_note": None},
}
MARKED = {"casefile", "enquiry"}


def _strip_before_images(conn, table: str, ids: list[str]) -> None:
    """The emptied rows go out as whole rows with no before image (the old values stay here
    only until the file is compacted, and never reach the hub again)."""
    col = casework(conn).id_column[table]
    pk = primary_key(conn, table)
    wanted = set(ids)
    for kj in [r[0] for r in conn.execute("SELECT DISTINCT pk FROM sync_outbox WHERE tbl = ?", (table,))]:
        if dict(zip(pk, json.loads(kj), strict=False)).get(col) in wanted:
            first = conn.execute("SELECT min(seq) FROM sync_outbox WHERE tbl = ? AND pk = ?", (table, kj)).fetchone()[0]
            conn.execute("DELETE FROM sync_outbox WHERE tbl = ? AND pk = ? AND seq != ?", (table, kj, first))
            conn.execute("UPDATE sync_outbox SET op = 'u', before_img = NULL, after_img = NULL WHERE seq = ?", (first,))


def anonymise_rows(conn, taken: dict[str, set[str]], actor: str,
                   signed_by: tuple[str, str] | None) -> tuple[int, int]:
    """Empty the kept rows' identifying fields and erase the rest. Inside the caller's
    transaction; `signed_by`: erase.signer(). Returns (rows emptied, rows erased)."""
    erased = {t: ids for t, ids in taken.items() if t not in KEPT}
    removed = eraser.erase_locally(conn, erased, signed_by)
    at = records.utc_now()
    emptied = 0
    cw = casework(conn)
    for table, fields in KEPT.items():
        ids = sorted(taken.get(table, ()))
        if not ids:
            continue
        values = dict(fields)
        if table in MARKED:
            values["anonymised_at"] = at
        if not values:
            continue
        col = cw.id_column[table]
        stamps = ", updated_at = :_at, updated_by = :_by, version = version + 1" if "version" in {
            r[1] for r in conn.execute(f"PRAGMA table_info({table})")} else ""
        sets = ", ".join(f"{c} = :{c}" for c in values)
        for i in range(0, len(ids), 400):
            chunk = ids[i:i + 400]
            params = {**values, "_at": at, "_by": actor, **{f"i{n}": v for n, v in enumerate(chunk)}}
            marks = ", ".join(f":i{n}" for n in range(len(chunk)))
            emptied += conn.execute(f"UPDATE {table} SET {sets}{stamps} WHERE {col} IN ({marks})", params).rowcount
        if in_team(conn):
            _strip_before_images(conn, table, ids)
        kind = eraser.SEARCHED.get(table)
        if kind:
            search_build.reindex_ids(conn, kind, ids)
    return emptied, removed


@grants(Scope.MANAGER, "anonymising is the manager's decision")
def anonymise_cases(session: Session, case_ids: list[str], reason: str) -> eraser.Erased:
    """Anonymise closed cases (with the enquiries that opened them and the people only they
    are about). Refused as a whole under an open SAR, an open safeguarding concern or a
    legal hold, or for a case still open.

    May raise: ValidationError, PermissionDenied."""
    return _anonymise(session, "case", case_ids, reason)


@grants(Scope.MANAGER, "anonymising is the manager's decision")
def anonymise_enquiries(session: Session, enquiry_ids: list[str], reason: str) -> eraser.Erased:
    """Anonymise general information enquiries. May raise: ValidationError, PermissionDenied."""
    return _anonymise(session, "enquiry", enquiry_ids, reason)


def _anonymise(session: Session, kind: str, ids: list[str], reason: str) -> eraser.Erased:
    why = clean(reason, "reason", "Reason", multiline=True) or ""
    if not why:
        raise ValidationError("Say why these records are being anonymised.", field="reason")
    ids = sorted(set(ids))
    if not ids:
        raise ValidationError("Choose at least one record to anonymise.", field="ids")
    conn = session.conn
    refs = eraser.references(conn, kind, ids)
    if len(refs) != len(ids):
        raise ValidationError(f"{len(ids) - len(refs)} of the chosen records no longer exist here.", field="ids")
    blocked = eraser.blocked(conn, kind, ids)
    if blocked:
        raise PermissionDenied("These records cannot be anonymised until released: " + "; ".join(
            f"{refs[i]}: {' and '.join(b)}" for i, b in sorted(blocked.items())) + ".")
    if kind == "case":
        still_open = [r for (r,) in conn.execute(
            f"SELECT reference FROM casefile WHERE status != 'closed' AND id IN ({', '.join('?' for _ in ids)})", ids)]
        if still_open:
            raise PermissionDenied("Only closed cases are anonymised: " + ", ".join(still_open) + " is still open.")
    signed_by = eraser.signer(conn)
    with transaction(conn):
        taken = erase_set.rows_to_erase(conn, kind, ids)
        emptied, removed = anonymise_rows(conn, taken, session.user.username, signed_by)
        at = records.utc_now()
        erasure_id = records.insert(conn, "erasure", {
            "record_kind": f"{kind} (anonymised)", "records": len(ids), "rows_erased": removed + emptied,
            "reason": why, "erased_at": at, "erased_by": session.user.username}, session.user.username)
        session.audit("records_anonymised", "erasure", erasure_id,
                      {"kind": kind, "records": len(ids), "emptied": emptied, "erased": removed, "reason": why})
    eraser.carry_out(session)
    return eraser.Erased(erasure_id, len(ids), emptied + removed)
