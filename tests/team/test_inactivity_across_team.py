"""Two computers of a team apply the no-contact rule to the same case before either has seen
the other's work (docs/national.md, "Open, inactive and closed"): they meet with no conflict
and one history, and a note one of them had not yet received undoes the other's inactivity."""

import shutil
from datetime import date

import pytest

from app.security.device import KeyringStore
from app.services.casework import cases, notes
from app.services.national import states
from app.services.team import membership
from tests.conftest import PASSPHRASE
from tests.unit.casework_helpers import family

TODAY = date(2026, 7, 15)


@pytest.fixture
def pair(tmp_path, session):
    hub = tmp_path / "hub"
    hub.mkdir()
    membership.create(session, str(hub), "Northshire office team")
    code = membership.invite(session, "Office computer 2", tmp_path / "two.invite")
    b = membership.join(tmp_path / "two", tmp_path / "two.invite", code, "manager", PASSPHRASE, KeyringStore())
    yield session, b
    if not b.locked:
        b.lock("test")
    shutil.rmtree(hub, ignore_errors=True)


def _shared_case(a, b):
    parent, kid = family(a)
    case = cases.open_case(a, parent.id, kid.id, level="level_2", opened_on=date(2026, 1, 5))
    membership.sync(a)
    membership.sync(b)
    return case


def _everyone_syncs(a, b):
    for s in (a, b, a, b):
        membership.sync(s)


def _state(s, case):
    return (cases.load_case(s, case.id).status,
            [(h.state, h.how, h.changed_on) for h in states.state_history(s, case.id)],
            s.conn.execute("SELECT count(*) FROM sync_conflict").fetchone()[0])


def test_two_computers_sweeping_the_same_case_meet_as_one_change(pair):
    a, b = pair
    case = _shared_case(a, b)
    assert states.sweep_inactive(a, today=TODAY) == [case.reference]
    assert states.sweep_inactive(b, today=TODAY) == [case.reference]
    _everyone_syncs(a, b)
    expected = ("inactive", [("open", "opened", "2026-01-05"), ("inactive", "no_contact", "2026-04-05")], 0)
    assert _state(a, case) == expected
    assert _state(b, case) == expected
    assert states.sweep_inactive(a, today=TODAY) == [] and states.sweep_inactive(b, today=TODAY) == []


def test_a_note_the_sweeping_computer_had_not_received_keeps_the_case_open(pair):
    a, b = pair
    case = _shared_case(a, b)
    notes.add_note(a, case.id, "phone_call", date(2026, 4, 1), 10, "Rang the school.", today=TODAY)
    assert states.sweep_inactive(b, today=date(2026, 4, 20)) == [case.reference]   # b has no note: 5 April
    _everyone_syncs(a, b)
    for s in (a, b):
        states.sweep_inactive(s, today=date(2026, 4, 20))
    _everyone_syncs(a, b)
    expected = ("open", [("open", "opened", "2026-01-05")], 0)
    assert _state(a, case) == expected
    assert _state(b, case) == expected
