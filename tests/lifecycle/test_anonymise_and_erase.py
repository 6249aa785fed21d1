"""Anonymising keeps every past report's totals; erasing on one computer leaves no trace of
the record in the database's pages, its WAL or its search index, and the audit trail says
what kind, by whom, when and why, never whom (docs/lifecycle.md)."""

import json
from datetime import date

from app.domain import periods
from app.services.casework import cases, notes
from app.services.demo import build as demo
from app.services.lifecycle import anonymise, erase, review
from app.services.reports import figures
from tests.lifecycle.support import CANARY, closed_case, file_holds, report_cells

TODAY = date(2026, 11, 25)
LATER = date(2060, 1, 1)       # every demo case closed by now is past its date


def _reports(session):
    found = {}
    for year in range(2016, 2027):
        found[year] = report_cells(figures.build_report(session, periods.financial_year(year), today=TODAY))
    return found


def test_anonymising_keeps_every_past_report_identical(session):
    demo.populate(session, staff=3, cases=40, seed=11, today=TODAY)
    before = _reports(session)
    due = [d for d in review.list_due(session, on=LATER) if d.kind == "case" and d.erasable]
    assert len(due) >= 10
    ids = [d.record_id for d in due]
    conn = session.conn
    people = {p for cid in ids for p in conn.execute("SELECT client_id, child_id FROM casefile WHERE id = ?",
                                                     (cid,)).fetchone()}
    anonymise.anonymise_cases(session, ids, "Past the retention schedule")
    assert _reports(session) == before
    # Nothing identifying is left on those cases: note text, names of people only they were about.
    marks = ", ".join("?" for _ in ids)
    assert conn.execute(f"SELECT count(*) FROM note WHERE case_id IN ({marks}) AND body != ''", ids).fetchone()[0] == 0
    assert conn.execute(f"SELECT count(*) FROM casefile WHERE id IN ({marks}) AND anonymised_at IS NULL",
                        ids).fetchone()[0] == 0
    named = conn.execute(f"SELECT count(*) FROM person WHERE id IN ({', '.join('?' for _ in people)}) AND "
                         "(first_name != '' OR last_name != '' OR phone_mobile IS NOT NULL OR address IS NOT NULL)",
                         list(people)).fetchone()[0]
    shared = conn.execute(f"SELECT count(DISTINCT p) FROM (SELECT client_id AS p FROM casefile WHERE id NOT IN "
                          f"({marks}) UNION ALL SELECT child_id FROM casefile WHERE id NOT IN ({marks})) WHERE p IN "
                          f"({', '.join('?' for _ in people)})", ids + ids + list(people)).fetchone()[0]
    assert named == shared      # only people another case still names keep their names
    assert conn.execute(f"SELECT count(*) FROM consent WHERE case_id IN ({marks})", ids).fetchone()[0] == 0
    # Anonymised cases are no longer on the review list.
    assert not {d.record_id for d in review.list_due(session, on=LATER)} & set(ids)


def test_anonymising_removes_the_note_text_from_the_file(session, data_dir):
    case_id, _, _ = closed_case(session, born="2001-12-31", closed="2019-01-10", last="Canarywood",
                                note_text=f"Spoke about {CANARY} at length")
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    assert file_holds(data_dir, session.data_key, CANARY.encode())      # the scan can see it
    anonymise.anonymise_cases(session, [case_id], "Past its date")
    assert file_holds(data_dir, session.data_key, CANARY.encode()) == []
    assert file_holds(data_dir, session.data_key, b"Canarywood") == []


def conn_count(session, table: str, case_id: str) -> int:
    return session.conn.execute(f"SELECT count(*) FROM {table} WHERE case_id = ?", (case_id,)).fetchone()[0]


def test_erasing_leaves_no_trace_in_pages_wal_or_search(session, data_dir):
    keep_id, _, _ = closed_case(session, born="2005-05-05", closed="2019-01-10", last="Staywell",
                                note_text="An ordinary note that stays")
    case_id, parent, kid = closed_case(session, born="2001-12-31", closed="2019-01-10", last="Canarywood",
                                       note_text=f"Spoke about {CANARY} at length")
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    assert file_holds(data_dir, session.data_key, CANARY.encode())      # the scan can see it
    assert session.conn.execute("SELECT count(*) FROM search_index WHERE search_index MATCH 'Canarywood'").fetchone()[0]
    done = erase.erase(session, "case", [case_id], "Past the retention schedule")
    # The case, its note, the two people and their relationship, and the case's level and state
    # history (opened at a level, opened, closed: docs/national.md).
    assert done.rows == 8
    assert conn_count(session, "case_level_change", case_id) == conn_count(session, "case_state_change", case_id) == 0
    conn = session.conn
    for table, column in (("casefile", "id"), ("person", "id"), ("note", "case_id"), ("relationship", "child_id")):
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE {column} IN (?, ?, ?)",
                            (case_id, parent, kid)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (keep_id,)).fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM search_key WHERE ref_id IN (?, ?, ?)",
                        (case_id, parent, kid)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM search_index WHERE search_index MATCH 'Canarywood'").fetchone()[0] == 0
    assert file_holds(data_dir, session.data_key, CANARY.encode()) == []
    assert file_holds(data_dir, session.data_key, b"Canarywood") == []
    # The audit trail: what kind, how many, by whom, when and why; never whom.
    event = conn.execute("SELECT actor, action, object_type, object_id, detail FROM audit_event "
                         "WHERE action = 'records_erased'").fetchone()
    assert event["actor"] == "manager" and event["object_type"] == "erasure"
    detail = json.loads(event["detail"])
    assert detail == {"kind": "case", "records": 1, "rows": done.rows, "reason": "Past the retention schedule"}
    assert case_id not in event["object_id"]
    row = conn.execute("SELECT * FROM erasure").fetchone()
    assert row["record_kind"] == "case" and row["erased_by"] == "manager"
    assert all(case_id not in str(v) and parent not in str(v) for v in tuple(row))
    # This computer has carried it out (compacted) and says so.
    assert erase.owed(conn) == []


def test_erasing_one_record_of_a_family_leaves_their_other_case_and_the_people_it_names(session):
    first, parent, kid = closed_case(session, born="2001-12-31", closed="2019-01-10", last="Twocases")
    second = cases.open_case(session, parent, kid)
    notes.add_note(session, second.id, "phone_call", date(2026, 11, 2), 10, "The second case's own note")
    cases.close_case(session, second.id, "resolved", ["better_informed"])
    erase.erase(session, "case", [first], "Past the retention schedule")
    conn = session.conn
    assert conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (first,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (second.id,)).fetchone()[0] == 1, \
        "erasing one case took the family's other case with it"
    assert conn.execute("SELECT count(*) FROM note WHERE case_id = ?", (second.id,)).fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM person WHERE id IN (?, ?)", (parent, kid)).fetchone()[0] == 2
