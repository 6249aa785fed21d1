"""The annual report's note count reads the note_report index (schema 11), not the notes:
at 656,870 notes the scan decrypted most of the file (8.9 s cold on a loaded machine). It counts
in SQL as it reads the index, one row per day and author: a year at 200,000 cases holds 318,742
notes, and fetching each into Python cost ten times the scan."""

from datetime import date

import pytest

from app.services.casework import cases, notes
from app.services.reports import counts, national_counts
from app.services.reports.counts import NOTES_BY_AUTHOR
from tests.unit.casework_helpers import family

YEAR = {"start": "2025-04-01", "end": "2026-03-31"}


def test_the_notes_by_author_count_is_answered_from_the_covering_index(session):
    plan = " ".join(row[3] for row in session.conn.execute("EXPLAIN QUERY PLAN " + NOTES_BY_AUTHOR, YEAR))
    assert "COVERING INDEX note_report" in plan, plan
    assert "TEMP B-TREE" not in plan, plan   # counted in the index's order: no sorter


def test_the_notes_are_counted_in_sql_one_row_per_day_and_author(session):
    parent, kid = family(session)
    case_id = cases.open_case(session, parent.id, kid.id, opened_on=date(2025, 4, 1)).id
    for minutes in (10, 20, 30):
        notes.add_note(session, case_id, "phone_call", date(2025, 6, 2), minutes, "Called the school.")
    notes.add_note(session, case_id, "phone_call", date(2025, 6, 3), 5, "Called back.")
    notes.add_note(session, case_id, "phone_call", date(2024, 6, 3), 45, "Before the year.")
    gone = notes.add_note(session, case_id, "phone_call", date(2025, 6, 3), 50, "Deleted.")
    session.conn.execute("UPDATE note SET deleted_at = '2025-06-04T00:00:00+00:00' WHERE id = ?", (gone.id,))

    rows = session.conn.execute(NOTES_BY_AUTHOR, YEAR).fetchall()
    assert sorted(tuple(r) for r in rows) == [(session.user.username, 1, 5), (session.user.username, 3, 60)]
    assert counts.notes_by_author(session.conn, YEAR) == {session.user.username: [4, 65]}


# Every statement that reads a row per enquiry, case, child, history entry or evaluation of the
# period, with parameters for its plan. Schema 28 widened the indexes they read so that none of
# them looks the rows up in their tables: at 200,000 cases those look-ups were a page each, more
# than the page cache held, and a third of the annual report's CPU.
_IDS = {"ids": "[]"}
PER_ROW_STATEMENTS = {
    "enquiries": (counts.ENQUIRIES, {"lo": "2025-04-01", "hi": "2026-04-01"}),
    "cases by closing": (counts.TOUCHING[False], YEAR),
    "cases by opening": (counts.TOUCHING[True], YEAR),
    "children": (counts.CHILDREN, ("[]",)),
    "levels": (national_counts.LEVEL_HISTORY, YEAR | _IDS),
    "states": (national_counts.STATE_HISTORY, YEAR | _IDS),
    "topics": (counts.TOPICS, _IDS),
    "evaluations": (national_counts.EVALUATIONS, YEAR),
}


@pytest.mark.parametrize("name", PER_ROW_STATEMENTS)
def test_the_reports_per_row_reads_stay_inside_covering_indexes(session, name):
    sql, params = PER_ROW_STATEMENTS[name]
    steps = [row[3] for row in session.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    reads = [step for step in steps if step.startswith(("SEARCH", "SCAN"))
             and not any(virtual in step for virtual in ("json_each", "statuses", " j "))]
    assert reads, steps
    for step in reads:
        assert "COVERING INDEX" in step or "PRIMARY KEY" in step, f"{name}: {step}"
