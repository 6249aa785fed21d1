"""Joining a team from the set-up wizard: the invitation file, the code, your user name and
this computer's passphrase; a wrong code is said beside the code and nothing is made."""

from PySide6.QtWidgets import QWizard

from app.services.team import membership
from app.services.vault import staff


def test_the_wizard_joins_a_team_from_an_invitation(qtbot, ops, session, tmp_path):
    from ui.wizard.setup_wizard import SetupWizard

    hub = tmp_path / "hub"
    hub.mkdir()
    staff.add_staff(session, "jo", "Jo Bloggs", "caseworker", "temporary words for jo 77")
    membership.create(session, str(hub), "Northshire SENDIASS")
    code = membership.invite(session, "Laptop", tmp_path / "laptop.invite")
    laptop = tmp_path / "laptop"

    wizard = SetupWizard(laptop, None, ops)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.button(QWizard.WizardButton.CustomButton1).isVisible()
    ready = []
    wizard.vaultReady.connect(ready.append)
    dialog = wizard.join_team()
    dialog.file.setText(str(tmp_path / "laptop.invite"))
    wrong = "0000-0000-0000" if code != "0000-0000-0000" else "1111-1111-1111"
    dialog.code.setText(wrong)
    dialog.username.setText("jo")
    # Jo's own passphrase: the one her key record is wrapped under (here, her temporary one).
    dialog.passphrase.edit.setText("temporary words for jo 77")
    dialog.passphrase.confirm.setText("temporary words for jo 77")
    dialog.join_button.click()
    qtbot.waitUntil(lambda: not ops.busy and dialog.join_button.isEnabled(), timeout=10000)
    assert "does not match" in dialog.errors._fields["code"][1].text()
    assert not laptop.exists() or not any(laptop.iterdir())

    dialog.code.setText(code.lower())
    dialog.join_button.click()
    qtbot.waitUntil(lambda: bool(ready), timeout=20000)
    joined = ready[0]
    try:
        assert joined.user.username == "jo" and joined.user.role.value == "caseworker"
        # Her temporary passphrase stays temporary here: the window asks for her own next.
        assert joined.must_change_passphrase
    finally:
        joined.lock("test")
