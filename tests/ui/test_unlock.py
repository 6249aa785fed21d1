"""The unlock screen: plain errors, the attempt countdown, the forced passphrase change."""

from PySide6.QtCore import Qt

from app.services.vault import staff
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE
from tests.ui.conftest import unlock
from ui.views.unlock_view import UnlockView


def test_wrong_then_right_passphrase(qtbot, window):
    view = window.unlock_view
    assert window.stack.currentWidget() is view
    assert window.windowTitle() == "Northshire SENDIASS – Confide"

    unlock(qtbot, window, passphrase="not the passphrase at all")
    assert window.locked
    assert "do not match" in view.error.text()
    assert view.passphrase.hasFocus() or not window.isActiveWindow()

    unlock(qtbot, window)
    assert not window.locked
    assert window.stack.currentWidget() is window.workspace
    assert window.user_label.text() == "Signed in: Test Manager (Manager)"
    assert not window.weaker_label.isVisible()
    assert "Test Manager" not in window.windowTitle()


def test_too_many_attempts_disables_the_button_and_counts_down(qtbot, window, monkeypatch):
    monkeypatch.setattr(UnlockView, "COUNTDOWN_INTERVAL_MS", 20)
    view = window.unlock_view
    for _ in range(3):
        unlock(qtbot, window, passphrase="wrong wrong wrong")
        qtbot.waitUntil(lambda: view.unlock_button.isEnabled())
    view.passphrase.setText(PASSPHRASE)
    view.unlock_button.click()
    qtbot.waitUntil(lambda: view.wait_label.isVisible())
    assert "Too many wrong passphrases" in view.error.text()
    assert not view.unlock_button.isEnabled()
    assert "try again in" in view.wait_label.text()
    # Enter does nothing while the button is disabled.
    qtbot.keyClick(view.passphrase, Qt.Key.Key_Return)
    assert window.locked
    qtbot.waitUntil(lambda: view.unlock_button.isEnabled(), timeout=3000)
    assert not view.wait_label.isVisible()


def test_reset_passphrase_forces_a_change_before_the_window_is_usable(qtbot, window, data_dir):
    session = unlock(qtbot, window)
    staff.add_staff(session, "cworker", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    window.lock()
    unlock(qtbot, window, "cworker", OTHER_PASSPHRASE)
    dialog = window.forced_dialog
    assert dialog.isVisible() and window.stack.currentWidget() is window.unlock_view
    dialog.current.setText(OTHER_PASSPHRASE)
    dialog.new.edit.setText("a brand new sentence of mine")
    dialog.new.confirm.setText("a brand new sentence of mine")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert window.stack.currentWidget() is window.workspace
    assert window.session.user.username == "cworker"
    assert window.workspace.staff_view is None  # caseworkers see no staff register


def test_declining_the_forced_change_locks_again(qtbot, window):
    session = unlock(qtbot, window)
    staff.add_staff(session, "cworker", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    window.lock()
    unlock(qtbot, window, "cworker", OTHER_PASSPHRASE)
    dialog = window.forced_dialog
    dialog.cancel_button.click()  # labelled "Lock"
    assert dialog.cancel_button.text() == "Lock"
    assert dialog.session.locked
    assert window.stack.currentWidget() is window.unlock_view
    assert window.unlock_view.username.text() == "cworker"


def test_return_submits_a_dialog_form(qtbot, window):
    unlock(qtbot, window)
    dialog = window.change_passphrase()
    qtbot.waitExposed(dialog)
    dialog.current.setText(PASSPHRASE)
    dialog.new.edit.setText("a brand new sentence of mine")
    dialog.new.confirm.setText("a brand new sentence of mine")
    qtbot.keyClick(dialog.new.confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == dialog.DialogCode.Accepted


def test_wrong_current_passphrase_shows_beside_its_field(qtbot, window):
    unlock(qtbot, window)
    dialog = window.change_passphrase()
    dialog.current.setText("not my passphrase at all")
    dialog.new.edit.setText("a brand new sentence of mine")
    dialog.new.confirm.setText("a brand new sentence of mine")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not window.ops.busy)
    assert dialog.isVisible()
    assert dialog.errors._fields["current"][1].text() == "Your current passphrase is not right."
    assert dialog.current.property("invalid") is True


def test_missing_device_secret_offers_the_recovery_key(qtbot, window, memory_keyring, vault):
    recovery_key = vault[1]
    memory_keyring.values.clear()  # the OS credential store lost the secret
    unlock(qtbot, window)
    view = window.unlock_view
    assert window.locked
    assert "recovery key" in view.error.text()
    assert view.recovery_button.property("primary") is True

    dialog = view.open_recovery()
    dialog.key.setText(recovery_key.lower().replace("-", " "))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert "enrolled again" in view.notice.text()
    unlock(qtbot, window)
    assert not window.locked


def test_recovery_can_give_a_forgotten_manager_a_new_passphrase(qtbot, window, vault):
    view = window.unlock_view
    dialog = view.open_recovery()
    dialog.key.setText(vault[1])
    dialog.reset_box.setChecked(True)
    assert dialog.reset_fields.isVisible()
    dialog.username.setText("manager")
    dialog.new.edit.setText(OTHER_PASSPHRASE)
    dialog.new.confirm.setText(OTHER_PASSPHRASE)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert "manager has a new passphrase" in view.notice.text()
    assert view.username.text() == "manager"
    unlock(qtbot, window, "manager", OTHER_PASSPHRASE)
    assert not window.locked


def test_wrong_recovery_key_shows_beside_the_key(qtbot, window):
    dialog = window.unlock_view.open_recovery()
    dialog.key.setText("AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not window.ops.busy)
    assert dialog.isVisible()
    assert "does not open this vault" in dialog.errors._fields["recovery_key"][1].text()


def test_the_idle_lock_also_covers_the_forced_passphrase_change(qtbot, window):
    session = unlock(qtbot, window)
    staff.add_staff(session, "cworker", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    window.lock()
    unlock(qtbot, window, "cworker", OTHER_PASSPHRASE)
    dialog = window.forced_dialog
    assert window.inactivity.active
    window.inactivity.set_timeout(30)
    qtbot.waitUntil(lambda: dialog.session.locked, timeout=3000)
    assert not dialog.isVisible()
    assert window.stack.currentWidget() is window.unlock_view
