"""A computer removed from the team (docs/sync.md §14): it refuses new casework at once and
says how many changes never reached the team; they are exported encrypted and signed, and a
manager's computer reviews them and imports what still fits as its own edits."""

from datetime import date

import pytest

from app.errors import ValidationError
from app.services.casework import notes, people
from app.services.casework.people import PersonInput
from app.services.team import pending, state
from app.services.team import team as engine
from app.services.team.sync import SyncBlocked, sync_now
from app.storage.hub.base import HubRefused
from tests.team.laptop_world import family_case, sync_all

CANARY = "Zanthorpe"


@pytest.fixture
def removed_world(make_team):
    """computer2 writes two notes and edits a third offline, then is removed from the team."""
    team = make_team(2)
    office, gone = team.sessions
    case_id, _ = family_case(office, "Hartley")
    sync_all(team.hub, office, gone)
    kept = gone.conn.execute("SELECT id FROM note WHERE case_id = ?", (case_id,)).fetchone()[0]
    notes.add_note(gone, case_id, "meeting", date(2026, 1, 7), 30, f"Home visit: {CANARY} school.")
    notes.add_note(gone, case_id, "phone_call", date(2026, 1, 8), 5, "Rang the school back.")
    n = notes.get_note(gone, kept)
    notes.edit_note(gone, kept, n.note_type, n.occurred_on, n.minutes_spent, "Edited on the removed computer.")
    engine.revoke_device(office, team.hub, state.get(gone.conn, "device_id"))
    with pytest.raises((SyncBlocked, HubRefused), match="removed from the team"):
        sync_now(gone, team.hub)
    return team, office, gone, case_id, kept


def test_a_removed_computer_refuses_new_casework_and_says_how_much_is_stranded(removed_world):
    _, _, gone, case_id, _ = removed_world
    told = pending.stranded(gone)
    assert told.removed and told.changes >= 3
    assert f"{told.changes} changes made here did not reach the team" in told.banner()
    before = told.changes
    with pytest.raises(Exception, match="removed from the team"):
        notes.add_note(gone, case_id, "meeting", date(2026, 1, 9), 5, "Never to reach anyone.")
    with pytest.raises(Exception, match="removed from the team"):
        people.create_person(gone, PersonInput(kind="parent_carer", first_name="Ada", last_name="Lowther"))
    assert gone.conn.execute("SELECT count(*) FROM note WHERE body = 'Never to reach anyone.'").fetchone()[0] == 0
    assert pending.stranded(gone).changes == before


def test_stranded_changes_are_exported_sealed_and_a_manager_imports_them(removed_world, tmp_path):
    team, office, gone, _, kept = removed_world
    out = tmp_path / "stranded.confide-pending"
    rows = pending.export_pending(gone, out)
    assert rows == pending.stranded(gone).changes
    assert CANARY.encode() not in out.read_bytes()            # encrypted
    # Meanwhile the office changed the note the removed computer edited: that edit is left out.
    n = notes.get_note(office, kept)
    notes.edit_note(office, kept, n.note_type, n.occurred_on, n.minutes_spent, "Edited in the office.")
    review = pending.review_pending(office, out)
    assert review.written_by == "manager" and review.device == "computer2"
    left = [i for i in review.left_out if i.table == "note"]
    assert [(i.record_id, i.outcome) for i in left] == [(kept, "left out: the team changed body since")]
    assert any(i.table == "note" and i.action == "new" and i.outcome == "imports" for i in review.items)
    done = pending.import_pending(office, out)
    assert done.importable == review.importable
    bodies = {r[0] for r in office.conn.execute("SELECT body FROM note")}
    assert f"Home visit: {CANARY} school." in bodies and "Rang the school back." in bodies
    assert notes.get_note(office, kept).body == "Edited in the office."
    # Imported as the office computer's own edits: they reach the team at its next sync.
    third = team.add("computer3")
    sync_all(team.hub, office, third)
    assert third.conn.execute("SELECT count(*) FROM note WHERE body = 'Rang the school back.'").fetchone()[0] == 1
    assert office.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'pending_imported'"
                               ).fetchone()[0] == 1
    # Importing again changes nothing.
    again = pending.review_pending(office, out)
    assert again.importable == 0


def test_an_altered_or_foreign_file_is_refused(removed_world, tmp_path):
    _, office, gone, _, _ = removed_world
    out = tmp_path / "stranded.confide-pending"
    pending.export_pending(gone, out)
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 1
    out.write_bytes(bytes(data))
    with pytest.raises(ValidationError, match="altered"):
        pending.review_pending(office, out)


def test_the_status_bar_says_the_computer_was_removed_and_how_much_is_stranded(removed_world, qtbot):
    from ui.operations import Operations
    from ui.team.sync_status import SyncStatusItem

    _, _, gone, _, _ = removed_world
    ops = Operations()
    item = SyncStatusItem(gone, ops)
    qtbot.addWidget(item)
    item.refresh()
    told = pending.stranded(gone)
    assert item.label.toolTip() == told.banner()
    assert item.label.text().startswith("This computer was removed from the team")
    ops.shutdown()


def test_pending_export_and_import_on_the_command_line(tmp_path):
    """As an administrator would: two `confide` processes and a folder hub."""
    from tests.team.test_cli_team import Computer, _add_person, _invite, _join

    hub = tmp_path / "hub"
    hub.mkdir()
    office, annexe = Computer(tmp_path, "office"), Computer(tmp_path, "annexe")
    office.ok("init", "--full-name", "Test Manager")
    office.ok("team", "create", "--hub", str(hub), "--name", "Northshire SENDIASS")
    invite, code = _invite(office, tmp_path, "Annexe")
    assert _join(annexe, invite, code).returncode == 0
    made = _add_person(annexe, CANARY)                     # recorded, never synced
    office.ok("device", "revoke", "--device", "Annexe")
    assert annexe.run("sync").returncode != 0
    status = annexe.ok("pending").stdout
    assert "removed from the team" in status and "did not reach the team" in status
    refused = annexe.run("sync")
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    out = tmp_path / "annexe.confide-pending"
    assert "written to" in annexe.ok("pending", "export", "--out", out).stdout
    assert CANARY.encode() not in out.read_bytes()
    review = office.ok("pending", "review", "--from", out).stdout
    assert f"new person {made}: imports" in review and "would be imported; 0 left out" in review
    office.ok("pending", "import", "--from", out)
    s = office.session()
    try:
        assert s.conn.execute("SELECT last_name FROM person WHERE id = ?", (made,)).fetchone()[0] == CANARY
    finally:
        s.lock("test")
    again = office.ok("pending", "import", "--from", out).stdout
    assert "0 imported; 0 left out" in again
