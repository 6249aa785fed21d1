"""First run: the wizard creates a vault off the GUI thread, shows the recovery key once and
will not finish until one group of it is typed back."""

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QLabel, QWizard

from app.security.device import KeyFileStore, KeyringStore
from app.services.vault import unlock as vault_service
from tests.conftest import PASSPHRASE
from ui.dialogs import messages
from ui.wizard.setup_wizard import SetupWizard


@pytest.fixture
def wizard(qtbot, ops, data_dir):
    made = SetupWizard(data_dir, None, ops)

    def lock_first(widget):
        # pytest-qt closes widgets before fixtures end; an open session would make it ask.
        if widget.session is not None:
            widget.session.lock("test")

    qtbot.addWidget(made, before_close_func=lock_first)
    made.show()
    return made


def fill_account_pages(wizard):
    wizard.service_page.service_name.setText("Westmoor SENDIASS")
    wizard.next()
    wizard.manager_page.full_name.setText("Priya Lindqvist")
    assert wizard.manager_page.username.text() == "plindqvist"  # suggested from the name
    wizard.next()
    wizard.passphrase_page.passphrase.edit.setText(PASSPHRASE)
    wizard.passphrase_page.passphrase.confirm.setText(PASSPHRASE)
    wizard.next()


def create(qtbot, wizard):
    assert wizard.currentPage() is wizard.store_page
    wizard.next()  # the commit page starts the creation on the worker
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=5000)


def test_wizard_creates_the_vault_and_requires_the_recovery_key_retyped(qtbot, wizard, data_dir):
    ready = []
    wizard.vaultReady.connect(ready.append)
    fill_account_pages(wizard)
    assert wizard.store_page.chooser.keyring_ok
    assert not vault_service.vault_exists(data_dir)
    create(qtbot, wizard)
    assert vault_service.vault_exists(data_dir)
    assert vault_service.vault_summary(data_dir).service_name == "Westmoor SENDIASS"
    session = wizard.session
    assert session.user.username == "plindqvist" and isinstance(session.device_store, KeyringStore)

    groups = wizard.recovery_key.split("-")
    shown = [w.text() for w in wizard.recovery_page.grid_frame.findChildren(QLabel)
             if w.property("kind") == "keyGroup"]
    assert shown == groups
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.recovery_page.kept.setChecked(True)
    wizard.next()

    page = wizard.confirm_page
    assert wizard.currentPage() is page
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    expected = groups[page.group_index - 1]
    page.answer.setText("ZZZZZ" if expected != "ZZZZZ" else "YYYYY")
    assert not finish.isEnabled() and page.feedback.isVisible()
    page.answer.setText(expected.lower())  # any case, as on the recovery sheet
    assert finish.isEnabled() and not page.feedback.isVisible()
    finish.click()
    assert ready == [session]
    assert not session.locked


def test_wrong_input_shows_beside_the_field_and_stays_on_the_page(qtbot, wizard):
    wizard.next()
    assert wizard.currentPage() is wizard.service_page
    assert wizard.service_page.errors._fields["service_name"][1].text().startswith("Enter the service")
    wizard.service_page.service_name.setText("Westmoor SENDIASS")
    wizard.next()
    wizard.manager_page.full_name.setText("Priya Lindqvist")
    wizard.manager_page.username.setText("x")
    wizard.next()
    assert wizard.currentPage() is wizard.manager_page
    assert "2 to 32 characters" in wizard.manager_page.errors._fields["username"][1].text()
    wizard.manager_page.username.setText("plindqvist")
    wizard.next()
    passphrase = wizard.passphrase_page.passphrase
    passphrase.edit.setText("password")
    wizard.next()
    assert wizard.currentPage() is wizard.passphrase_page
    assert passphrase.meter.word.text() == "Very weak"
    passphrase.edit.setText(PASSPHRASE)
    passphrase.confirm.setText(PASSPHRASE + "!")
    wizard.next()
    assert "differ" in wizard.passphrase_page.errors._fields["passphrase_confirm"][1].text()


def test_no_credential_store_fails_closed_until_the_key_file_is_chosen(qtbot, wizard, data_dir, tmp_path):
    keyring.set_keyring(fail.Keyring())
    fill_account_pages(wizard)
    chooser = wizard.store_page.chooser
    chooser.check()
    assert not chooser.keyring_ok
    assert "credential store" in chooser.status.text()
    assert chooser.opt_in.text().replace("&", "") == (
        "Keep the device secret in a file instead (weaker protection)")
    assert "tick the box below" in chooser.status.text()
    assert chooser.store() is None
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    key_file = tmp_path / "device.key"
    chooser.opt_in.setChecked(True)
    chooser.path.setText(str(key_file))
    assert wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    create(qtbot, wizard)
    assert isinstance(wizard.session.device_store, KeyFileStore)
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert vault_service.vault_summary(data_dir).device_key_file == str(key_file)


def test_closing_after_creation_asks_first(qtbot, wizard):
    fill_account_pages(wizard)
    create(qtbot, wizard)
    messages.set_next_answer(False)
    wizard.reject()
    assert wizard.isVisible() and not wizard.session.locked
    messages.set_next_answer(True)
    wizard.reject()
    assert not wizard.isVisible() and wizard.session.locked
    assert "not be shown again" in messages.last_shown[1]


def test_a_length_error_goes_when_the_passphrase_is_typed_again_and_nothing_jumps(qtbot, wizard):
    """The "at least 10 characters" error stayed beside a meter saying "Strong"; and the meter's
    hint came and went, moving the rows under it while someone typed."""
    fill_account_pages(wizard)
    while wizard.currentPage() is not wizard.passphrase_page:
        wizard.back()
    passphrase = wizard.passphrase_page.passphrase
    error = wizard.passphrase_page.errors._fields["passphrase"][1]
    passphrase.edit.setText("short")
    passphrase.confirm.setText("short")
    wizard.next()
    assert wizard.currentPage() is wizard.passphrase_page
    assert "at least 10" in error.text() and error.isVisible()
    passphrase.edit.setText("")
    qtbot.waitUntil(lambda: passphrase.confirm.isVisible())
    qtbot.wait(10)
    below = passphrase.confirm.mapTo(wizard, passphrase.confirm.rect().topLeft()).y()
    for typed in ("c", "correct h", "correct horse battery staple 9", "x"):
        passphrase.edit.setText(typed)
        qtbot.wait(10)
        assert passphrase.confirm.mapTo(wizard, passphrase.confirm.rect().topLeft()).y() == below, typed
    passphrase.edit.setText("correct horse battery staple 9")
    assert passphrase.meter.word.text() == "Strong"
    assert not error.isVisible() and error.text() == ""
