"""The staff table model on its own: no window, no database."""

from PySide6.QtCore import QModelIndex, Qt

from app.domain.staff import Role, StaffMember
from ui.models.staff_table_model import (
    ACTIVE,
    HEADERS,
    LAST_UNLOCK,
    NAME,
    ROLE,
    USERNAME,
    MemberRole,
    SortRole,
    StaffTableModel,
)

MEMBERS = [
    StaffMember("1", "rokafor", "Rachel Okafor", Role.MANAGER, True, "2025-07-01T08:05:00+00:00"),
    StaffMember("2", "tbright", "Tom Bright", Role.VOLUNTEER, False, None),
]


def test_columns_are_named_and_rows_read_plainly(qtbot):
    model = StaffTableModel()
    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset]):
        model.set_members(MEMBERS)
    assert model.rowCount() == 2 and model.columnCount() == len(HEADERS) == 5
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == [
        "Name", "User name", "Role", "Status", "Last unlock"]
    text = [[model.index(r, c).data() for c in (NAME, USERNAME, ROLE, ACTIVE)] for r in range(2)]
    assert text == [["Rachel Okafor", "rokafor", "Manager", "Active"],
                    ["Tom Bright", "tbright", "Volunteer", "Disabled"]]
    assert model.index(1, LAST_UNLOCK).data() == "Never"
    assert model.index(0, NAME).data(MemberRole) is MEMBERS[0]
    assert model.index(1, NAME).data(Qt.ItemDataRole.ForegroundRole) is not None  # greyed
    assert model.index(0, NAME).data(Qt.ItemDataRole.ForegroundRole) is None


def test_last_unlock_is_uk_local_time_and_sorts_by_the_real_instant(monkeypatch, qtbot):
    monkeypatch.setenv("TZ", "Europe/London")
    import time

    time.tzset()
    try:
        model = StaffTableModel()
        model.set_members(MEMBERS)
        # 08:05 UTC on 1 July is 09:05 British Summer Time, shown day first.
        assert model.index(0, LAST_UNLOCK).data() == "01/07/2025 09:05"
        assert model.index(0, LAST_UNLOCK).data(SortRole) == "2025-07-01T08:05:00+00:00"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_clear_drops_every_row(qtbot):
    model = StaffTableModel()
    model.set_members(MEMBERS)
    model.clear()
    assert model.rowCount() == 0
    assert model.member(0) is None and model.row_of("rokafor") == -1
    assert model.index(0, 0).data() is None


def test_a_table_model_has_no_children(qtbot):
    model = StaffTableModel()
    model.set_members(MEMBERS)
    parent = model.index(0, 0)
    assert model.rowCount(parent) == 0 and model.columnCount(parent) == 0
    assert model.rowCount(QModelIndex()) == 2
