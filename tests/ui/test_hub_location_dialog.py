"""File > Hub location…: a staff computer whose hub folder moved is pointed at the new one
from the menu (any role: every computer of the team needs it after a move); a wrong place is
refused with the typed text kept, and nothing changes."""

import shutil

import pytest

from app.services.team import membership
from tests.ui.conftest import unlock
from ui.dialogs import messages


@pytest.fixture
def in_team(tmp_path, vault):
    session = vault[0]
    hub = tmp_path / "old-share" / "hub"
    hub.mkdir(parents=True)
    membership.create(session, str(hub), "Northshire SENDIASS")
    folder = session.paths.data_dir
    session.lock("test")
    return folder, hub


def test_the_menu_points_this_computer_at_the_moved_hub(qtbot, ops, in_team, tmp_path, monkeypatch):
    from ui.main_window import MainWindow

    folder, hub = in_team
    moved = tmp_path / "new-share" / "hub"
    moved.parent.mkdir()
    shutil.move(hub, moved)
    main = MainWindow(folder, None, ops)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    unlock(qtbot, main)
    qtbot.waitUntil(lambda: not ops.busy and main.sync_item is not None and main.sync_item.active, timeout=10000)
    dialog = main.commands.run("hub_location")
    assert str(hub) in dialog.current.text()
    # A folder that is no hub: refused, the typed text stays, nothing is stored.
    dialog.location.setText(str(tmp_path))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not ops.busy and dialog.error.isVisible(), timeout=10000)
    assert dialog.location.text() == str(tmp_path) and dialog.isVisible()
    assert membership.hub_location(main.session) == str(hub)
    dialog.location.setText(str(moved))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not ops.busy and not dialog.isVisible(), timeout=10000)
    assert membership.hub_location(main.session) == str(moved)
    assert str(moved) in main.statusBar().currentMessage()


def test_esc_with_something_typed_asks_first(qtbot, ops, in_team, monkeypatch):
    from ui.main_window import MainWindow

    folder, _hub = in_team
    main = MainWindow(folder, None, ops)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    unlock(qtbot, main)
    qtbot.waitUntil(lambda: not ops.busy and main.sync_item is not None and main.sync_item.active, timeout=10000)
    dialog = main.commands.run("hub_location")
    dialog.location.setText("postgresql://login@hub.example.org/confide_team")
    asked = []
    monkeypatch.setattr(messages, "ask", lambda *a, **k: asked.append(a) or False)
    dialog.reject()
    assert asked and dialog.isVisible()
