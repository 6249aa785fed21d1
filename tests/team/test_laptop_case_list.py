"""The laptop lists the caseworker's open cases to tick (docs/sync.md §14, "The list of one's
cases"): asked for like a check-out, answered by an office computer in its package for the
laptop; cases out elsewhere are marked; check in one case and the other stays; when every
case is back the list, which names families, goes too."""

from app.services.team.laptop import checkout, replica
from app.services.team.state import get
from tests.team.laptop_world import add_laptop, family_case, sync_all


def test_the_office_lists_my_open_cases_for_the_laptop_and_one_case_checks_in_alone(make_team):
    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    (a_id, a_ref), (b_id, b_ref), (c_id, c_ref) = (family_case(office, n) for n in ("Hartley", "Pryce", "Lowe"))
    other = add_laptop(team, "Laptop 2")
    checkout.request(other, [c_ref])
    sync_all(team.hub, other, office, other)

    assert checkout.my_cases(laptop).listed_at is None
    assert checkout.ask_for_list(laptop) is True
    assert checkout.ask_for_list(laptop) is False            # one request at a time
    assert checkout.my_cases(laptop).asking
    sync_all(team.hub, laptop, office, laptop)
    listed = checkout.my_cases(laptop)
    assert not listed.asking and listed.listed_at
    by_ref = {c.ref: c for c in listed.cases}
    assert set(by_ref) == {a_ref, b_ref, c_ref}
    assert by_ref[a_ref].client == "Mabel Hartley" and by_ref[a_ref].child == "Owen Hartley"
    assert by_ref[c_ref].out_on == "Laptop 2" and not by_ref[a_ref].out_on
    assert len(listed.not_here) == 3
    # The list request is no check-out: neither laptop's table nor the office's shows it.
    assert all(c.case_ref != checkout.LIST for c in checkout.list_checkouts(office, include_closed=True))

    checkout.request(laptop, [a_ref, b_ref])                 # the two ticked
    sync_all(team.hub, laptop, office, laptop)
    assert {c.ref for c in checkout.my_cases(laptop).cases if c.here} == {a_ref, b_ref}

    result = checkout.check_in(laptop, [a_id], sync=lambda s: sync_all(team.hub, s, office, s))
    assert result.returned == [a_ref]
    assert replica.out_here(laptop.conn) == [b_id]
    assert laptop.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (a_id,)).fetchone()[0] == 0
    assert laptop.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (b_id,)).fetchone()[0] == 1
    assert get(laptop.conn, replica.DIRECTORY)                  # a case is still here: the list stays

    checkout.check_in(laptop, sync=lambda s: sync_all(team.hub, s, office, s))
    assert get(laptop.conn, replica.DIRECTORY) is None          # everything back: no family's name left
