"""After a manager's reset, the forced change does not ask again for the temporary passphrase
that was typed a moment ago to unlock; the change itself still proves it to the service."""

from app.services.vault import staff
from app.services.vault import unlock as vault
from tests.conftest import OTHER_PASSPHRASE
from tests.ui.conftest import unlock

OWN = "casey picks a new sentence"


def test_forced_change_takes_the_temporary_passphrase_from_the_unlock(qtbot, unlocked, data_dir):
    staff.add_staff(unlocked.session, "cworker", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    unlocked.lock()
    unlock(qtbot, unlocked, "cworker", OTHER_PASSPHRASE)
    dialog = unlocked.forced_dialog
    qtbot.waitExposed(dialog)
    assert not dialog.current.isVisible()              # not asked again
    assert unlocked.unlock_view.temporary_passphrase == ""  # nor kept by the unlock screen
    dialog.new.edit.setText(OWN)
    dialog.new.confirm.setText(OWN)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: unlocked.workspace is not None
                    and unlocked.workspace.session.user.username == "cworker", timeout=5000)
    unlocked.lock()
    vault.unlock(data_dir, "cworker", OWN).lock()


def test_an_ordinary_change_still_asks_for_the_current_passphrase(qtbot, unlocked):
    dialog = unlocked.change_passphrase()
    qtbot.waitExposed(dialog)
    assert dialog.current.isVisible() and dialog.current.text() == ""
    dialog.reject()
