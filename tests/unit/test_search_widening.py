"""The last word typed is widened to the words that start with it (docs/security.md, "Search"):
the word itself is asked for as it is, and only longer words come from the index's vocabulary."""

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


def test_the_word_itself_is_never_read_through_the_vocabulary(session):
    # fts5vocab counts every posting of each term it passes: the finished word, usually the
    # commonest of its widenings, is asked for directly instead.
    case = _case(session)
    _note(session, case.id, 1, "Annual review of the reviews, reviewed.")
    asked = []
    session.conn.set_trace_callback(asked.append)
    try:
        query = search.fts_query(session, "note_search", "review")
    finally:
        session.conn.set_trace_callback(None)
    assert query == '("review" OR "reviewed" OR "reviews")'
    vocab = [sql for sql in asked if "_vocab" in sql and "SELECT" in sql]
    assert vocab and all("'review0'" in sql for sql in vocab)


def test_notes_and_documents_together_keep_the_newest_by_date_with_their_snippets(session):
    # Snippets are made only for the rows kept (docs/security.md, "Search"): the same hits, in
    # the same order, with the same snippets, as reading each kind whole and sorting by date.
    import io

    from app.domain.records import MATCH_END, MATCH_START
    from app.services.documents import documents as docs
    from tests.unit.consent_helpers import TODAY, family_case
    from tests.unit.test_documents import pdf_bytes, report_input

    fam = family_case(session)
    days = [12, 3, 17, 8, 1, 15, 6, 10]
    saved = {"note": [], "document": []}
    for i, day in enumerate(days):       # saved out of date order: rowids are not dates
        on = f"2026-11-{day:02d}"
        if i % 2:
            added = docs.add_document(session, report_input(fam, title=f"Mediation report {i}", document_date=on),
                                      io.BytesIO(pdf_bytes(f"Mediation outcome {i}")), today=TODAY)
            saved["document"].insert(0, (on, added.id))
        else:
            note = notes.add_note(session, fam.case.id, "phone_call", date(2026, 11, day), 10,
                                  f"Mediation call {i} about the outcome.", today=TODAY)
            saved["note"].insert(0, (on, note.id))
    for limit in (1, 2, 3, 5, 8):
        # Each kind's newest `limit` as saved, documents then notes, sorted stably by date.
        want = sorted(saved["document"][:limit] + saved["note"][:limit], key=lambda k: k[0], reverse=True)[:limit]
        hits = search.search(session, "mediation", limit=limit)
        assert [(h.on, h.ref_id) for h in hits] == want
        assert all(f"{MATCH_START}mediation{MATCH_END}" in h.snippet.lower() for h in hits)
