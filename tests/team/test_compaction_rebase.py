"""A computer restarting after a FORCED compaction (docs/sync.md §10) rebases what it had not
pushed on the snapshot like on any remote change: a remote edit it never saw, inside the
dropped range, to a field it also changed is a conflict, never silently overwritten; an edit
to other fields merges; a delete against an edit is a conflict."""

import pytest

from app.services.team import compaction, conflicts, snapshot
from app.services.team.sync import open_conflict_count, sync_conn
from app.storage import records
from app.storage.db import transaction
from tests.team.replica import rows_of
from tests.team.test_compaction import _person, _sync, _team


def _edit(session, person_id: str, **values) -> None:
    with transaction(session.conn):
        records.update(session.conn, "person", person_id, values, "manager")


def _row(session, person_id: str) -> dict:
    return dict(session.conn.execute("SELECT * FROM person WHERE id = ?", (person_id,)).fetchone())


def _behind_after_forced_compaction(tmp_path, template_root, office_edit, laptop_edit):
    """The office and a laptop share a person; the laptop goes offline and edits it; the office
    edits it too, writes a snapshot, and the hub is compacted by force past the laptop."""
    from app.storage.hub.folder import FolderHub
    from tests.team.test_compaction import TEAM

    hub = FolderHub(tmp_path / "hub", TEAM, create=True)
    office, laptop = _team(tmp_path, template_root, hub, ["office", "laptop"])
    pid = _person(office, "Shared")
    _sync(office, laptop, office, hub=hub)
    laptop_edit(laptop, pid)                                  # offline: not pushed
    office_edit(office, pid)
    _sync(office, hub=hub)
    upto = snapshot.put_snapshot(office.conn, hub)
    done = compaction.compact(hub, force=True)
    assert done.upto == upto and "laptop" in done.behind
    return hub, office, laptop, pid


def test_the_same_field_changed_inside_the_dropped_range_is_a_conflict_not_overwritten(tmp_path, template_root):
    hub, office, laptop, pid = _behind_after_forced_compaction(
        tmp_path, template_root,
        office_edit=lambda s, p: _edit(s, p, postcode="NE1 1AA"),
        laptop_edit=lambda s, p: _edit(s, p, postcode="NE9 9ZZ"))
    result = sync_conn(laptop.conn, hub, "manager")
    assert result.conflicts == 1
    # The row follows the log (the office's value); the laptop's waits for a person.
    assert _row(laptop, pid)["postcode"] == "NE1 1AA"
    held = conflicts.list_conflicts(laptop)
    assert [(c.table, c.record_id, c.fields) for c in held] == [("person", pid, ["postcode"])]
    detail = conflicts.conflict_detail(laptop, held[0].id)
    side = next(f for f in detail.fields if f.field == "postcode")
    assert (side.mine, side.theirs) == ("NE9 9ZZ", "NE1 1AA")
    _sync(office, hub=hub)
    assert _row(office, pid)["postcode"] == "NE1 1AA"          # nothing was pushed over it
    # Resolved with the laptop's value: an ordinary change that reaches the office.
    conflicts.resolve_conflict(laptop, held[0].id, take="mine")
    _sync(laptop, office, hub=hub)
    assert _row(office, pid)["postcode"] == "NE9 9ZZ"
    assert rows_of(office) == rows_of(laptop)
    for s in (office, laptop):
        s.lock("test")


def test_different_fields_changed_inside_the_dropped_range_merge(tmp_path, template_root):
    hub, office, laptop, pid = _behind_after_forced_compaction(
        tmp_path, template_root,
        office_edit=lambda s, p: _edit(s, p, postcode="NE1 1AA"),
        laptop_edit=lambda s, p: _edit(s, p, area="Edited on the laptop"))
    assert sync_conn(laptop.conn, hub, "manager").conflicts == 0
    _sync(office, hub=hub)
    for s in (office, laptop):
        row = _row(s, pid)
        assert (row["postcode"], row["area"]) == ("NE1 1AA", "Edited on the laptop")
    assert rows_of(office) == rows_of(laptop)
    for s in (office, laptop):
        s.lock("test")


def test_an_edit_against_a_delete_inside_the_dropped_range_is_a_conflict(tmp_path, template_root):
    hub, office, laptop, pid = _behind_after_forced_compaction(
        tmp_path, template_root,
        office_edit=lambda s, p: _edit(s, p, deleted_at="2026-01-02T10:00:00+00:00"),
        laptop_edit=lambda s, p: _edit(s, p, postcode="NE9 9ZZ"))
    assert sync_conn(laptop.conn, hub, "manager").conflicts == 1
    assert _row(laptop, pid)["deleted_at"] == "2026-01-02T10:00:00+00:00"
    assert [c.kind for c in conflicts.list_conflicts(laptop)] == ["edit"]
    _sync(office, hub=hub)
    assert _row(office, pid)["postcode"] != "NE9 9ZZ"
    for s in (office, laptop):
        s.lock("test")


@pytest.mark.parametrize("unseen", [False, True])
def test_a_change_nobody_else_touched_goes_back_on_top_unchanged(tmp_path, template_root, unseen):
    """No remote change to the row in the dropped range: the laptop's edit is pushed as before,
    whatever else the office did meanwhile."""
    hub, office, laptop, pid = _behind_after_forced_compaction(
        tmp_path, template_root,
        office_edit=lambda s, p: _person(s, "Other") if unseen else None,
        laptop_edit=lambda s, p: _edit(s, p, postcode="NE9 9ZZ"))
    assert sync_conn(laptop.conn, hub, "manager").conflicts == 0
    assert open_conflict_count(laptop.conn) == 0
    _sync(office, hub=hub)
    assert _row(office, pid)["postcode"] == "NE9 9ZZ"
    assert rows_of(office) == rows_of(laptop)
    for s in (office, laptop):
        s.lock("test")
