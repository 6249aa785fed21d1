"""Staff administration through the dialogs, as a manager would do it."""

from PySide6.QtCore import Qt

from app.services.vault import staff
from tests.conftest import OTHER_PASSPHRASE
from ui.dialogs import messages
from ui.models.staff_table_model import ACTIVE, ROLE


def staff_view(window):
    return window.workspace.show_page("Staff")


def row_texts(view, username, *columns):
    model = view.model
    row = model.row_of(username)
    return [model.index(row, c).data() for c in columns]


def select(view, username):
    view.select(username)
    assert view.selected().username == username


def test_add_a_colleague(qtbot, unlocked):
    view = staff_view(unlocked)
    assert view.empty.isVisible()
    dialog = view.add()
    qtbot.waitExposed(dialog)
    qtbot.waitActive(dialog)
    qtbot.waitUntil(dialog.full_name.hasFocus)  # the first field, not the OK button
    qtbot.keyClick(dialog, "u", Qt.KeyboardModifier.AltModifier)
    assert dialog.username.hasFocus()  # the label's mnemonic reaches the input
    dialog.full_name.setText("Imogen Tarrant")
    dialog.username.setText("itarrant")
    dialog.role.setCurrentIndex(dialog.role.findText("Volunteer"))
    assert "general information" in dialog.role_hint.text()
    dialog.passphrase.edit.setText("short")
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert "at least 10 characters" in dialog.errors._fields["temporary_passphrase"][1].text()

    dialog.passphrase.edit.setText(OTHER_PASSPHRASE)
    dialog.passphrase.confirm.setText(OTHER_PASSPHRASE)
    dialog.ok_button.click()
    assert dialog.ok_button.text() == "Working…"  # the key slot is made on the worker
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert row_texts(view, "itarrant", ROLE, ACTIVE) == ["Volunteer", "Active"]
    assert view.selected().username == "itarrant"
    assert not view.empty.isVisible()


def test_a_taken_user_name_is_refused_beside_the_field(qtbot, unlocked):
    dialog = staff_view(unlocked).add()
    dialog.full_name.setText("Another Manager")
    dialog.username.setText("manager")
    dialog.passphrase.edit.setText(OTHER_PASSPHRASE)
    dialog.passphrase.confirm.setText(OTHER_PASSPHRASE)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not unlocked.ops.busy)
    assert dialog.isVisible()
    assert "already taken" in dialog.errors._fields["username"][1].text()


def test_disable_asks_first(qtbot, unlocked):
    staff.add_staff(unlocked.session, "itarrant", "Imogen Tarrant", "caseworker", OTHER_PASSPHRASE)
    view = staff_view(unlocked)
    view.reload()
    select(view, "itarrant")
    assert view.disable_button.isEnabled()

    messages.set_next_answer(False)
    view.disable_button.click()
    assert "Imogen Tarrant" in messages.last_shown[1]
    assert row_texts(view, "itarrant", ACTIVE) == ["Active"]

    messages.set_next_answer(True)
    view.disable_button.click()
    qtbot.waitUntil(lambda: row_texts(view, "itarrant", ACTIVE) == ["Disabled"], timeout=3000)
    select(view, "itarrant")
    assert not view.disable_button.isEnabled() and not view.role_button.isEnabled()
    assert "Turn on" in view.reset_button.text()


def test_a_manager_cannot_disable_themselves(qtbot, unlocked):
    view = staff_view(unlocked)
    select(view, "manager")
    assert not view.disable_button.isEnabled()
    assert not view.reset_button.isEnabled()  # their own passphrase is changed from the menu


def test_reset_passphrase_and_change_role(qtbot, unlocked):
    staff.add_staff(unlocked.session, "itarrant", "Imogen Tarrant", "caseworker", OTHER_PASSPHRASE)
    view = staff_view(unlocked)
    view.reload()
    select(view, "itarrant")

    dialog = view.reset_passphrase()
    assert "Imogen Tarrant" in dialog.heading.text()
    assert "Imogen" not in dialog.windowTitle()  # names stay out of window titles
    dialog.passphrase.edit.setText("a fresh temporary sentence")
    dialog.passphrase.confirm.setText("a fresh temporary sentence")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert unlocked.session.vault.slots["itarrant"].must_change

    dialog = view.change_role()
    dialog.role.setCurrentIndex(dialog.role.findText("Manager"))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: row_texts(view, "itarrant", ROLE) == ["Manager"], timeout=3000)


def test_the_last_manager_keeps_the_role_and_the_reason_is_shown(qtbot, unlocked):
    view = staff_view(unlocked)
    select(view, "manager")
    dialog = view.change_role()
    dialog.role.setCurrentIndex(dialog.role.findText("Caseworker"))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not unlocked.ops.busy)
    assert dialog.isVisible()
    assert "last active manager" in dialog.errors.general.text()


def test_add_colleague_suggests_a_user_name_until_one_is_typed(qtbot, unlocked):
    from app.domain.staff import suggest_username

    assert suggest_username("Siân O'Brien") == "sobrien" and suggest_username("   ") == ""
    dialog = staff_view(unlocked).add()
    qtbot.waitExposed(dialog)
    dialog.full_name.setText("Imogen Tarrant")
    assert dialog.username.text() == "itarrant"
    dialog.full_name.setText("Imogen Tarrant-Lowe")
    assert dialog.username.text() == "itarrantlowe"
    dialog.username.setText("imogen")  # their own choice stays
    dialog.full_name.setText("Imogen T. Lowe")
    assert dialog.username.text() == "imogen"
    dialog.guard.mark_clean()
    dialog.reject()
