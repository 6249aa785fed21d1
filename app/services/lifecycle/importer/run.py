"""The import itself: the dry run, then all or nothing in one transaction, keeping each
record's reference from the previous system (docs/lifecycle.md "Importing").

Rows are written with a few `executemany` statements per kind rather than through the
one-record services: 100,000 notes go in well inside a minute. Every rule those services
apply to these fields is checked by check.py first (R3 for cases included)."""

import json
from datetime import date
from pathlib import Path

from app.domain.role_matrix import Scope, grants
from app.errors import ValidationError
from app.security.session import Session
from app.services.lifecycle.importer import check as checking
from app.services.lifecycle.importer.fields import FIELDS, KINDS, guess
from app.services.lifecycle.review import today as review_today
from app.services.team import search_build
from app.storage import records
from app.storage.db import transaction

MAPPING_KEY = "import_mapping"
SOURCE = "previous system"
TABLE = {"people": "person", "enquiries": "enquiry", "cases": "casefile", "notes": "note", "consents": "consent"}


@grants(Scope.MANAGER, "importing is the manager's")
def saved_mapping(session: Session) -> dict[str, dict[str, str]]:
    row = session.conn.execute("SELECT value FROM setting WHERE key = ?", (MAPPING_KEY,)).fetchone()
    return json.loads(row[0]) if row else {}


@grants(Scope.MANAGER, "importing is the manager's")
def save_mapping(session: Session, mappings: dict[str, dict[str, str]]) -> None:
    """Kept on this computer (the files are here too) for the next import."""
    clean = {k: {f: c for f, c in m.items() if c and f in {x.name for x in FIELDS[k]}}
             for k, m in mappings.items() if k in FIELDS}
    with transaction(session.conn):
        session.conn.execute(
            "INSERT INTO setting (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO "
            "UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            (MAPPING_KEY, json.dumps(clean), records.utc_now(), session.user.username))


@grants(Scope.MANAGER, "importing is the manager's")
def mapping_for(session: Session, files: dict[str, Path]) -> dict[str, dict[str, str]]:
    """The saved mapping where it fits the files' columns, otherwise a guess from their names."""
    saved = saved_mapping(session)
    out = {}
    for kind, path in files.items():
        headers = checking.headers_of(Path(path))
        mine = {f: c for f, c in saved.get(kind, {}).items() if c in headers}
        out[kind] = {**guess(kind, headers), **mine}
    return out


def _staff(conn) -> dict[str, str]:
    found = {}
    for username, full_name in conn.execute("SELECT username, full_name FROM staff"):
        found[full_name.strip().lower()] = username
        found[username.lower()] = username
    return found


@grants(Scope.MANAGER, "importing is the manager's")
def dry_run(session: Session, files: dict[str, Path], mappings: dict[str, dict[str, str]] | None = None,
            today: date | None = None) -> checking.Plan:
    """Check every row; nothing is written. May raise: ValidationError."""
    conn = session.conn
    mappings = mappings or mapping_for(session, files)
    taken = {(k, ref) for k, ref in conn.execute(
        "SELECT CASE record_table WHEN 'person' THEN 'people' WHEN 'enquiry' THEN 'enquiries' WHEN 'casefile' "
        "THEN 'cases' WHEN 'note' THEN 'notes' ELSE 'consents' END, original_ref FROM import_reference "
        "WHERE source = ?", (SOURCE,))}
    case_refs = {r[0] for r in conn.execute("SELECT reference FROM casefile")}
    return checking.check({k: Path(p) for k, p in files.items()}, mappings, _staff(conn), taken, case_refs,
                          today or review_today())


@grants(Scope.MANAGER, "importing is the manager's")
def import_files(session: Session, files: dict[str, Path], mappings: dict[str, dict[str, str]] | None = None,
                 today: date | None = None) -> dict[str, int]:
    """All or nothing: refused when the dry run rejects any row. Returns rows imported per kind.

    May raise: ValidationError."""
    plan = dry_run(session, files, mappings, today)
    if not plan.ok:
        raise ValidationError(f"Nothing was imported: {len(plan.rejections):,} row"
                              f"{'s' if len(plan.rejections) != 1 else ''} would be rejected. The dry run names "
                              f"each; the first: {plan.rejections[0].sentence()}.", field="rows")
    conn = session.conn
    with transaction(conn):
        counts = write(conn, plan, session.user.username)
        session.audit("records_imported", "import", None, {"counts": counts, "source": SOURCE})
    return counts


def write(conn, plan: checking.Plan, actor: str) -> dict[str, int]:
    """Insert every planned row; inside the caller's transaction."""
    at = records.utc_now()
    batch = records.new_id()
    ids: dict[str, dict[str, str]] = {k: {r["ref"]: records.new_id() for r in plan.rows[k]} for k in KINDS}
    stamp = (at, actor, at, actor)
    people = ids["people"]
    conn.executemany(
        "INSERT INTO person (id, kind, first_name, last_name, date_of_birth, postcode, area, phone_home, email, "
        "school_phase, primary_need, created_at, created_by, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(people[r["ref"]], r["kind"], r["first_name"], r["last_name"], r["date_of_birth"], r["postcode"], r["area"],
          r["phone_home"], r["email"], r["school_phase"], r["primary_need"], *stamp) for r in plan.rows["people"]])
    conn.executemany(
        "INSERT INTO relationship (id, adult_id, child_id, relationship, parental_responsibility, created_at, "
        "created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(records.new_id(), people[r["adult"]], people[r["child"]], r["relationship"], int(r["pr"]), *stamp)
         for r in plan.relationships])
    enquiries = ids["enquiries"]
    conn.executemany(
        "INSERT INTO enquiry (id, reference, received_at, channel, anonymous, caller_id, caller_role, child_id, "
        "enquiry_type, summary, handled_by, created_at, created_by, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'general', ?, ?, ?, ?, ?, ?)",
        [(enquiries[r["ref"]], r["ref"], f"{r['received_on']}T12:00:00+00:00", r["channel"],
          int(r["caller_ref"] is None), people.get(r["caller_ref"]), r["caller_role"], people.get(r["child_ref"]),
          r["summary"], actor, *stamp) for r in plan.rows["enquiries"]])
    conn.executemany("INSERT INTO enquiry_topic (enquiry_id, topic) VALUES (?, ?)",
                     [(enquiries[r["ref"]], r["topic"]) for r in plan.rows["enquiries"] if r["topic"]])
    cases = ids["cases"]
    conn.executemany(
        "INSERT INTO casefile (id, reference, client_id, child_id, worker, level, status, opened_on, closed_on, "
        "closure_reason, own_case, created_at, created_by, updated_at, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(cases[r["ref"]], r["ref"], people[r["client_ref"]], people[r["child_ref"]], r["worker"], r["level"],
          "closed" if r["closed_on"] else "open", r["opened_on"], r["closed_on"], r["closure_reason"],
          int(r["client_ref"] == r["child_ref"]), *stamp) for r in plan.rows["cases"]])
    notes = ids["notes"]
    conn.executemany(
        "INSERT INTO note (id, case_id, note_type, occurred_on, minutes_spent, body, author, created_at, created_by, "
        "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(notes[r["ref"]], cases[r["case_ref"]], r["note_type"], r["occurred_on"], r["minutes"], r["body"],
          r["author"], *stamp) for r in plan.rows["notes"]])
    _consents(conn, plan, ids, stamp, batch)
    conn.executemany(
        "INSERT INTO import_reference (id, record_table, record_id, source, original_ref, batch, created_at, "
        "created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(records.new_id(), TABLE[k], rid, SOURCE, ref, batch, *stamp) for k in KINDS for ref, rid in ids[k].items()])
    search_build.reindex_ids(conn, "person", list(people.values()))
    search_build.reindex_ids(conn, "case", list(cases.values()))
    search_build.reindex_ids(conn, "note", list(notes.values()))
    return plan.counts()


def _consents(conn, plan, ids, stamp, batch) -> None:
    people, consents = ids["people"], ids["consents"]
    rows = plan.rows["consents"]
    conn.executemany(
        "INSERT INTO consent (id, subject_id, given_by_id, capacity, scope, wording_name, wording_version, "
        "wording_text, method, given_on, expires_on, batch_id, note, created_at, created_by, updated_at, updated_by) "
        "VALUES (?, ?, ?, 'self', ?, 'imported', 'previous system', ?, 'written_form', ?, ?, ?, ?, ?, ?, ?, ?)",
        [(consents[r["ref"]], people[r["person_ref"]], people[r["person_ref"]], r["scope"],
          f"Consent recorded in the previous system (reference {r['ref']}).", r["given_on"], r["expires_on"], batch,
          "Imported", *stamp) for r in rows])
    conn.executemany(
        "INSERT INTO consent_withdrawal (id, consent_id, withdrawn_on, method, note, created_at, created_by, "
        "updated_at, updated_by) VALUES (?, ?, ?, 'in_writing', 'Imported', ?, ?, ?, ?)",
        [(records.new_id(), consents[r["ref"]], r["withdrawn_on"], *stamp) for r in rows if r["withdrawn_on"]])
    conn.executemany(
        "INSERT INTO mailing_list_member (id, person_id, consent_id, joined_on, left_on, left_reason, created_at, "
        "created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(records.new_id(), people[r["person_ref"]], consents[r["ref"]], r["given_on"], r["withdrawn_on"],
          "consent withdrawn" if r["withdrawn_on"] else None, *stamp)
         for r in rows if r["scope"] == "mailing_list"])
