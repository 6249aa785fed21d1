"""Helpers for the casework screen tests: a workspace over an unlocked session (no main
window, no unlock screen), and picking people in the enquiry form as a caller would."""

from PySide6.QtCore import Qt

from ui.workspace import Workspace


def make_workspace(qtbot, session, ops, data_dir):
    workspace = Workspace(session, ops, data_dir, None)
    qtbot.addWidget(workspace)
    workspace.resize(1200, 800)
    workspace.show()
    qtbot.waitExposed(workspace)
    wait_idle(qtbot, ops)   # Home reads what it lists on the worker
    return workspace


def activate(qtbot, widget):
    """Shortcuts reach only the active window."""
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)


def pick(qtbot, picker, typed: str, row: int = 0):
    """Type part of a name, then choose a match from the pop-up with the keyboard."""
    picker.search_edit.setFocus()
    qtbot.keyClicks(picker.search_edit, typed)
    popup = picker.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    for _ in range(row + 1):
        qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert picker.person is not None
    return picker.person


def wait_idle(qtbot, ops):
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)
