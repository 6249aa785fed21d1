"""What the office decides when a laptop asks for cases (docs/sync.md §14): the firewall and
the role matrix for the person asking, and the due-back date by the office's own clock."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.services.casework import cases, notes, people
from app.services.casework.people import PersonInput
from app.services.team import state
from app.services.team.laptop import checkout
from app.services.team.laptop import office as office_side
from app.services.vault import staff
from app.storage import records
from app.storage.db import transaction
from tests.team.laptop_world import add_laptop, family_case, sync_all

TEMP = "temporary passphrase 4471"


@pytest.fixture
def world(make_team):
    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    return team.hub, office, laptop


def _ask(laptop, ref: str, username: str, requested_at: str | None = None, due_back: str | None = None) -> None:
    """The request row a laptop writes when `username` asks for `ref` on it (captured)."""
    me = state.device(laptop.conn, state.get(laptop.conn, "device_id"))
    now = datetime.now(UTC)
    with transaction(laptop.conn):
        records.insert(laptop.conn, "case_checkout", {
            "case_ref": ref, "device_id": me.device_id, "device_name": me.name, "staff_username": username,
            "requested_at": requested_at or now.isoformat(timespec="seconds"),
            "due_back": due_back or (now.date() + timedelta(days=14)).isoformat(), "state": "requested"},
            username)


def _answer(laptop, ref: str):
    return {c.case_ref: c for c in checkout.list_checkouts(laptop, device_only=True, include_closed=True)}[ref]


def test_checkout_refuses_a_firewalled_case_to_a_colleague_who_may_not_see_it(world):
    hub, office, laptop = world
    staff.add_staff(office, "casey", "Casey Worker", "caseworker", TEMP)
    young = people.create_person(office, PersonInput(kind="child", first_name="Ellie", last_name="Hartley",
                                                     date_of_birth="2009-05-01"))
    own = cases.open_case(office, young.id, young.id)            # her own case, the manager's
    _, parents_ref = family_case(office, "Pryce")                 # a parent's case: not firewalled
    sync_all(hub, office, laptop)
    _ask(laptop, own.reference, "casey")
    _ask(laptop, parents_ref, "casey")
    sync_all(hub, laptop, office, laptop)
    refused = _answer(laptop, own.reference)
    assert refused.state == "refused" and "young person's own case" in refused.reason and "R4" in refused.reason
    assert laptop.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (own.id,)).fetchone()[0] == 0
    assert laptop.conn.execute("SELECT count(*) FROM person WHERE id = ?", (young.id,)).fetchone()[0] == 0
    assert _answer(laptop, parents_ref).state == "out"
    # Her own worker (here the manager) may take it.
    _ask(laptop, own.reference, "manager")
    sync_all(hub, laptop, office, laptop)
    assert [c.state for c in checkout.list_checkouts(laptop, device_only=True) if c.case_ref == own.reference] == ["out"]


def test_a_volunteer_cannot_take_cases_out(world):
    hub, office, laptop = world
    staff.add_staff(office, "vera", "Vera Volunteer", "volunteer", TEMP)
    _, ref = family_case(office, "Pryce")
    sync_all(hub, office, laptop)
    _ask(laptop, ref, "vera")
    sync_all(hub, laptop, office, laptop)
    assert _answer(laptop, ref).state == "refused"


def test_the_office_sets_the_due_back_date_not_the_laptop_clock(world):
    hub, office, laptop = world
    _, ref = family_case(office, "Pryce")
    _, late_ref = family_case(office, "Lowther")
    sync_all(hub, office, laptop)
    # A laptop whose clock runs a year ahead asks for 14 days; one a year behind, for 10.
    ahead, behind = date.today() + timedelta(days=365), date.today() - timedelta(days=365)
    _ask(laptop, ref, "manager", f"{ahead.isoformat()}T09:00:00+00:00", (ahead + timedelta(days=14)).isoformat())
    _ask(laptop, late_ref, "manager", f"{behind.isoformat()}T09:00:00+00:00",
         (behind + timedelta(days=10)).isoformat())
    sync_all(hub, laptop, office, laptop)
    today = datetime.now(UTC).date()
    assert _answer(laptop, ref).due_back == (today + timedelta(days=14)).isoformat()
    assert _answer(laptop, late_ref).due_back == (today + timedelta(days=10)).isoformat()
    assert checkout.past_due(laptop) == []


def _office_clock(monkeypatch, hub, days: int) -> None:
    """The office's clock (and the hub's record of its entries) `days` away from the laptop's."""
    moved = lambda: datetime.now(UTC) + timedelta(days=days)  # noqa: E731
    monkeypatch.setattr(office_side, "_today", lambda: moved().date())
    hub._now = lambda: moved().isoformat(timespec="seconds")


def test_a_laptop_clock_behind_the_office_cannot_keep_cases_past_their_date(world, monkeypatch):
    hub, office, laptop = world
    _office_clock(monkeypatch, hub, 30)          # the laptop's clock is a month behind
    case_id, ref = family_case(office, "Pryce")
    sync_all(hub, office, laptop)
    checkout.request(laptop, [ref])
    sync_all(hub, laptop, office, laptop)
    assert checkout.past_due(laptop) == []
    _office_clock(monkeypatch, hub, 45)          # fifteen office days later the office writes
    notes.add_note(office, case_id, "phone_call", date(2026, 1, 7), 5, "Office call.")
    sync_all(hub, office, laptop)
    assert checkout.past_due(laptop) == [ref]


def test_a_laptop_clock_ahead_of_the_office_does_not_lock_its_cases_early(world, monkeypatch):
    hub, office, laptop = world
    _office_clock(monkeypatch, hub, -30)         # the laptop's clock is a month ahead
    _, ref = family_case(office, "Pryce")
    sync_all(hub, office, laptop)
    checkout.request(laptop, [ref])
    sync_all(hub, laptop, office, laptop)
    assert _answer(laptop, ref).state == "out"
    assert checkout.past_due(laptop) == []
