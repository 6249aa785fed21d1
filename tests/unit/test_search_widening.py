"""The last word typed is widened to the words that start with it (docs/security.md, "Search"):
what any cheaper widening must keep finding."""

from datetime import date, timedelta

from app.services.casework import cases, notes, search
from tests.unit.casework_helpers import family


def _case(session):
    parent, kid = family(session)
    return cases.open_case(session, parent.id, kid.id)


def _note(session, case_id, day: int, body: str) -> str:
    return notes.add_note(session, case_id, "meeting", date.today() - timedelta(days=day), 10, body).id


def test_a_whole_word_finds_itself_and_its_longer_forms_newest_first(session):
    case = _case(session)
    old = _note(session, case.id, 9, "Tribunal hearing booked.")
    new = _note(session, case.id, 1, "Both tribunals adjourned.")
    digits = _note(session, case.id, 5, "Form tribunal2 sent.")
    assert [h.ref_id for h in search.search(session, "tribunal")] == [new, digits, old]
    assert [h.ref_id for h in search.search(session, "tribunals")] == [new]
    assert [h.ref_id for h in search.search(session, "tribu")] == [new, digits, old]
    assert [h.ref_id for h in search.search(session, "hearing tribunal")] == [old]
    assert search.search(session, "tribunalz") == []


def test_a_prefix_with_many_widenings_still_finds_the_newest_hit(session):
    case = _case(session)
    for i in range(search.MAX_EXPANSIONS + 5):
        _note(session, case.id, 100 - i, f"Visited schoolhouse{chr(97 + i % 26)}{chr(97 + i // 26)}.")
    newest = _note(session, case.id, 0, "The school rang back.")
    assert search.search(session, "school")[0].ref_id == newest
    assert search.search(session, "schoo")[0].ref_id == newest
    assert len(search.search(session, "schoolhouse")) == search.MAX_EXPANSIONS + 5
