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


def test_joining_asks_for_the_passphrase_you_have_once_with_no_meter(qtbot, ops, tmp_path):
    """Joining signs in as someone who already has a passphrase: one field, no strength meter,
    no "Type it again", and the rows under it stay put while it is typed."""
    from ui.team.join_dialog import JoinDialog
    from ui.widgets.strength_meter import StrengthMeter

    dialog = JoinDialog(tmp_path / "new", None, ops)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.findChildren(StrengthMeter)
    assert not hasattr(dialog.passphrase, "confirm")
    names = {edit.accessibleName() for edit in dialog.findChildren(type(dialog.code))}
    assert not any("again" in name.lower() for name in names), names
    top = dialog.join_button.mapTo(dialog, dialog.join_button.rect().topLeft())
    reveal = dialog.passphrase.reveal.mapTo(dialog, dialog.passphrase.reveal.rect().topLeft())
    for typed in ("a", "a much longer passphrase typed here", ""):
        dialog.passphrase.edit.setText(typed)
        qtbot.wait(10)
        assert dialog.passphrase.reveal.mapTo(dialog, dialog.passphrase.reveal.rect().topLeft()) == reveal
        assert dialog.join_button.mapTo(dialog, dialog.join_button.rect().topLeft()) == top
    dialog.file.setText(str(tmp_path / "missing.invite"))
    dialog.passphrase.edit.setText("")
    dialog.ops = ops
    dialog.join()
    assert dialog.errors._fields["file"][1].isVisible()
