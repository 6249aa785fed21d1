"""A snapshot's restore replaces every row without running this connection's compartment
watchers row by row (they would also rule out SQLite's transfer optimisation: docs/sync.md
§10); the volunteers' compartments then compare the tables whole, so a person who arrived
in the snapshot reaches a volunteer's compartment all the same."""

from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.team import snapshot
from app.services.team.sync import sync_now
from app.services.vault import compartment, staff

TEMP = "temporary words for vera 9"


def _in_compartment(session, last_name: str) -> int:
    compartment._attach(session.conn, compartment.db_path(session.paths, "vera"),
                        compartment.key_of(session.conn, "vera"))
    try:
        return session.conn.execute("SELECT count(*) FROM vol.person WHERE last_name = ?", (last_name,)).fetchone()[0]
    finally:
        session.conn.execute("DETACH DATABASE vol")


def _watchers(session) -> int:
    return session.conn.execute("SELECT count(*) FROM temp.sqlite_master WHERE type = 'trigger' "
                                "AND name LIKE 'compartment%'").fetchone()[0]


def test_a_person_restored_from_a_snapshot_reaches_a_volunteers_compartment(make_team):
    team = make_team(2)
    a, b = team.sessions
    staff.add_staff(b, "vera", "Vera Volunteer", "volunteer", TEMP)
    sync_now(b, team.hub)
    compartment.sync(b, "vera", True)
    watching = _watchers(b)
    people.create_person(a, PersonInput(kind="parent_carer", first_name="Ivy", last_name="Quillfeather"))
    sync_now(a, team.hub)
    snapshot.put_snapshot(a.conn, team.hub)
    snapshot.restore_latest(b.conn, team.hub)
    assert _watchers(b) < watching          # those on the tables it replaced (not drafts, settings)
    compartment.sync(b, "vera", True)
    assert _in_compartment(b, "Quillfeather") == 1
    assert _watchers(b) == watching
