"""A manager's staff dialogs: add a colleague, give a temporary passphrase, change a role."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from app.domain.staff import Role, StaffMember, clean_full_name, clean_username, suggest_username
from app.security.session import Session
from app.services.vault import staff
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.forms import line_edit, text_label
from ui.widgets.passphrase_fields import NewPassphrase

TEMPORARY_HINT = ("Tell them this temporary passphrase in person or by phone, never by email. "
                  "Confide asks them to choose their own when they first unlock.")
ROLE_HINTS = {
    Role.MANAGER: "Manager: everything, including staff, settings and restore.",
    Role.CASEWORKER: "Caseworker: enquiries and casework.",
    Role.VOLUNTEER: "Volunteer: general information enquiries only.",
}


def role_combo(current: Role = Role.CASEWORKER) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName("Role")
    for role in Role:
        combo.addItem(role.label, role)
    combo.setCurrentIndex(list(Role).index(current))
    return combo


class AddStaffDialog(FormDialog):
    added = Signal(object)  # StaffMember

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(ops, "Add a colleague", TEMPORARY_HINT, ok_text="Add colleague",
                         parent=parent)
        self.session = session
        self.full_name = line_edit("Full name")
        self.username = line_edit("User name", placeholder="for example jsmith")
        self.role = role_combo()
        self.role_hint = text_label(ROLE_HINTS[Role.CASEWORKER], "hint")
        self.errors.row(self.form, "&Full name", "full_name", self.full_name)
        self.errors.row(self.form, "&User name", "username", self.username)
        self.errors.row(self.form, "&Role", "role", self.role)
        self.form.addRow("", self.role_hint)
        self.passphrase = NewPassphrase(self.form, self.errors, field="temporary_passphrase",
                                        label="Temporary &passphrase")
        self.role.currentIndexChanged.connect(
            lambda _i: self.role_hint.setText(ROLE_HINTS[self.role.currentData()]))
        # A user name is offered from the full name until someone types their own.
        self._suggested = ""
        self.full_name.textChanged.connect(self._suggest)

    def _suggest(self, full_name: str) -> None:
        if self.username.text() == self._suggested:
            self._suggested = suggest_username(full_name)
            self.username.setText(self._suggested)

    def submit(self) -> None:
        full_name = clean_full_name(self.full_name.text())
        username = clean_username(self.username.text())
        passphrase = self.passphrase.check(username)
        role, session = self.role.currentData(), self.session
        self.run(lambda _p: staff.add_staff(session, username, full_name, role, passphrase),
                 self._added, changes={"staff"})

    def _added(self, member: StaffMember) -> None:
        self.added.emit(member)
        self.finish()


class ResetPassphraseDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, member: StaffMember,
                 parent: QWidget | None = None):
        intro = TEMPORARY_HINT
        if not member.active:
            intro = "This also turns the account back on. " + intro
        super().__init__(ops, "Temporary passphrase", intro, ok_text="Set temporary passphrase",
                         heading=f"Temporary passphrase for {member.full_name}", parent=parent)
        self.session, self.member = session, member
        self.passphrase = NewPassphrase(self.form, self.errors, field="temporary_passphrase",
                                        label="Temporary &passphrase")

    def submit(self) -> None:
        passphrase = self.passphrase.check(self.member.username)
        session, username = self.session, self.member.username
        self.run(lambda _p: staff.reset_passphrase(session, username, passphrase),
                 lambda _r: self.finish(), changes={"staff"})


class ChangeRoleDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, member: StaffMember,
                 parent: QWidget | None = None):
        super().__init__(ops, "Change role", ok_text="Change role",
                         heading=f"Role of {member.full_name}", parent=parent)
        self.session, self.member = session, member
        self.role = role_combo(member.role)
        self.role_hint = text_label(ROLE_HINTS[member.role], "hint")
        self.errors.row(self.form, "&Role", "role", self.role)
        self.form.addRow("", self.role_hint)
        self.role.currentIndexChanged.connect(
            lambda _i: self.role_hint.setText(ROLE_HINTS[self.role.currentData()]))

    def submit(self) -> None:
        role, session, username = self.role.currentData(), self.session, self.member.username
        if role == self.member.role:
            self.finish()
            return
        self.run(lambda _p: staff.change_role(session, username, role),
                 lambda _r: self.finish(), changes={"staff"})
