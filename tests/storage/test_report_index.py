"""The annual report's note count reads the note_report index (schema 11), not the notes:
at 656,870 notes the scan decrypted most of the file (8.9 s cold on a loaded machine)."""

from app.services.reports.counts import NOTES_BY_AUTHOR


def test_the_notes_by_author_count_is_answered_from_the_covering_index(session):
    plan = " ".join(row[3] for row in session.conn.execute(
        "EXPLAIN QUERY PLAN " + NOTES_BY_AUTHOR, {"start": "2025-04-01", "end": "2026-03-31"}))
    assert "COVERING INDEX note_report" in plan, plan
