"""Staff (managers): the register, and adding, resetting, re-roling and disabling accounts."""

from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.staff import StaffMember
from app.errors import ConfideError
from app.security.session import Session
from app.services.team import membership
from app.services.vault import staff
from ui.dialogs import messages
from ui.dialogs.opening import open_dialog
from ui.dialogs.staff_dialogs import AddStaffDialog, ChangeRoleDialog, ResetPassphraseDialog
from ui.models import staff_table_model as columns
from ui.models.staff_table_model import StaffTableModel
from ui.operations import Operations
from ui.widgets.forms import show_error, text_label
from ui.widgets.record_table import RecordTable


class StaffView(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self._select_next: str | None = None  # the colleague just added, once the list reloads
        self.model = StaffTableModel(self)
        self.table = RecordTable(self.model, "Staff accounts", sort_column=columns.NAME)
        self.table.setAlternatingRowColors(True)

        self.add_button = QPushButton("&Add colleague…")
        self.reset_button = QPushButton("&Temporary passphrase…")
        self.role_button = QPushButton("Change r&ole…")
        self.disable_button = QPushButton("&Disable…")
        self.add_button.setProperty("primary", True)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.reset_button, self.role_button, self.disable_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.error = text_label("", "error")
        self.error.hide()
        self.empty = text_label("Only you so far. Add a colleague to give them their own "
                                "user name and passphrase.", "hint")
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 24)
        column.setSpacing(12)
        column.addWidget(text_label("Staff", "heading"))
        column.addWidget(text_label("Everyone who can unlock Confide. A disabled account can no "
                                    "longer unlock; its history stays.", "hint"))
        column.addLayout(buttons)
        # Accounts whose key slot missed a change of the database key (an old-style slot) or
        # cannot be read: only a passphrase reset gives them a working one.
        self.needs_reset = text_label("", "error")
        self.needs_reset.setAccessibleName("Accounts that need a passphrase reset")
        self.needs_reset.hide()
        column.addWidget(self.needs_reset)
        column.addWidget(self.error)
        column.addWidget(self.table, 1)
        column.addWidget(self.empty)

        self.add_button.clicked.connect(self.add)
        self.reset_button.clicked.connect(self.reset_passphrase)
        self.role_button.clicked.connect(self.change_role)
        self.disable_button.clicked.connect(self.disable)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        ops.changed.connect(self._changed)
        self.reload()

    # --- contents ----------------------------------------------------------------------
    def reload(self) -> None:
        keep = self._select_next or getattr(self.selected(), "username", None)
        self._select_next = None
        try:
            members = staff.list_staff(self.session)
        except ConfideError as exc:
            self._show_error(exc)
            return
        self.model.set_members(members)
        self.empty.setVisible(len(members) <= 1)
        waiting = staff.accounts_needing_reset(self.session) if self.session.user.is_manager else []
        self.needs_reset.setText("Reset the passphrase of " + ", ".join(waiting) + " so that they can "
                                 "sign in again: the database key changed before their account "
                                 "was upgraded." if waiting else "")
        self.needs_reset.setVisible(bool(waiting))
        if keep:
            self.select(keep)
        self._update_buttons()

    def clear(self) -> None:
        self.model.clear()
        self.error.hide()

    def set_busy(self, busy: bool) -> None:
        # Buttons only: disabling the whole view would also disable its open dialogs.
        if busy:
            for button in (self.add_button, self.reset_button, self.role_button, self.disable_button):
                button.setEnabled(False)
        else:
            self.add_button.setEnabled(True)
            self._update_buttons()

    def _changed(self, topics) -> None:
        if "staff" in topics and not self.session.locked:
            self.reload()

    def select(self, username: str) -> None:
        self.table.select(username)

    def selected(self) -> StaffMember | None:
        return self.table.selected()

    def _update_buttons(self) -> None:
        member = self.selected()
        is_me = member is not None and member.id == self.session.user.id
        active = member is not None and member.active
        self.reset_button.setEnabled(member is not None and not is_me)
        self.reset_button.setText("&Turn on with a temporary passphrase…"
                                  if member is not None and not active else "&Temporary passphrase…")
        self.role_button.setEnabled(active)
        self.disable_button.setEnabled(active and not is_me)

    def _show_error(self, exc: BaseException) -> None:
        show_error(self.error, exc)

    # --- actions -----------------------------------------------------------------------
    def add(self) -> AddStaffDialog:
        self.error.hide()
        dialog = AddStaffDialog(self.session, self.ops, self)
        dialog.added.connect(lambda member: setattr(self, "_select_next", member.username))
        return open_dialog(dialog)

    def reset_passphrase(self) -> ResetPassphraseDialog | None:
        return self._about_selected(ResetPassphraseDialog)

    def change_role(self) -> ChangeRoleDialog | None:
        return self._about_selected(ChangeRoleDialog)

    def _about_selected(self, dialog_class):
        """A dialog about the selected colleague, or None when no one is selected."""
        member = self.selected()
        if member is None:
            return None
        self.error.hide()
        return open_dialog(dialog_class(self.session, self.ops, member, self))

    def disable(self) -> None:
        member = self.selected()
        if member is None:
            return
        self.error.hide()
        if not messages.ask(self, "Disable account",
                            f"Disable the account of {member.full_name} ({member.username})?\n\n"
                            "They will no longer be able to unlock Confide. Their history stays, "
                            "and you can turn the account on again with a temporary passphrase.",
                            confirm="Disable account", destructive=True):
            return
        session, username = self.session, member.username
        # On a team the team key changes too (membership.disable_colleague).
        self.ops.run(lambda _p: membership.disable_colleague(session, username), on_error=self._show_error,
                     changes={"staff"})
