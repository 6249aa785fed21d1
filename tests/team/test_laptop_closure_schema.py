"""The laptop's casework closure comes from the schema's foreign keys (docs/sync.md §14): a
table added later is covered, a bundle touching records a laptop does not hold is applied in
part by rule, and a record of its cases it cannot write is said and fetched again."""

from datetime import UTC, date, datetime

import pytest

from app.services.casework import cases, enquiries, notes, people
from app.services.casework.enquiry_corrections import EnquiryCorrection, correct_enquiry
from app.services.casework.people import PersonInput
from app.services.consent import records as consent
from app.services.team import snapshot
from app.services.team import team as engine
from app.services.team.laptop import checkout, closure
from app.services.team.laptop.schema import casework, unclassified
from app.services.team.sync import sync_now
from app.storage.db import transaction
from app.storage.hub.folder import FolderHub
from tests.team.conftest import new_vault
from tests.team.laptop_world import add_laptop, family_case, sync_all
from tests.team.test_compaction import TEAM, _pg_hubs
from tests.unit.casework_helpers import phone_enquiry


@pytest.fixture
def world(make_team):
    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    return team.hub, office, laptop


def _check_out(office, laptop, hub, refs):
    checkout.request(laptop, refs)
    sync_all(hub, laptop, office, laptop)


def _enquiry_case(session, surname: str) -> tuple[str, str, str]:
    """A case opened from a recorded enquiry. Returns (case id, reference, enquiry id)."""
    parent = people.create_person(session, PersonInput(kind="parent_carer", first_name="Ruth", last_name=surname))
    child = people.create_person(session, PersonInput(kind="child", first_name="Alfie", last_name=surname,
                                                      date_of_birth="2014-06-01"))
    people.link_relationship(session, parent.id, child.id, "mother", parental_responsibility=True)
    made = enquiries.record_enquiry(session, phone_enquiry(caller_id=parent.id, child_id=child.id)).enquiry
    case = cases.open_case(session, parent.id, child.id, enquiry_id=made.id)
    return case.id, case.reference, made.id


def _correct(session, enquiry_id: str, summary: str) -> None:
    correct_enquiry(session, enquiry_id, EnquiryCorrection(datetime.now(UTC), "email", summary))


def _refused(session) -> list[str]:
    return [r[0] for r in session.conn.execute("SELECT reason FROM sync_refused")]


def test_enquiry_correction_does_not_cut_laptop_off(world):
    hub, office, laptop = world
    out_id, out_ref, out_enquiry = _enquiry_case(office, "Hartley")
    _, _, other_enquiry = _enquiry_case(office, "Lowther")
    sync_all(hub, office, laptop)
    _check_out(office, laptop, hub, [out_ref])
    _correct(office, other_enquiry, "Corrected in the office: not a case on the laptop.")
    sync_all(hub, office, laptop)
    _correct(office, out_enquiry, "Corrected: the laptop's own case.")
    notes.add_note(office, out_id, "phone_call", date(2026, 1, 7), 5, "Written after the correction.")
    sync_all(hub, office, laptop)
    assert _refused(laptop) == []
    bodies = {r[0] for r in laptop.conn.execute("SELECT body FROM note")}
    assert "Written after the correction." in bodies
    held = {r[0] for r in laptop.conn.execute("SELECT enquiry_id FROM enquiry_revision")}
    assert held == {out_enquiry}        # its own case's correction; not the other family's
    summary = laptop.conn.execute("SELECT summary FROM enquiry WHERE id = ?", (out_enquiry,)).fetchone()[0]
    assert summary == "Corrected: the laptop's own case."
    # And the laptop's own edits still reach the office.
    notes.add_note(laptop, out_id, "meeting", date(2026, 1, 8), 30, "Home visit after the correction.")
    sync_all(hub, laptop, office)
    assert _refused(office) == []
    assert office.conn.execute("SELECT count(*) FROM note WHERE body LIKE 'Home visit after%'").fetchone()[0] == 1


def test_every_replicated_table_is_casework_or_declared_shared(world):
    _, office, _ = world
    assert unclassified(office.conn) == []
    with transaction(office.conn):
        office.conn.execute("CREATE TABLE scratch_register (id TEXT PRIMARY KEY, what TEXT)")
    assert unclassified(office.conn) == ["scratch_register"]


def test_a_new_casework_table_joins_the_closure_from_its_foreign_key(world):
    _, office, _ = world
    case_id, _ = family_case(office, "Hartley")
    other_id, _ = family_case(office, "Lowther")
    with transaction(office.conn):
        office.conn.execute("CREATE TABLE home_visit (id TEXT PRIMARY KEY, case_id TEXT NOT NULL "
                            "REFERENCES casefile(id), note TEXT)")
        office.conn.execute("CREATE TABLE home_visit_photo (id TEXT PRIMARY KEY, visit_id TEXT NOT NULL "
                            "REFERENCES home_visit(id))")
        office.conn.execute("CREATE INDEX home_visit_case ON home_visit (case_id)")
        office.conn.execute("CREATE INDEX home_visit_photo_visit ON home_visit_photo (visit_id)")
        office.conn.executemany("INSERT INTO home_visit VALUES (?, ?, 'kitchen table')",
                                [("v-out", case_id), ("v-other", other_id)])
        office.conn.execute("INSERT INTO home_visit_photo VALUES ('p-out', 'v-out')")
    cw = casework(office.conn)
    assert {"home_visit", "home_visit_photo", "enquiry_revision"} <= set(cw.tables)
    assert unclassified(office.conn) == []
    got = closure.case_closure(office.conn, [case_id])
    assert got["home_visit"] == {"v-out"} and got["home_visit_photo"] == {"p-out"}


def test_a_laptop_joins_after_a_snapshot_holding_an_enquiry_correction(make_team):
    team = make_team(1)
    office = team.sessions[0]
    _, _, enquiry_id = _enquiry_case(office, "Hartley")
    _correct(office, enquiry_id, "Corrected before the snapshot.")
    sync_now(office, team.hub)
    snapshot.put_snapshot(office.conn, team.hub)
    late = add_laptop(team, "Laptop 2")
    assert late.conn.execute("SELECT count(*) FROM enquiry_revision").fetchone()[0] == 0
    assert late.conn.execute("SELECT count(*) FROM enquiry").fetchone()[0] == 0


class _PerComputerLogins:
    """One PostgreSQL hub as the test's computers see it: each writes with its own login
    (the one its invitation carries; pghub refuses a login writing for another computer),
    everything else goes through the founding login."""

    def __init__(self, founder):
        self._founder, self._mine = founder, {}

    def __getattr__(self, name):
        return getattr(self._founder, name)

    def _as(self, device_id):
        return self._mine.get(device_id, self._founder)

    def add_device_login(self, device_id, manager=False):
        from app.storage.hub.postgres import PostgresHub

        location = self._founder.add_device_login(device_id, manager)
        self._mine[device_id] = PostgresHub(location, TEAM)
        return location

    def append(self, seq, device_id, kind, payload):
        return self._as(device_id).append(seq, device_id, kind, payload)

    def put_snapshot(self, upto_seq, device_id, payload):
        return self._as(device_id).put_snapshot(upto_seq, device_id, payload)

    def close(self):
        for hub in self._mine.values():
            hub.close()
        self._founder.close()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["folder", "postgres"])
def test_enquiry_correction_in_a_snapshot_lets_laptops_restart_and_join(tmp_path, template_root, kind, request):
    if kind == "folder":
        hub = FolderHub(tmp_path / "hub", TEAM, create=True)
    else:
        founder, admin = _pg_hubs(request.getfixturevalue("postgres_server"))
        admin.close()
        hub = _PerComputerLogins(founder)
    try:
        office = new_vault(template_root, tmp_path / "office")
        engine.create_team(office, hub, "Northshire SENDIASS", team_id=TEAM)
        laptop = new_vault(template_root, tmp_path / "laptop")
        engine.join_team(laptop, hub, {**engine.invite_device(office, hub, "Laptop 1"), "kind": "laptop"})
        case_id, ref, enquiry_id = _enquiry_case(office, "Hartley")
        sync_all(hub, office, laptop)
        _check_out(office, laptop, hub, [ref])
        _correct(office, enquiry_id, "Corrected: goes into the snapshot.")
        _, _, other = _enquiry_case(office, "Lowther")
        _correct(office, other, "Another family's correction.")
        sync_now(office, hub)
        snapshot.put_snapshot(office.conn, hub)
        # A laptop restarting from that snapshot (as after a forced compaction) keeps its case.
        assert snapshot.restore_latest(laptop.conn, hub) > 0
        assert laptop.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (case_id,)).fetchone()[0] == 1
        sync_now(laptop, hub)
        # A new laptop joins from it.
        late = new_vault(template_root, tmp_path / "late")
        engine.join_team(late, hub, {**engine.invite_device(office, hub, "Laptop 2"), "kind": "laptop"})
        assert late.conn.execute("SELECT count(*) FROM enquiry_revision").fetchone()[0] == 0
    finally:
        hub.close()


def test_a_record_of_its_case_naming_what_the_laptop_lacks_is_said_and_fetched_again(world):
    hub, office, laptop = world
    case_id, ref = family_case(office, "Hartley")
    sync_all(hub, office, laptop)
    _check_out(office, laptop, hub, [ref])
    # A professional recorded in the office in one sync; a consent naming them in the next.
    pro = people.create_person(office, PersonInput(kind="professional", first_name="Priya", last_name="Nandra",
                                                   job_title="Educational psychologist"))
    sync_all(hub, office, laptop)
    client = office.conn.execute("SELECT client_id FROM casefile WHERE id = ?", (case_id,)).fetchone()[0]
    made = consent.record_consent(office, case_id, client, "share_with", "verbal_phone",
                                  counterparty_person_id=pro.id, today=date(2026, 1, 9))
    sync_now(office, hub)
    told = sync_now(laptop, hub)
    assert any(ref in line and "does not hold" in line for line in told.refused)
    # The laptop asked for the case again; the office sends it afresh, with what was missing.
    sync_all(hub, office, laptop)
    assert laptop.conn.execute("SELECT count(*) FROM consent WHERE id = ?", (made.id,)).fetchone()[0] == 1
    assert laptop.conn.execute("SELECT count(*) FROM person WHERE id = ?", (pro.id,)).fetchone()[0] == 1
    assert sync_now(laptop, hub).refused == []
    mine = [c for c in checkout.list_checkouts(office) if c.case_ref == ref]
    assert [c.state for c in mine] == ["out"]
