"""The manager's no-contact rule settles a case the same way whenever and wherever it runs
(docs/national.md, "Open, inactive and closed"): a new contact reopens an inactive case from
its own day, a second run changes nothing, and an inactivity made before a contact was known
is withdrawn."""

from datetime import date

from app.services.casework import cases, notes
from app.services.national import states
from tests.unit.casework_helpers import add_worker, family

TODAY = date(2026, 7, 15)


def _open(session, opened):
    parent, kid = family(session)
    return cases.open_case(session, parent.id, kid.id, level="level_2", opened_on=opened)


def _history(session, case):
    return [(h.state, h.how, h.changed_on) for h in states.state_history(session, case.id)]


def _rows(session, case):
    return [tuple(r) for r in session.conn.execute(
        "SELECT id, state, how, changed_on FROM case_state_change WHERE case_id = ? ORDER BY id", (case.id,))]


def test_a_note_after_a_case_went_inactive_reopens_it_from_the_notes_day(session):
    case = _open(session, date(2026, 1, 5))
    states.set_inactive_after_days(session, 30)
    assert states.sweep_inactive(session, today=date(2026, 3, 1)) == [case.reference]   # inactive 4 Feb
    notes.add_note(session, case.id, "phone_call", date(2026, 2, 20), 10, "The parent rang again.",
                   today=date(2026, 3, 1))
    assert cases.load_case(session, case.id).status == "open"
    assert _history(session, case) == [("open", "opened", "2026-01-05"), ("inactive", "no_contact", "2026-02-04"),
                                       ("open", "contact_after", "2026-02-20")]


def test_a_note_dated_before_a_person_made_the_case_inactive_leaves_it_inactive(session):
    case = _open(session, date(2026, 6, 1))
    states.make_inactive(session, case.id, on=date(2026, 7, 1))
    notes.add_note(session, case.id, "case_review", date(2026, 7, 1), 5, "Closing note for now.", today=TODAY)
    notes.add_note(session, case.id, "phone_call", date(2026, 6, 25), 5, "A call not written up.", today=TODAY)
    assert cases.load_case(session, case.id).status == "inactive"
    assert states.sweep_inactive(session, today=TODAY) == []
    assert cases.load_case(session, case.id).status == "inactive"


def test_sweeping_again_changes_nothing(session):
    case = _open(session, date(2026, 1, 5))
    assert states.sweep_inactive(session, today=TODAY) == [case.reference]
    before = _rows(session, case)
    version = session.conn.execute("SELECT version FROM casefile WHERE id = ?", (case.id,)).fetchone()[0]
    assert states.sweep_inactive(session, today=TODAY) == []
    assert states.sweep_inactive(session, today=date(2026, 12, 1)) == []
    assert _rows(session, case) == before
    assert session.conn.execute("SELECT version FROM casefile WHERE id = ?", (case.id,)).fetchone()[0] == version


def test_the_rules_rows_are_named_by_the_case_and_the_day_so_every_computer_writes_the_same(session):
    case = _open(session, date(2026, 1, 5))
    states.sweep_inactive(session, today=TODAY)
    assert (f"{case.id}:no_contact:2026-04-05", "inactive", "no_contact", "2026-04-05") in _rows(session, case)


def test_an_inactivity_made_before_a_colleagues_note_arrived_is_withdrawn(session):
    case = _open(session, date(2026, 1, 5))
    assert states.sweep_inactive(session, today=TODAY) == [case.reference]   # inactive 5 April
    # The colleague's note of 1 April arrives afterwards, as a sync brings it: written as is.
    session.conn.execute("INSERT INTO note (id, case_id, author, note_type, occurred_on, minutes_spent, body, "
                         "created_at, updated_at) VALUES ('n-late', ?, 'jo', 'phone_call', '2026-04-01', 5, "
                         "'Rang the school.', '2026-04-01T10:00:00+00:00', '2026-04-01T10:00:00+00:00')", (case.id,))
    assert states.sweep_inactive(session, today=TODAY) == [case.reference]   # inactive 30 June instead
    assert _history(session, case) == [("open", "opened", "2026-01-05"), ("inactive", "no_contact", "2026-06-30")]
    assert states.sweep_inactive(session, today=TODAY) == []


def test_the_sweep_runs_for_a_caseworker_on_every_case_not_only_their_own(session, data_dir):
    case = _open(session, date(2026, 1, 5))
    worker = add_worker(session, data_dir, "casey")
    assert states.sweep_inactive(worker, today=TODAY) == [case.reference]
    assert cases.load_case(session, case.id).status == "inactive"
