"""Attack: a volunteer reads the service's list of people in bulk (docs/security.md, "Bulk reads").

Reproduced on the old code: a search for an area's name listed every person in it, a school's
name every child at it, and a loop of find_people over two-letter starts of names listed every
person in about a second, nothing refused. Now every person-returning path a volunteer can
reach has the same limits (a typed name, at most 20 rows, names only), and each account has a
budget of different people read in a window: past it the read is refused in plain words, and
the manager's dashboard names the account."""

import itertools
import string
from datetime import timedelta

import pytest
from faker import Faker

from app.errors import ReadLimitReached
from app.services.casework import people, read_budget, search
from app.services.casework.people import PersonInput
from app.services.reports import dashboard
from app.services.vault import compartment
from app.storage.db import transaction
from tests.unit.casework_helpers import add_worker

SCHOOL, AREA = "Oakfield Primary", "Kirkstall"


@pytest.fixture
def crowd(session, data_dir):
    """200 people (Faker en_GB): 38 children at one school, 62 people in one area."""
    fake = Faker("en_GB")
    Faker.seed(23)
    with transaction(session.conn):
        for i in range(200):
            child = i < 38
            people.create_person_in_tx(session, PersonInput(
                kind="child" if child else "parent_carer", first_name=fake.first_name(),
                last_name=fake.last_name(), school_name=SCHOOL if child else None,
                area=AREA if 38 <= i < 100 else fake.city()))
    return add_worker(session, data_dir, "vera", role="volunteer")


def _everyone_by_prefix(vol) -> set[str]:
    seen = set()
    for a, b in itertools.product(string.ascii_lowercase, repeat=2):
        seen |= {p.id for p in people.find_people(vol, text=a + b, limit=1000)}
    return seen


def test_a_volunteer_search_matches_names_only_and_at_most_twenty(session, crowd):
    # Failed before: the area's name listed 62 people, the school's all 38 of its children.
    assert search.search(crowd, AREA, limit=1000) == []
    assert search.search(crowd, SCHOOL, limit=1000) == []
    assert len(search.search(session, AREA, limit=1000)) == 62          # staff search the whole index
    assert search.search(crowd, "a", limit=1000) == []                  # one letter lists nobody
    some_name = people.find_people(session, text="", limit=1)[0].last_name
    hits = search.search(crowd, some_name[:2], limit=1000)
    assert hits and len(hits) <= read_budget.VOLUNTEER_MAX_ROWS and {h.kind for h in hits} == {"person"}


def test_a_loop_of_look_ups_is_refused_past_the_budget_and_the_manager_sees_it(session, crowd):
    # Failed before: 676 two-letter look-ups listed all 200 people, nothing refused.
    budget = read_budget.limits(session).volunteer
    assert budget < 200
    with pytest.raises(ReadLimitReached) as refused:
        _everyone_by_prefix(crowd)
    message = refused.value.message
    assert f"{budget:,} a volunteer's account may look up" in message and "ask your manager" in message
    # The count is kept where the volunteer works: their compartment (docs/security.md).
    read = {r[0] for r in crowd.conn.execute("SELECT person_id FROM person_read WHERE username = 'vera'")}
    assert len(read) <= budget
    # Search draws on the same budget: no second route to the rest.
    everyone = session.conn.execute("SELECT id, last_name FROM person").fetchall()
    with pytest.raises(ReadLimitReached):
        for person_id, name in everyone:
            if person_id not in read:
                search.search(crowd, name)
    # People already read stay readable: a volunteer finishing a call is not stopped.
    known = next(name for person_id, name in everyone if person_id in read)
    assert {p.id for p in people.find_people(crowd, text=known)} <= read
    shown = dashboard.build_dashboard(session).section("read_budget").items
    assert [(i.text, i.target_type, i.target_id) for i in shown] == [
        ("Vera Worker (vera)", "staff", crowd.user.id)]
    assert "refused" in shown[0].detail


def test_the_window_passes_and_the_manager_sets_the_budget(session, crowd, monkeypatch):
    with pytest.raises(ReadLimitReached):
        _everyone_by_prefix(crowd)
    later = read_budget._now() + timedelta(hours=read_budget.limits(session).hours, minutes=1)
    monkeypatch.setattr(read_budget, "_now", lambda: later)
    assert people.find_people(crowd, text="Ha") is not None          # the window has passed
    read_budget.set_limits(session, 250, 1500, 8)
    compartment.sync_all(session)  # reaches the volunteer's compartment, as at the manager's next lock
    assert len(_everyone_by_prefix(crowd)) == 200


def test_the_manager_has_no_budget_and_a_caseworker_a_larger_one(session, crowd, data_dir):
    assert len(_everyone_by_prefix(session)) == 200
    worker = add_worker(session, data_dir, "casey")
    assert len(_everyone_by_prefix(worker)) == 200
    read_budget.set_limits(session, 150, 50, 8)
    other = add_worker(session, data_dir, "cara")
    with pytest.raises(ReadLimitReached, match="50 a caseworker's account"):
        _everyone_by_prefix(other)
