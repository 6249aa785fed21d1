"""Settings: a manager changes the auto-lock delay; the idle timer follows at once."""

from app.services import settings
from app.services.vault import staff
from tests.conftest import OTHER_PASSPHRASE
from tests.ui.conftest import unlock


def test_a_manager_changes_auto_lock(qtbot, unlocked):
    view = unlocked.workspace.show_page("Settings")
    assert view.minutes.value() == 5
    view.minutes.setValue(12)
    view.save_button.click()
    qtbot.waitUntil(lambda: view.status.isVisible(), timeout=3000)
    assert settings.auto_lock_minutes(unlocked.session) == 12
    assert unlocked.inactivity.timeout() == 12 * 60_000


def test_others_see_it_but_cannot_change_it(qtbot, unlocked):
    staff.add_staff(unlocked.session, "cworker", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    unlocked.lock()
    unlock(qtbot, unlocked, "cworker", OTHER_PASSPHRASE)
    dialog = unlocked.forced_dialog
    dialog.current.setText(OTHER_PASSPHRASE)
    dialog.new.edit.setText("casey picks a new sentence")
    dialog.new.confirm.setText("casey picks a new sentence")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: unlocked.workspace.session.user.username == "cworker", timeout=5000)
    view = unlocked.workspace.show_page("Settings")
    assert not view.minutes.isEnabled() and not view.save_button.isVisible()
    assert view.manager_only.isVisible()
    assert "Staff" not in unlocked.workspace.pages
    assert not unlocked.workspace.backup_view.restore_button.isEnabled()


def test_a_manager_saves_a_letter_template_as_a_new_version(qtbot, unlocked):
    from app.services.documents import letters

    view = unlocked.workspace.show_page("Settings")
    cards = view.templates
    cards.choice.setCurrentIndex(cards.choice.findData("case_closure"))
    assert cards.version.text().startswith("Version 1") and "{recipient_name}" in cards.body.toPlainText()
    cards.body.setPlainText("Dear {recipient_name},\n\nWe have closed case {case_reference}.\n\n{worker_name}")
    cards.save_button.click()
    qtbot.waitUntil(lambda: cards.status.isVisible(), timeout=5000)
    assert letters.current_template(unlocked.session, "case_closure").version == 2
    assert cards.version.text().startswith("Version 2, saved by")
