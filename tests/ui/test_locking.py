"""Locking: Ctrl+L, the idle timer and the screen lock all close the session, empty every
view and show the unlock screen in the same window; unlocking builds it all again."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.services import settings
from tests.ui.conftest import unlock
from ui.dialogs import messages


def test_ctrl_l_locks_and_unlocking_restores(qtbot, window):
    session = unlock(qtbot, window)
    staff_view = window.workspace.show_page("Staff")
    model = staff_view.model
    assert model.rowCount() == 1
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert session.locked
    assert model.rowCount() == 0
    assert window.stack.currentWidget() is window.unlock_view and window.unlock_view.isVisible()
    assert not window.workspace.isVisible()
    assert window.user_label.text() == "Locked"
    assert not window.lock_action.isEnabled() and not window.change_passphrase_action.isEnabled()
    assert window.unlock_view.username.text() == "manager"  # kept in memory only

    again = unlock(qtbot, window)
    assert again is not session and not again.locked
    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.staff_view.model.rowCount() == 1
    assert window.lock_action.isEnabled()


def test_idle_timer_locks(qtbot, window):
    session = unlock(qtbot, window)
    assert window.inactivity.active
    assert window.inactivity.timeout() == settings.auto_lock_minutes(session) * 60_000
    window.inactivity.set_timeout(30)
    qtbot.waitUntil(lambda: session.locked, timeout=3000)
    assert window.stack.currentWidget() is window.unlock_view
    assert not window.inactivity.active


def test_screen_lock_signal_locks(qtbot, window):
    session = unlock(qtbot, window)
    window.screen_lock._active_changed(False)  # the screensaver going away changes nothing
    assert not session.locked
    window.screen_lock._active_changed(True)
    assert session.locked


def test_locking_closes_open_dialogs(qtbot, window):
    unlock(qtbot, window)
    dialog = window.workspace.show_page("Staff").add()
    qtbot.waitExposed(dialog)
    dialog.full_name.setText("Imogen Tarrant")
    window.lock()
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected


def test_a_lock_waits_for_the_running_task(qtbot, window):
    import threading

    session = unlock(qtbot, window)
    release = threading.Event()
    window.ops.run(lambda _p: release.wait(5))
    window.lock("idle")
    assert not session.locked  # the worker may be using the connection
    assert "when the current task finishes" in window.statusBar().currentMessage()
    release.set()
    qtbot.waitUntil(lambda: session.locked, timeout=3000)


def test_quitting_mid_task_waits_for_it(qtbot, window):
    import threading

    session = unlock(qtbot, window)
    release = threading.Event()
    window.ops.run(lambda _p: release.wait(5))
    window.close()
    assert window.isVisible() and not session.locked
    release.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
    assert session.locked


def test_quit_locks_the_session(qtbot, window):
    session = unlock(qtbot, window)
    window.close()
    assert session.locked
    assert not window.inactivity.active


def test_about_box_goes_through_the_message_seam(qtbot, window):
    messages.set_next_answer(True)
    window.menus.actions["about"].trigger()
    assert messages.last_shown[0] == "About Confide"
