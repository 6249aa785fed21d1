"""Laptops as partial replicas: exactly the closure goes out, edits come back,
conflicts are held, past due is read-only, check-in erases."""

import json
from datetime import date, timedelta

import pytest

from app.services.casework import notes
from app.services.team import state
from app.services.team.laptop import checkout, closure
from app.services.team.laptop.schema import casework
from app.services.team.sync import sync_now
from app.storage.capture import columns, image_sql
from app.storage.db import transaction
from tests.team.laptop_world import add_laptop, family_case, sync_all


def _casework_rows(conn) -> dict[str, set[str]]:
    out = {}
    for table in casework(conn).tables:
        out[table] = {json.dumps(json.loads(r[0]), sort_keys=True) for r in conn.execute(
            f"SELECT {image_sql(columns(conn, table), table)} FROM {table}")}
    return out


def _closure_rows(conn, case_ids) -> dict[str, set[str]]:
    rows = closure.rows_of_closure(conn, closure.case_closure(conn, case_ids))
    return {t: {json.dumps(r, sort_keys=True) for r in rows.get(t, [])} for t in casework(conn).tables}


def _check_out(office, laptop, hub, refs, days=None):
    checkout.request(laptop, refs, days)
    sync_all(hub, laptop, office, laptop)


@pytest.fixture
def world(make_team):
    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    return team.hub, office, laptop


def test_laptop_starts_empty_and_gets_exactly_the_closure(world):
    hub, office, laptop = world
    wanted = [family_case(office, "Hartley"), family_case(office, "Pryce")]
    family_case(office, "Lowther")                  # stays in the office
    sync_all(hub, office, laptop)
    assert all(not rows for rows in _casework_rows(laptop.conn).values())
    _check_out(office, laptop, hub, [ref for _, ref in wanted])
    assert _casework_rows(laptop.conn) == _closure_rows(office.conn, [cid for cid, _ in wanted])
    shown = {c.case_ref: c.where() for c in checkout.list_checkouts(office)}
    due = (date.today() + timedelta(days=14)).strftime("%d/%m/%Y")
    assert shown[wanted[0][1]].startswith("out on Laptop 1 with manager since ")
    assert shown[wanted[0][1]].endswith(f"due back {due}")


def test_offline_edits_come_back_and_checkin_erases(world):
    hub, office, laptop = world
    case_id, ref = family_case(office, "Hartley")
    other_id, _ = family_case(office, "Lowther")
    sync_all(hub, office, laptop)
    _check_out(office, laptop, hub, [ref])
    notes.add_note(laptop, case_id, "meeting", date(2026, 1, 7), 60, "Home visit: signed consent on screen.")
    # Meanwhile the office adds a note to the same case and one to another case.
    notes.add_note(office, case_id, "phone_call", date(2026, 1, 7), 5, "Office call while out.")
    notes.add_note(office, other_id, "phone_call", date(2026, 1, 7), 5, "Not for the laptop.")
    sync_all(hub, office, laptop)
    bodies = {r[0] for r in laptop.conn.execute("SELECT body FROM note")}
    assert "Office call while out." in bodies and "Not for the laptop." not in bodies
    result = checkout.check_in(laptop, sync=lambda s: sync_all(hub, s, office, s))
    assert result.returned == [ref]
    assert all(not rows for rows in _casework_rows(laptop.conn).values())
    sync_now(office, hub)
    assert office.conn.execute("SELECT count(*) FROM note WHERE body LIKE 'Home visit%'").fetchone()[0] == 1
    assert checkout.list_checkouts(office) == []


def test_same_note_edited_on_both_sides_is_a_conflict_and_nothing_is_lost(world):
    hub, office, laptop = world
    case_id, ref = family_case(office, "Hartley")
    sync_all(hub, office, laptop)
    _check_out(office, laptop, hub, [ref])
    note_id = laptop.conn.execute("SELECT id FROM note WHERE case_id = ?", (case_id,)).fetchone()[0]
    n = notes.get_note(office, note_id)
    notes.edit_note(office, note_id, n.note_type, n.occurred_on, n.minutes_spent, "Office version.")
    notes.edit_note(laptop, note_id, n.note_type, n.occurred_on, n.minutes_spent, "Laptop version.")
    sync_all(hub, office, laptop)
    held = laptop.conn.execute("SELECT mine_img, theirs_img FROM sync_conflict WHERE tbl = 'note' AND "
                               "resolved_at IS NULL").fetchall()
    assert len(held) == 1
    # Both kept the same earlier text as revision 1: not a second clash for the caseworker.
    assert laptop.conn.execute("SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL").fetchone()[0] == 1
    assert json.loads(held[0][0])["body"] == "Laptop version."
    assert json.loads(held[0][1])["body"] == "Office version."
    with pytest.raises(checkout.CheckoutError, match="clashed"):
        checkout.check_in(laptop, sync=lambda s: sync_now(s, hub))
    assert laptop.conn.execute("SELECT count(*) FROM casefile").fetchone()[0] == 1   # nothing erased


def test_the_closure_reads_through_indexes_only(world):
    """At 50,000 cases a full scan per check-out is what grows with the service: every query
    the office runs to find a closure must use an index (schema 14 added the last two)."""
    _, office, _ = world
    case_id, _ = family_case(office, "Hartley")
    seen: list[str] = []
    office.conn.set_trace_callback(seen.append)
    try:
        closure.rows_of_closure(office.conn, closure.case_closure(office.conn, [case_id]))
    finally:
        office.conn.set_trace_callback(None)
    selects = [q for q in seen if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) > 20
    scans = {q: [r[3] for r in office.conn.execute("EXPLAIN QUERY PLAN " + q) if r[3].startswith("SCAN ") and "sqlite_master" not in r[3]]
             for q in selects}
    assert {q: s for q, s in scans.items() if s} == {}


def test_past_due_laptop_cannot_edit_but_can_check_in(world):
    hub, office, laptop = world
    case_id, ref = family_case(office, "Hartley")
    sync_all(hub, office, laptop)
    _check_out(office, laptop, hub, [ref])
    assert checkout.past_due(laptop) == []
    with transaction(laptop.conn):     # the due-back date passes on the laptop's clock
        state.set_capture(laptop.conn, False)
        laptop.conn.execute("UPDATE case_checkout SET due_back = ?", ((date.today() - timedelta(days=1)).isoformat(),))
        state.set_capture(laptop.conn, True)
    assert checkout.past_due(laptop) == [ref]
    with pytest.raises(Exception, match="past their due-back date"):
        notes.add_note(laptop, case_id, "meeting", date(2026, 1, 7), 5, "Too late.")
    assert laptop.conn.execute("SELECT count(*) FROM note WHERE body = 'Too late.'").fetchone()[0] == 0
    notes.add_note(office, case_id, "phone_call", date(2026, 1, 7), 5, "The office still can.")
    checkout.check_in(laptop, sync=lambda s: sync_all(hub, s, office, s))
    assert laptop.conn.execute("SELECT count(*) FROM casefile").fetchone()[0] == 0


def test_unknown_or_taken_case_is_refused(world):
    hub, office, laptop = world
    _, ref = family_case(office, "Hartley")
    sync_all(hub, office, laptop)
    _check_out(office, laptop, hub, [ref, "CAS-2020-99999"])
    mine = {c.case_ref: c for c in checkout.list_checkouts(laptop, device_only=True, include_closed=True)}
    assert mine[ref].state == "out"
    assert mine["CAS-2020-99999"].state == "refused" and "no case" in mine["CAS-2020-99999"].reason


def test_lost_laptop_is_revoked_its_cases_released_and_the_gap_named(world):
    from app.services.team.laptop import lost

    hub, office, laptop = world
    case_id, ref = family_case(office, "Hartley")
    sync_all(hub, office, laptop)
    _check_out(office, laptop, hub, [ref])
    notes.add_note(laptop, case_id, "meeting", date(2026, 1, 7), 30, "Synced before the train.")
    sync_now(laptop, hub)
    notes.add_note(laptop, case_id, "meeting", date(2026, 1, 8), 30, "Never synced.")
    report = lost.release_lost(office, "Laptop 1", hub=hub)
    assert [c.case_ref for c in report] == [ref]
    last = [e for e in hub.read_after(0) if e.device_id == state.get(laptop.conn, "device_id")][-1]
    assert report[0].last_on_hub == last.created_at
    assert f"after {last.created_at} never reached the hub" in report[0].line()
    bodies = {r[0] for r in office.conn.execute("SELECT body FROM note")}
    assert "Synced before the train." in bodies and "Never synced." not in bodies
    assert checkout.list_checkouts(office) == []
    assert office.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'checkout_released'").fetchone()[0] == 1
    from app.services.team import membership

    assert [d.revoked for d in membership.device_list(office) if d.name == "Laptop 1"] == [True]


def test_ask_for_all_my_open_cases(world):
    hub, office, laptop = world
    made = [family_case(office, n) for n in ("Hartley", "Pryce")]
    sync_all(hub, office, laptop)
    result = checkout.check_out(laptop, [checkout.MINE], wait=0, sync=lambda s: sync_all(hub, s, office, s))
    assert sorted(result.out) == sorted(ref for _, ref in made) and result.waiting == []
    assert _casework_rows(laptop.conn) == _closure_rows(office.conn, [cid for cid, _ in made])


def test_later_office_records_follow_their_case_with_the_people_they_name(world):
    from app.services.casework import people
    from app.services.casework.people import PersonInput
    from app.services.consent import records as consent

    hub, office, laptop = world
    case_id, ref = family_case(office, "Hartley")
    other_id, _ = family_case(office, "Lowther")
    sync_all(hub, office, laptop)
    _check_out(office, laptop, hub, [ref])
    client = office.conn.execute("SELECT client_id FROM casefile WHERE id = ?", (case_id,)).fetchone()[0]
    other_client = office.conn.execute("SELECT client_id FROM casefile WHERE id = ?", (other_id,)).fetchone()[0]
    pro = people.create_person(office, PersonInput(kind="professional", first_name="Priya", last_name="Nandra",
                                                   job_title="Educational psychologist"))
    made = consent.record_consent(office, case_id, client, "share_with", "verbal_phone",
                                  counterparty_person_id=pro.id, today=date(2026, 1, 9))
    elsewhere = consent.record_consent(office, other_id, other_client, "share_with", "verbal_phone",
                                       counterparty_person_id=pro.id, today=date(2026, 1, 9))
    sync_all(hub, office, laptop)
    assert laptop.conn.execute("SELECT count(*) FROM consent WHERE id = ?", (made.id,)).fetchone()[0] == 1
    assert laptop.conn.execute("SELECT count(*) FROM person WHERE id = ?", (pro.id,)).fetchone()[0] == 1
    assert laptop.conn.execute("SELECT count(*) FROM consent WHERE id = ?", (elsewhere.id,)).fetchone()[0] == 0
    assert laptop.conn.execute("SELECT count(*) FROM sync_refused").fetchone()[0] == 0
    assert _casework_rows(laptop.conn) == _closure_rows(office.conn, [case_id])


def test_checkin_erases_nothing_until_every_office_computer_has_applied_the_laptops_entries(make_team):
    team = make_team(2)
    office, second = team.sessions
    laptop = add_laptop(team)
    case_id, ref = family_case(office, "Hartley")
    sync_all(team.hub, office, second, laptop)
    _check_out(office, laptop, team.hub, [ref])
    notes.add_note(laptop, case_id, "meeting", date(2026, 1, 7), 30, "Only on the laptop so far.")
    # The first office computer syncs with the laptop; the second is switched off.
    with pytest.raises(checkout.CheckoutError, match="computer2 has not yet applied them"):
        checkout.check_in(laptop, sync=lambda s: sync_all(team.hub, s, office, s))
    assert laptop.conn.execute("SELECT count(*) FROM note WHERE body LIKE 'Only on the laptop%'").fetchone()[0] == 1
    sync_now(second, team.hub)
    assert second.conn.execute("SELECT count(*) FROM note WHERE body LIKE 'Only on the laptop%'").fetchone()[0] == 1
    result = checkout.check_in(laptop, sync=lambda s: sync_now(s, team.hub))
    assert result.erased_rows > 0
    assert laptop.conn.execute("SELECT count(*) FROM casefile").fetchone()[0] == 0
