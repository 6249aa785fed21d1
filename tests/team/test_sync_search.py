"""Sync writes remote edits column by column and skips search entries an edit cannot change
(apply.SEARCH_READS): the search index after sync must still equal a full rebuild, and a row
that is not where the sender's edit started still ends up equal to the sender's."""

from app.services.casework import cases, notes, people
from app.services.casework.people import PersonInput
from app.services.team import snapshot, state
from app.services.team.sync import sync_now
from app.storage.db import transaction
from tests.team.replica import rows_of, seed_case


def _search_entries(conn) -> set[tuple]:
    out = set()
    for table in ("search_index", "note_search"):
        out |= {tuple(r) for r in conn.execute(
            f"SELECT k.kind, k.ref_id, s.case_id, s.title, s.body FROM search_key k JOIN {table} s "
            "ON s.rowid = k.id")}
    return out


def _person_input(p, **changes) -> PersonInput:
    fields = {name: getattr(p, name) for name in ("kind", "first_name", "last_name", "known_as", "postcode",
                                                  "phone_mobile", "area", "date_of_birth")}
    return PersonInput(**{**fields, **changes})


def test_search_index_after_sync_equals_a_full_rebuild(make_team):
    team = make_team(2)
    a, b = team.sessions
    case_id = seed_case(a)
    note = notes.add_note(a, case_id, "phone_call", "2026-01-05", 10, "Talked about the transport policy")
    sync_now(a, team.hub)
    sync_now(b, team.hub)
    case = cases.get_case(a, case_id)
    parent, child = people.get_person(a, case.client_id), people.get_person(a, case.child_id)

    people.update_person(a, parent.id, _person_input(parent, phone_mobile="07700 900456"))  # not indexed
    people.update_person(a, child.id, _person_input(child, first_name="Rowan"))              # case title too
    notes.edit_note(a, note.id, "phone_call", "2026-01-05", 10, "Talked about the tribunal bundle")
    cases.update_case(a, case_id, level="level_3")                                         # not indexed
    sync_now(a, team.hub)
    sync_now(b, team.hub)

    synced = _search_entries(b.conn)
    assert any("Rowan" in e[3] for e in synced if e[0] == "case")
    assert any("tribunal" in e[4] for e in synced if e[0] == "note")
    with transaction(b.conn):
        snapshot.index_everything(b.conn)
    assert synced == _search_entries(b.conn)
    assert rows_of(a) == rows_of(b)


def test_a_row_not_at_the_senders_starting_version_takes_the_whole_after_image(make_team):
    team = make_team(2)
    a, b = team.sessions
    person = people.create_person(a, PersonInput(kind="parent_carer", first_name="Ada", last_name="Pryce"))
    sync_now(a, team.hub)
    sync_now(b, team.hub)
    # Damage b's copy behind the engine's back (capture off): another version, another email.
    with transaction(b.conn):
        state.set_capture(b.conn, False)
        b.conn.execute("UPDATE person SET version = version + 5, email = 'stale@example.org' WHERE id = ?",
                       (person.id,))
        state.set_capture(b.conn, True)
    people.update_person(a, person.id, _person_input(people.get_person(a, person.id), postcode="NE1 4AB"))
    sync_now(a, team.hub)
    sync_now(b, team.hub)
    mine, theirs = people.get_person(b, person.id), people.get_person(a, person.id)
    assert (mine.postcode, mine.email, mine.version) == ("NE1 4AB", None, theirs.version)
    assert rows_of(a) == rows_of(b)
