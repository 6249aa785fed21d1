"""The search indexes' segments are merged in small idle steps (docs/security.md, "Search"):
one note per transaction left 20-50 segments for every look-up to pass through."""

from datetime import date

from app.services.casework import cases, notes, search, search_tidy
from app.storage import search_index
from tests.unit.casework_helpers import family


def _notes(session, count: int) -> list[str]:
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    return [notes.add_note(session, case.id, "phone_call", date.today(), 5, f"Tribunal call {i} word{i}").id
            for i in range(count)]


def test_idle_steps_leave_few_segments_and_the_same_results(session):
    # Failed before: nothing merged the segments that saves leave behind.
    added = _notes(session, 60)
    assert search_tidy.segment_counts(session)["note_search"] >= 3
    found = [h.ref_id for h in search.search(session, "tribunal")]
    steps = 0
    while search_tidy.tidy_some(session, pages=2):
        steps += 1
        assert steps < 1000
    assert steps > 1   # small steps, each its own transaction
    assert search_tidy.segment_counts(session)["note_search"] <= 2
    assert [h.ref_id for h in search.search(session, "tribunal")] == found == added[::-1][:50]
    assert [h.ref_id for h in search.search(session, "word7")] == [added[7]]
    assert session.conn.execute("INSERT INTO note_search(note_search) VALUES('integrity-check')").rowcount != 0


def test_a_tidy_index_has_nothing_to_do(session):
    _notes(session, 3)
    while search_tidy.tidy_some(session):
        pass
    assert search_tidy.tidy_some(session) is False


def test_segments_are_read_from_the_structure_record(session):
    _notes(session, 5)
    for table in search_index.ALL:
        counted = session.conn.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()[0]
        assert search_index.segments(session.conn, table) == counted
