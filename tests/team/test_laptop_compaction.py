"""A laptop behind a forced compaction restarts from the snapshot with the snapshot's rows of
its cases (docs/sync.md §14), so its next edit starts from the office's text, not its own
stale copy, and nothing the office wrote is silently undone."""

from datetime import date

from app.services.casework import notes
from app.services.team import compaction, conflicts, snapshot
from app.services.team import team as engine
from app.services.team.laptop import checkout
from app.services.team.sync import sync_now
from app.storage.hub.folder import FolderHub
from tests.team.conftest import new_vault
from tests.team.laptop_world import family_case, sync_all
from tests.team.test_compaction import TEAM


def _world(tmp_path, template_root):
    hub = FolderHub(tmp_path / "hub", TEAM, create=True)
    office = new_vault(template_root, tmp_path / "office")
    engine.create_team(office, hub, "Northshire SENDIASS", team_id=TEAM)
    laptop = new_vault(template_root, tmp_path / "laptop")
    engine.join_team(laptop, hub, {**engine.invite_device(office, hub, "Laptop 1"), "kind": "laptop"})
    return hub, office, laptop


def test_laptop_back_after_compaction_refreshes_stale_rows_and_keeps_the_office_edits(tmp_path, template_root):
    hub, office, laptop = _world(tmp_path, template_root)
    case_id, ref = family_case(office, "Hartley")
    sync_all(hub, office, laptop)
    checkout.request(laptop, [ref])
    sync_all(hub, laptop, office, laptop)
    note_id = laptop.conn.execute("SELECT id FROM note WHERE case_id = ?", (case_id,)).fetchone()[0]
    # The laptop is away; the office corrects the note's text, and the hub is compacted past it.
    n = notes.get_note(office, note_id)
    notes.edit_note(office, note_id, n.note_type, n.occurred_on, n.minutes_spent, "Corrected in the office.")
    sync_now(office, hub)
    snapshot.put_snapshot(office.conn, hub)
    done = compaction.compact(hub, force=True)
    assert "Laptop 1" in done.behind
    # Back: it restarts from the snapshot and holds the office's text.
    sync_now(laptop, hub)
    assert notes.get_note(laptop, note_id).body == "Corrected in the office."
    assert laptop.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (case_id,)).fetchone()[0] == 1
    # Its next edit (the time spent) starts from that text and reverts nothing.
    mine = notes.get_note(laptop, note_id)
    notes.edit_note(laptop, note_id, mine.note_type, mine.occurred_on, 45, mine.body)
    sync_all(hub, laptop, office)
    there = notes.get_note(office, note_id)
    assert (there.body, there.minutes_spent) == ("Corrected in the office.", 45)
    assert conflicts.list_conflicts(office) == [] and conflicts.list_conflicts(laptop) == []


def test_an_edit_made_offline_across_a_compaction_is_rebased_not_lost(tmp_path, template_root):
    hub, office, laptop = _world(tmp_path, template_root)
    case_id, ref = family_case(office, "Hartley")
    sync_all(hub, office, laptop)
    checkout.request(laptop, [ref])
    sync_all(hub, laptop, office, laptop)
    note_id = laptop.conn.execute("SELECT id FROM note WHERE case_id = ?", (case_id,)).fetchone()[0]
    n = notes.get_note(office, note_id)
    notes.edit_note(office, note_id, n.note_type, n.occurred_on, n.minutes_spent, "Office text.")
    notes.add_note(laptop, case_id, "meeting", date(2026, 1, 8), 30, "Written on the laptop, offline.")
    mine = notes.get_note(laptop, note_id)
    notes.edit_note(laptop, note_id, mine.note_type, mine.occurred_on, mine.minutes_spent, "Laptop text.")
    sync_now(office, hub)
    snapshot.put_snapshot(office.conn, hub)
    compaction.compact(hub, force=True)
    sync_now(laptop, hub)
    # The same text changed on both sides is a conflict for a person; neither is lost.
    held = conflicts.list_conflicts(laptop)
    assert [(c.table, c.record_id) for c in held if c.table == "note"] == [("note", note_id)]
    sync_all(hub, office)
    assert office.conn.execute("SELECT count(*) FROM note WHERE body = 'Written on the laptop, offline.'"
                               ).fetchone()[0] == 1
    assert notes.get_note(office, note_id).body == "Office text."
