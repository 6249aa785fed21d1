"""The merge's findings (docs/sync.md §8.2, §8.4, §11), each replayed on two replicas through
the real services: a resolution writes only the fields in conflict, a set of topics conflicts as
one field, the losing text stays in the record's history, a unique-key clash is found from the
schema and blocks sync, and a bundle under newer merge rules blocks sync."""

from datetime import datetime

import pytest

from app.errors import ValidationError
from app.services.casework import enquiries, notes, people
from app.services.casework.enquiry_corrections import (
    EnquiryCorrection,
    correct_enquiry,
    enquiry_history,
)
from app.services.casework.people import PersonInput
from app.services.team import conflicts, state
from app.services.team.merge import decide
from app.services.team.sync import SyncBlocked, sync_now
from app.storage.db import transaction
from tests.team.replica import rows_of, seed_case
from tests.unit.casework_helpers import phone_enquiry


def _person(first="Ada", postcode=None, phone=None):
    return PersonInput(kind="parent_carer", first_name=first, last_name="Pryce", postcode=postcode,
                       phone_mobile=phone)


def _both(team, *sessions):
    for s in sessions or team.sessions:
        sync_now(s, team.hub)


def test_resolve_writes_only_conflicting_fields(make_team):
    """A colleague's postcode that arrived while the conflict waited, and a phone number typed
    here meanwhile, both survive resolving the first name with 'mine'."""
    team = make_team(2)
    a, b = team.sessions
    person = people.create_person(a, _person())
    _both(team, a, b)
    people.update_person(a, person.id, _person("Adah"))
    people.update_person(b, person.id, _person("Ava"))
    _both(team, a, b)
    [held] = conflicts.list_conflicts(b)
    assert held.fields == ["first_name"]
    people.update_person(a, person.id, _person("Adah", postcode="NE2 2ZZ"))
    _both(team, a, b)
    now = people.get_person(b, person.id)
    people.update_person(b, person.id, PersonInput(kind="parent_carer", first_name=now.first_name,
                                                   last_name="Pryce", postcode=now.postcode,
                                                   phone_mobile="07700 900456"))
    conflicts.resolve_conflict(b, held.id, take="mine")
    _both(team, b, a, b)
    for s in (a, b):
        p = people.get_person(s, person.id)
        assert (p.first_name, p.postcode, p.phone_mobile) == ("Ava", "NE2 2ZZ", "07700 900456")
    assert rows_of(a) == rows_of(b)


def test_a_choice_for_a_field_not_in_conflict_is_refused(make_team):
    team = make_team(2)
    a, b = team.sessions
    person = people.create_person(a, _person())
    _both(team, a, b)
    people.update_person(a, person.id, _person("Adah", postcode="NE1 1AA"))
    people.update_person(b, person.id, _person("Ava"))
    _both(team, a, b)
    [held] = conflicts.list_conflicts(b)
    detail = conflicts.conflict_detail(b, held.id)
    assert {f.field: f.conflicting for f in detail.fields} == {"first_name": True, "postcode": False}
    with pytest.raises(ValidationError, match="not in conflict"):
        conflicts.resolve_conflict(b, held.id, choices={"postcode": "mine"})
    conflicts.resolve_conflict(b, held.id, choices={"first_name": "mine"})
    _both(team, b, a)
    assert (people.get_person(a, person.id).first_name, people.get_person(a, person.id).postcode) == (
        "Ava", "NE1 1AA")


def _correct(session, enquiry, topics, summary=None):
    when = datetime.fromisoformat(enquiry.received_at)
    return correct_enquiry(session, enquiry.id, EnquiryCorrection(when, enquiry.channel,
                                                                  summary or enquiry.summary, topics))


def test_two_corrections_of_an_enquirys_topics_conflict_as_one_field(make_team):
    team = make_team(2)
    a, b = team.sessions
    made = enquiries.record_enquiry(a, phone_enquiry(topics=["ehc_needs_assessment"])).enquiry
    _both(team, a, b)
    _correct(a, enquiries.get_enquiry(a, made.id), ["ehc_needs_assessment", "transport"])
    _correct(b, enquiries.get_enquiry(b, made.id), ["tribunal"])
    sync_now(a, team.hub)
    result = sync_now(b, team.hub)
    assert result.conflicts == 1
    [held] = conflicts.list_conflicts(b)
    assert (held.table, held.record_id, held.fields) == ("enquiry_topic", made.id, ["topic"])
    [side] = [f for f in conflicts.conflict_detail(b, held.id).fields if f.conflicting]
    assert (side.mine, side.theirs) == (["tribunal"], ["ehc_needs_assessment", "transport"])
    # While it waits, the topics are the team's (theirs) and nothing of ours is pushed.
    assert enquiries.get_enquiry(b, made.id).topics == ["ehc_needs_assessment", "transport"]
    conflicts.resolve_conflict(b, held.id, take="mine")
    _both(team, b, a)
    for s in (a, b):
        assert enquiries.get_enquiry(s, made.id).topics == ["tribunal"]
        kept = [r.topics for r in enquiry_history(s, made.id)]
        assert ["ehc_needs_assessment"] in kept and ["ehc_needs_assessment", "transport"] in kept
    assert rows_of(a) == rows_of(b)


def test_the_same_correction_of_topics_on_two_computers_is_not_a_conflict(make_team):
    team = make_team(2)
    a, b = team.sessions
    made = enquiries.record_enquiry(a, phone_enquiry(topics=["ehc_plan"])).enquiry
    _both(team, a, b)
    _correct(a, enquiries.get_enquiry(a, made.id), ["ehc_plan", "transport"])
    _correct(b, enquiries.get_enquiry(b, made.id), ["ehc_plan", "transport"])
    sync_now(a, team.hub)
    assert sync_now(b, team.hub).conflicts == 0
    sync_now(a, team.hub)
    assert rows_of(a) == rows_of(b)


def test_the_losing_text_of_a_resolved_conflict_stays_in_the_notes_history(make_team):
    team = make_team(2)
    a, b = team.sessions
    case_id = seed_case(a)
    note = notes.add_note(a, case_id, "email", "2026-01-05", 5, "Original words")
    _both(team, a, b)
    notes.edit_note(a, note.id, "email", "2026-01-05", 5, "Words from computer one")
    notes.edit_note(b, note.id, "email", "2026-01-05", 5, "Words from computer two")
    _both(team, a, b)
    [held] = conflicts.list_conflicts(b)
    conflicts.resolve_conflict(b, held.id, take="mine")
    _both(team, b, a)
    for s in (a, b):
        assert notes.get_note(s, note.id).body == "Words from computer two"
        bodies = [r.body for r in notes.history(s, note.id)]
        assert "Original words" in bodies and "Words from computer one" in bodies
    assert rows_of(a) == rows_of(b)


def test_the_losing_text_is_kept_when_theirs_is_taken(make_team):
    team = make_team(2)
    a, b = team.sessions
    case_id = seed_case(a)
    note = notes.add_note(a, case_id, "email", "2026-01-05", 5, "Original words")
    _both(team, a, b)
    notes.edit_note(a, note.id, "email", "2026-01-05", 5, "Words from computer one")
    notes.edit_note(b, note.id, "email", "2026-01-05", 5, "Words from computer two")
    _both(team, a, b)
    [held] = conflicts.list_conflicts(b)
    conflicts.resolve_conflict(b, held.id, take="theirs")
    _both(team, b, a)
    for s in (a, b):
        assert notes.get_note(s, note.id).body == "Words from computer one"
        assert "Words from computer two" in [r.body for r in notes.history(s, note.id)]
    assert rows_of(a) == rows_of(b)


def test_the_losing_text_is_kept_when_both_texts_are_edited_into_a_third(make_team):
    team = make_team(2)
    a, b = team.sessions
    case_id = seed_case(a)
    note = notes.add_note(a, case_id, "email", "2026-01-05", 5, "Original words")
    _both(team, a, b)
    notes.edit_note(a, note.id, "email", "2026-01-05", 5, "Words from computer one")
    notes.edit_note(b, note.id, "email", "2026-01-05", 5, "Words from computer two")
    _both(team, a, b)
    [held] = conflicts.list_conflicts(b)
    conflicts.resolve_conflict(b, held.id, choices={"body": ("edit", "Both computers' words")})
    _both(team, b, a)
    bodies = [r.body for r in notes.history(a, note.id)]
    assert {"Original words", "Words from computer one", "Words from computer two"} <= set(bodies)
    assert rows_of(a) == rows_of(b)


def _relationship_pair(team):
    a, b = team.sessions
    parent = people.create_person(a, PersonInput(kind="parent_carer", first_name="Ada", last_name="Fenwick"))
    child = people.create_person(a, PersonInput(kind="child", first_name="Kit", last_name="Fenwick",
                                                date_of_birth="2015-01-02"))
    _both(team, a, b)
    return parent, child


def test_a_unique_key_clash_with_a_row_already_here_blocks_sync_and_is_never_skipped(make_team):
    """The clash is found from the schema's unique index (adult, child), not from SQLite's
    wording; the entry is not passed over: sync stops before it, saying which and why."""
    team = make_team(2)
    a, b = team.sessions
    parent, child = _relationship_pair(team)
    with transaction(b.conn):           # a row here that is not pending: as if already on the hub
        state.set_capture(b.conn, False)
        b.conn.execute("INSERT INTO relationship (id, adult_id, child_id, relationship, parental_responsibility, "
                       "created_at, updated_at, version) VALUES ('r-here', ?, ?, 'father', 0, '2026-01-01', "
                       "'2026-01-01', 1)", (parent.id, child.id))
        state.set_capture(b.conn, True)
    people.link_relationship(a, parent.id, child.id, "mother", parental_responsibility=True)
    sync_now(a, team.hub)
    before = state.last_applied(b.conn)
    for _ in range(2):
        with pytest.raises(SyncBlocked) as blocked:
            sync_now(b, team.hub)
        assert state.last_applied(b.conn) == before
    message = str(blocked.value)
    assert message.startswith(f"Change bundle {before + 1} from computer '") and "(manager)" in message
    assert "relationship" in message and "adult id, child id" in message
    assert "UNIQUE constraint" not in message
    assert b.conn.execute("SELECT count(*) FROM sync_refused").fetchone()[0] == 0


def test_an_unrecognised_clash_blocks_sync_and_is_never_skipped(make_team):
    team = make_team(2)
    a, b = team.sessions
    parent, child = _relationship_pair(team)
    with transaction(b.conn):
        state.set_capture(b.conn, False)
        b.conn.execute("PRAGMA defer_foreign_keys = ON")
        b.conn.execute("DELETE FROM person WHERE id = ?", (child.id,))
        b.conn.execute("DELETE FROM search_key WHERE ref_id = ?", (child.id,))
        state.set_capture(b.conn, True)
    people.link_relationship(a, parent.id, child.id, "mother", parental_responsibility=True)
    sync_now(a, team.hub)
    before = state.last_applied(b.conn)
    with pytest.raises(SyncBlocked, match="does not fit the records here"):
        sync_now(b, team.hub)
    assert state.last_applied(b.conn) == before
    assert b.conn.execute("SELECT count(*) FROM sync_refused").fetchone()[0] == 0


def test_a_duplicate_made_here_and_not_yet_pushed_is_still_a_conflict_to_choose(make_team):
    team = make_team(2)
    a, b = team.sessions
    parent, child = _relationship_pair(team)
    people.link_relationship(a, parent.id, child.id, "mother", parental_responsibility=True)
    people.link_relationship(b, parent.id, child.id, "foster_carer", parental_responsibility=False)
    sync_now(a, team.hub)
    assert sync_now(b, team.hub).refused == []
    [held] = conflicts.list_conflicts(b)
    assert (held.kind, held.fields) == ("duplicate", ["adult_id", "child_id"])


def test_a_bundle_under_newer_merge_rules_blocks_sync(make_team, monkeypatch):
    team = make_team(2)
    a, b = team.sessions
    people.create_person(a, _person())
    monkeypatch.setattr(decide, "RULES_VERSION", decide.RULES_VERSION + 1)
    sync_now(a, team.hub)
    monkeypatch.undo()
    before = state.last_applied(b.conn)
    newer = decide.RULES_VERSION + 1
    with pytest.raises(SyncBlocked, match=f"newer version of Confide .merge rules {newer}.. Update Confide"):
        sync_now(b, team.hub)
    assert state.last_applied(b.conn) == before
    assert b.conn.execute("SELECT count(*) FROM sync_refused").fetchone()[0] == 0


def test_earlier_versions_written_on_two_computers_under_one_number_are_both_kept(make_team):
    """Each computer edited the note twice offline: both kept version 2 of the history with
    different words. Theirs keeps the number, ours moves to the next: no duplicate to choose,
    and after the note's own conflict is resolved every text anyone typed is in its history."""
    team = make_team(2)
    a, b = team.sessions
    case_id = seed_case(a)
    note = notes.add_note(a, case_id, "email", "2026-01-05", 5, "Original words")
    _both(team, a, b)
    for s, who in ((a, "one"), (b, "two")):
        notes.edit_note(s, note.id, "email", "2026-01-05", 5, f"First words from computer {who}")
        notes.edit_note(s, note.id, "email", "2026-01-05", 5, f"Second words from computer {who}")
    _both(team, a, b)
    assert [c.kind for c in conflicts.list_conflicts(b)] == ["edit"]
    [held] = conflicts.list_conflicts(b)
    conflicts.resolve_conflict(b, held.id, take="mine")
    _both(team, b, a)
    expected = {"Original words", "First words from computer one", "First words from computer two",
                "Second words from computer one"}
    for s in (a, b):
        history = notes.history(s, note.id)
        assert {r.body for r in history} == expected
        assert len({r.version for r in history}) == len(history)
        assert notes.get_note(s, note.id).body == "Second words from computer two"
    assert rows_of(a) == rows_of(b)


def test_a_text_typed_before_a_waiting_conflict_was_replaced_is_kept(make_team):
    """B's first words wait in a conflict; B edits the note again meanwhile and A's next edit
    makes a newer conflict. Whatever B then chooses, both of B's texts and A's stay."""
    team = make_team(2)
    a, b = team.sessions
    case_id = seed_case(a)
    note = notes.add_note(a, case_id, "email", "2026-01-05", 5, "Original words")
    _both(team, a, b)
    notes.edit_note(a, note.id, "email", "2026-01-05", 5, "A's first words")
    notes.edit_note(b, note.id, "email", "2026-01-05", 5, "B's first words")
    _both(team, a, b)
    notes.edit_note(b, note.id, "email", "2026-01-05", 5, "B's second words")
    notes.edit_note(a, note.id, "email", "2026-01-05", 5, "A's second words")
    _both(team, a, b)
    [held] = conflicts.list_conflicts(b)
    conflicts.resolve_conflict(b, held.id, take="theirs")
    _both(team, b, a)
    for s in (a, b):
        assert notes.get_note(s, note.id).body == "A's second words"
        bodies = {r.body for r in notes.history(s, note.id)}
        assert {"Original words", "A's first words", "B's first words", "B's second words"} <= bodies
    assert rows_of(a) == rows_of(b)
