"""Replicas prove they agree (docs/sync.md §17): a row altered behind the engine's back on one
computer is named, table and row, by `confide verify` on another."""

from app.services.casework import notes
from app.services.reports.dashboard import build_dashboard
from app.services.team import capture
from app.services.team.laptop import checkout
from app.services.team.replica_check import digest, publish, report
from app.services.team.sync import sync_now
from app.services.vault.unlock import unlock
from app.services.vault.verify import verify_vault
from app.storage import db
from tests.conftest import PASSPHRASE
from tests.team.laptop_world import add_laptop, family_case, sync_all
from tests.team.replica import seed_case


def _round(team, order):
    for i in order:
        sync_now(team.sessions[i], team.hub)
        publish.publish(team.sessions[i].conn, team.hub, force=True)


def _alter_silently(team, i, note_id):
    """What someone holding the data key can do with the app closed: open the database raw,
    change a row and leave no trace in the outbox (capture off, as a tool that knows the
    schema would). Then the app is opened again as usual."""
    session = team.sessions[i]
    data_dir, data_key = session.paths.data_dir, session.data_key
    session.lock("test")
    conn = db.open_database(data_dir / "confide.db", data_key)
    with db.transaction(conn):
        conn.execute("UPDATE sync_flag SET capture = 0")
        conn.execute("UPDATE note SET body = 'rewritten behind the team''s back' WHERE id = ?", (note_id,))
        conn.execute("UPDATE sync_flag SET capture = 1")
    conn.close()
    team.sessions[i] = unlock(data_dir, "manager", PASSPHRASE)


def test_agreeing_replicas_say_so(make_team):
    team = make_team(3)
    case_id = seed_case(team.sessions[0])
    notes.add_note(team.sessions[0], case_id, "phone_call", "2026-01-05", 5, "shared")
    _round(team, [0, 1, 2, 0, 1, 2])
    for s in team.sessions:
        ok, lines = report.verify_lines(s.conn)
        assert ok and report.mismatches(s.conn) == [], lines
        assert len(report.agreeing(s.conn)) == 2, lines


def test_a_silently_altered_row_is_named_by_verify_on_another_computer(make_team):
    team = make_team(3)
    case_id = seed_case(team.sessions[0])
    note = notes.add_note(team.sessions[0], case_id, "phone_call", "2026-01-05", 5, "what was said")
    _round(team, [0, 1, 2])
    _alter_silently(team, 1, note.id)
    _round(team, [1, 0, 2, 1, 0, 2, 1, 0])
    for i in (0, 2):
        bad = report.mismatches(team.sessions[i].conn)
        assert [(m.name, m.tables) for m in bad] == [("computer2", ["note"])], bad
        assert bad[0].rows["note"] == [[f'["{note.id}"]', "different here and there"]]
    # Plain `confide verify` on the office computer, reading the vault as the CLI does.
    data_dir = team.root / "computer1"
    team.sessions[0].lock("test")
    result = verify_vault(data_dir, "manager", PASSPHRASE)
    assert not result.ok
    said = [line for line in result.lines if line.startswith("Replicas differ")]
    assert len(said) == 1 and "computer2" in said[0] and "note" in said[0] and note.id in said[0], result.lines


def test_the_managers_dashboard_names_the_computer_that_differs(make_team):
    team = make_team(2)
    case_id = seed_case(team.sessions[0])
    note = notes.add_note(team.sessions[0], case_id, "phone_call", "2026-01-05", 5, "what was said")
    _round(team, [0, 1])
    assert all(s.key != "replicas_differ" for s in build_dashboard(team.sessions[0]).sections)
    _alter_silently(team, 1, note.id)
    _round(team, [1, 0, 1, 0])
    section = build_dashboard(team.sessions[0]).section("replicas_differ")
    assert [i.target_id for i in section.items] == [team.sessions[1].conn.execute(
        "SELECT value FROM sync_state WHERE key = 'device_id'").fetchone()[0].strip('"')]
    assert "computer2" in section.items[0].text and note.id in section.items[0].text


def test_pending_work_does_not_make_a_replica_differ(make_team):
    """A digest describes the log's state: a row changed here and not yet pushed counts as it
    was, whether its outbox image came from SQLite's trigger or from Python after a merge."""
    team = make_team(2)
    one, two = team.sessions
    case_id = seed_case(one)
    note = notes.add_note(one, case_id, "phone_call", "2026-01-05", 5, "Siân said: “très bien” — 5½ hours")
    _round(team, [0, 1])
    notes.edit_note(two, note.id, "phone_call", "2026-01-05", 7, "edited here, not yet pushed")
    kj = f'["{note.id}"]'
    assert capture.has_pending(two.conn, "note", kj)
    assert digest.digests(two.conn, False) == digest.digests(one.conn, False)
    with db.transaction(two.conn):      # the base as a merge writes it (Python's json.dumps)
        capture.set_base(two.conn, "note", kj, capture.current_image(one.conn, "note", [note.id]))
    assert digest.digests(two.conn, False) == digest.digests(one.conn, False)


def test_a_laptop_and_the_office_compare_the_cases_the_laptop_holds(make_team):
    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    _, ref = family_case(office, "Hartley")
    family_case(office, "Lowther")                      # stays in the office
    sync_all(team.hub, office, laptop)
    checkout.request(laptop, [ref])
    sync_all(team.hub, laptop, office, laptop)
    _round(team, [0, 1, 0, 1])
    assert report.mismatches(office.conn) == report.mismatches(laptop.conn) == []
    assert [name for name, _ in report.agreeing(office.conn)] == ["Laptop 1"]
    # The laptop's copy of its case's note altered behind the engine's back: the office names it.
    note_id = laptop.conn.execute("SELECT id FROM note").fetchone()[0]
    _alter_silently(team, 1, note_id)
    _round(team, [1, 0, 1, 0])
    bad = report.mismatches(office.conn)
    assert [(m.name, m.tables, m.rows["note"]) for m in bad] == [
        ("Laptop 1", ["note"], [[f'["{note_id}"]', "different here and there"]])]
