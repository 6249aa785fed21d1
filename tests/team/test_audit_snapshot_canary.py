"""Audit on the hub, snapshots for new computers, and no plaintext on the hub."""

import zlib

from app.services.casework import notes, people, search
from app.services.casework.people import PersonInput
from app.services.team import search_build, snapshot, state
from app.services.team import team as team_service
from app.services.team.audit_hub import verify_against_hub, verify_remote_chains
from app.services.team.sync import sync_now
from app.storage.db import transaction
from tests.team.conftest import new_vault
from tests.team.replica import rows_of, seed_case

CANARY = "Zephyrine Quillfeather-Oduya"


def test_audit_events_travel_and_a_local_rewrite_is_detected(make_team):
    team = make_team(2)
    a, b = team.sessions
    seed_case(a)
    sync_now(a, team.hub)
    sync_now(b, team.hub)
    a_id = state.get(a.conn, "device_id")
    mine = a.conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    kept = b.conn.execute("SELECT count(*) FROM sync_remote_audit WHERE device_id = ?", (a_id,)).fetchone()[0]
    assert kept == mine
    report = verify_against_hub(a.conn, team.hub)
    assert report.ok and report.on_hub == mine and report.not_yet_pushed == 0
    assert verify_remote_chains(b.conn) == []
    # A kept copy altered on b is noticed there too.
    with transaction(b.conn):
        b.conn.execute("UPDATE sync_remote_audit SET event = json_set(event, '$.action', 'nothing') "
                       "WHERE device_id = ? AND seq = 2", (a_id,))
    assert verify_remote_chains(b.conn) == ["Audit event 2 from computer 'Office computer 1' was altered "
                                            "after it was written."]

    # Offline for a while: new events are "not yet on the hub", which is not a failure.
    people.create_person(a, PersonInput(kind="professional", first_name="Ivo", last_name="Marsh"))
    report = verify_against_hub(a.conn, team.hub)
    assert report.ok and report.not_yet_pushed >= 1

    # Someone with the database key rewrites an event that was already sent.
    with transaction(a.conn):
        a.conn.execute("DROP TRIGGER audit_event_no_update")
        a.conn.execute("UPDATE audit_event SET actor = 'someone_else' WHERE seq = 3")
    report = verify_against_hub(a.conn, team.hub)
    assert not report.ok
    assert report.problems == ["Audit event 3 on this computer differs from the copy on the hub: it was "
                               "changed after it was sent."]


def test_truncated_local_audit_trail_is_detected(make_team):
    team = make_team(1)
    a = team.sessions[0]
    seed_case(a)
    sync_now(a, team.hub)
    last = a.conn.execute("SELECT max(seq) FROM audit_event").fetchone()[0]
    with transaction(a.conn):
        a.conn.execute("DROP TRIGGER audit_event_no_delete")
        a.conn.execute("DELETE FROM audit_event WHERE seq = ?", (last,))
    report = verify_against_hub(a.conn, team.hub)
    assert not report.ok and f"Audit event {last} is on the hub but missing" in report.problems[0]


def test_a_new_computer_starts_from_the_latest_snapshot_and_replays_the_rest(make_team):
    team = make_team(1)
    a = team.sessions[0]
    for _ in range(3):
        seed_case(a)
        sync_now(a, team.hub)
    upto = snapshot.put_snapshot(a.conn, team.hub)
    late = seed_case(a)
    notes.add_note(a, late, "letter", "2026-03-01", 20, "Written after the snapshot")
    sync_now(a, team.hub)
    invitation = team_service.invite_device(a, team.hub, "computer2")
    b = new_vault(team.template_root, team.root / "computer2")
    team.sessions.append(b)
    applied_entries = []
    original = team.hub.read_after
    team.hub.read_after = lambda seq, limit=None: (applied_entries.append(seq), original(seq, limit))[1]
    team_service.join_team(b, team.hub, invitation)
    # Control entries are read from the start (trust), changes only after the snapshot.
    assert applied_entries[:2] == [0, upto]
    sync_now(b, team.hub)
    sync_now(a, team.hub)
    assert rows_of(a) == rows_of(b)
    # Search works on the new computer for records that came in the snapshot, once its index
    # is built (after the join: docs/sync.md §10).
    assert search_build.status(b) is not None
    search_build.build_rest(b)
    early = a.conn.execute("SELECT id FROM casefile ORDER BY rowid LIMIT 1").fetchone()[0]
    assert early in {hit.ref_id for hit in search.search(b, "Hartley") if hit.kind == "case"}


def test_no_plaintext_on_the_hub(make_team):
    team = make_team(2)
    a, b = team.sessions
    person = people.create_person(a, PersonInput(kind="parent_carer", first_name=CANARY, last_name="Canary",
                                                 phone_mobile="07700 900999", address="12 Canary Wharf Row"))
    case_id = seed_case(a)
    notes.add_note(a, case_id, "meeting", "2026-01-09", 30, f"Met {CANARY} about the EHCP")
    sync_now(a, team.hub)
    snapshot.put_snapshot(a.conn, team.hub)
    sync_now(b, team.hub)
    assert people.get_person(b, person.id).first_name == CANARY
    needles = [CANARY.encode(), b"Canary Wharf", b"07700 900999", b"EHCP", b"Hartley", person.id.encode()]
    blobs = team.hub.all_bytes()
    assert len(blobs) >= 4
    for blob in blobs:
        candidates = [blob]
        try:
            candidates.append(zlib.decompress(blob[8:]))
        except zlib.error:
            pass
        for data in candidates:
            for needle in needles:
                assert needle not in data and needle.lower() not in data.lower()


def test_a_snapshot_from_a_removed_computer_is_passed_over(make_team):
    from app.services.team.sync import pull

    team = make_team(3)
    a, b, c = team.sessions
    for s in (a, b, c):
        sync_now(s, team.hub)
    team_service.revoke_device(a, team.hub, state.get(c.conn, "device_id"))
    pull(c.conn, team.hub)                       # c learns it was removed, but keeps old keys
    with transaction(c.conn):
        # Written raw, as the attacker holding the database key would (a removed computer
        # refuses every captured write: schema 17).
        state.set_capture(c.conn, False)
        c.conn.execute("INSERT INTO organisation (id, name, created_at, updated_at) VALUES "
                       "('forged', 'Forged Org', '2026-01-01', '2026-01-01')")
        state.set_capture(c.conn, True)
    snapshot.put_snapshot(c.conn, team.hub)
    invitation = team_service.invite_device(a, team.hub, "computer4")
    d = new_vault(team.template_root, team.root / "computer4")
    team.sessions.append(d)
    # The joiner refuses it and falls back to the newest snapshot whose signature holds
    # (docs/hub.md): one bad snapshot does not stop every join.
    team_service.join_team(d, team.hub, invitation)
    assert d.conn.execute("SELECT count(*) FROM organisation WHERE id = 'forged'").fetchone()[0] == 0
    assert d.conn.execute("SELECT count(*) FROM organisation").fetchone()[0] == \
        a.conn.execute("SELECT count(*) FROM organisation").fetchone()[0]
