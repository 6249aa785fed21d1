"""Two and three replicas: changes travel, disjoint edits merge, same-field edits conflict."""

from app.services.casework import cases, notes, people
from app.services.casework.people import PersonInput
from app.services.team import conflicts
from app.services.team.sync import pending_count, sync_now
from tests.team.replica import rows_of, seed_case


def test_a_note_written_on_one_computer_appears_on_the_other(make_team):
    team = make_team(2)
    a, b = team.sessions
    case_id = seed_case(a)
    note = notes.add_note(a, case_id, "phone_call", "2026-01-05", 10, "Discussed the annual review")
    assert pending_count(a) > 0
    result = sync_now(a, team.hub)
    assert result.pushed > 0 and pending_count(a) == 0
    result = sync_now(b, team.hub)
    assert result.pulled >= 1 and result.conflicts == 0
    assert notes.get_note(b, note.id).body == "Discussed the annual review"
    assert rows_of(a) == rows_of(b)


def test_disjoint_field_edits_merge_and_same_field_edits_conflict(make_team):
    team = make_team(2)
    a, b = team.sessions
    person = people.create_person(a, PersonInput(kind="parent_carer", first_name="Ada", last_name="Pryce"))
    sync_now(a, team.hub)
    sync_now(b, team.hub)
    people.update_person(a, person.id, PersonInput(kind="parent_carer", first_name="Ada", last_name="Pryce",
                                                    postcode="NE1 4AB"))
    people.update_person(b, person.id, PersonInput(kind="parent_carer", first_name="Ada", last_name="Pryce",
                                                    phone_mobile="07700 900123"))
    sync_now(a, team.hub)
    assert sync_now(b, team.hub).conflicts == 0
    sync_now(a, team.hub)
    for s in (a, b):
        p = people.get_person(s, person.id)
        assert (p.postcode, p.phone_mobile) == ("NE1 4AB", "07700 900123")
    assert rows_of(a) == rows_of(b)

    people.update_person(a, person.id, PersonInput(kind="parent_carer", first_name="Adah", last_name="Pryce",
                                                    postcode="NE1 4AB", phone_mobile="07700 900123"))
    people.update_person(b, person.id, PersonInput(kind="parent_carer", first_name="Ava", last_name="Pryce",
                                                    postcode="NE1 4AB", phone_mobile="07700 900123"))
    sync_now(a, team.hub)
    result = sync_now(b, team.hub)
    assert result.conflicts == 1
    [held] = conflicts.list_conflicts(b)
    detail = conflicts.conflict_detail(b, held.id)
    first = next(f for f in detail.fields if f.field == "first_name")
    assert (first.mine, first.theirs, first.conflicting) == ("Ava", "Adah", True)
    assert held.theirs_by == "manager" and held.theirs_at
    # Nothing is pushed for the row while the conflict waits.
    assert pending_count(b) == 0
    conflicts.resolve_conflict(b, held.id, choices={"first_name": ("edit", "Ava-Mae")})
    sync_now(b, team.hub)
    sync_now(a, team.hub)
    assert people.get_person(a, person.id).first_name == "Ava-Mae"
    assert rows_of(a) == rows_of(b)
    assert conflicts.list_conflicts(b) == []


def test_references_made_offline_on_two_computers_never_clash(make_team):
    team = make_team(2)
    a, b = team.sessions
    ca, cb = seed_case(a), seed_case(b)
    for s in (a, b, a, b):
        assert sync_now(s, team.hub).refused == []
    assert cases.get_case(a, ca).reference != cases.get_case(a, cb).reference
    assert rows_of(a) == rows_of(b)


def test_no_op_sync_pushes_nothing(make_team):
    team = make_team(2)
    a, _ = team.sessions
    sync_now(a, team.hub)
    head = team.hub.head()
    result = sync_now(a, team.hub)
    assert (result.pulled, result.pushed) == (0, 0) and team.hub.head() == head


def test_the_same_note_edited_on_two_computers_keeps_both_revisions_apart(make_team):
    """note_revision is unique per (note, version): both computers record version 1 as the
    earlier text. The two rows differ only in their id, so theirs is kept and ours simply goes
    (nothing to choose: the caseworker sees only the note's own clash); nothing is refused."""
    team = make_team(2)
    a, b = team.sessions
    case_id = seed_case(a)
    note = notes.add_note(a, case_id, "email", "2026-01-05", 5, "Original words")
    sync_now(a, team.hub)
    sync_now(b, team.hub)
    notes.edit_note(a, note.id, "email", "2026-01-05", 5, "Words from computer one")
    notes.edit_note(b, note.id, "email", "2026-01-05", 9, "Words from computer two")
    sync_now(a, team.hub)
    result = sync_now(b, team.hub)
    assert result.refused == []
    kinds = sorted(c.kind for c in conflicts.list_conflicts(b))
    assert kinds == ["edit"]
    assert a.conn.execute("SELECT count(*) FROM note_revision").fetchone()[0] == 1
    for held in conflicts.list_conflicts(b):
        conflicts.resolve_conflict(b, held.id, take="mine")
    sync_now(b, team.hub)
    sync_now(a, team.hub)
    assert notes.get_note(a, note.id).body == "Words from computer two"
    assert notes.get_note(a, note.id).minutes_spent == 9
    assert rows_of(a) == rows_of(b)


def test_signing_in_on_two_computers_is_not_a_conflict(make_team):
    team = make_team(2)
    a, b = team.sessions
    from app.storage.staff_repo import StaffRepo

    staff_id = a.conn.execute("SELECT id FROM staff WHERE username = 'manager'").fetchone()[0]
    from app.storage.db import transaction

    for s, stamp in ((a, "2026-03-01T09:00:00+00:00"), (b, "2026-03-01T09:05:00+00:00")):
        with transaction(s.conn):
            StaffRepo(s.conn).touch(staff_id, last_unlock_at=stamp)
    sync_now(b, team.hub)
    assert sync_now(a, team.hub).conflicts == 0
    sync_now(b, team.hub)
    for s in (a, b):
        got = s.conn.execute("SELECT last_unlock_at FROM staff WHERE id = ?", (staff_id,)).fetchone()[0]
        assert got == "2026-03-01T09:05:00+00:00"
    assert rows_of(a) == rows_of(b)


def test_the_same_relationship_recorded_differently_on_two_computers_is_a_duplicate_to_choose(make_team):
    """Rows that collide on a unique key but say different things still wait for a person."""
    team = make_team(2)
    a, b = team.sessions
    parent = people.create_person(a, PersonInput(kind="parent_carer", first_name="Ada", last_name="Fenwick"))
    child = people.create_person(a, PersonInput(kind="child", first_name="Kit", last_name="Fenwick",
                                                date_of_birth="2015-01-02"))
    sync_now(a, team.hub)
    sync_now(b, team.hub)
    people.link_relationship(a, parent.id, child.id, "mother", parental_responsibility=True)
    people.link_relationship(b, parent.id, child.id, "foster_carer", parental_responsibility=False)
    sync_now(a, team.hub)
    assert sync_now(b, team.hub).refused == []
    assert [c.kind for c in conflicts.list_conflicts(b)] == ["duplicate"]
