"""First run: service name, first manager, passphrase, device secret store, then the vault is
created and its recovery key shown once and checked. `vaultReady` hands the session on."""

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget, QWizard

from app.security.session import Session
from ui.dialogs import messages
from ui.operations import Operations
from ui.team.join_dialog import JoinDialog
from ui.wizard.account_pages import ManagerPage, PassphrasePage, ServicePage
from ui.wizard.recovery_pages import ConfirmKeyPage, RecoveryKeyPage
from ui.wizard.store_page import StorePage


class SetupWizard(QWizard):
    vaultReady = Signal(object)  # Session

    def __init__(self, data_dir: Path, device_key_file: Path | None, ops: Operations,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Set up Confide")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Start using Confide")
        self.setMinimumSize(760, 600)
        self.ops = ops
        self.session: Session | None = None
        self.recovery_key: str | None = None

        self.service_page = ServicePage(data_dir)
        self.manager_page = ManagerPage()
        self.passphrase_page = PassphrasePage(lambda: self.manager_page.username.text())
        self.store_page = StorePage(data_dir, device_key_file, ops, self._details)
        self.recovery_page = RecoveryKeyPage()
        self.confirm_page = ConfirmKeyPage()
        self.data_dir, self.device_key_file = data_dir, device_key_file
        # A computer joining a team does not make a new service's vault: it joins from an invitation.
        self.setButtonText(QWizard.WizardButton.CustomButton1, "&Join a team instead…")
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.customButtonClicked.connect(lambda _which: self.join_team())
        self.currentIdChanged.connect(lambda _id: self.button(QWizard.WizardButton.CustomButton1).setVisible(
            self.currentPage() is self.service_page))
        self.setTitleFormat(Qt.TextFormat.RichText)
        for page in (self.service_page, self.manager_page, self.passphrase_page,
                     self.store_page, self.recovery_page, self.confirm_page):
            page.setTitle(f'<span style="font-size: 16pt; font-weight: 600;">{escape(page.title())}</span>')
            self.addPage(page)

    def join_team(self):
        dialog = JoinDialog(self.data_dir, self.device_key_file, self.ops, self)
        dialog.joined.connect(self._joined)
        dialog.open()
        return dialog

    def _joined(self, session: Session) -> None:
        self.vaultReady.emit(session)
        QWizard.accept(self)

    def service_name(self) -> str:
        return self.service_page.value()

    def _details(self) -> tuple[str, str, str, str]:
        username, full_name = self.manager_page.values()
        return self.service_name(), username, full_name, self.passphrase_page.passphrase.text()

    def accept(self) -> None:
        session = self.session
        # The main window must be showing before this one hides, or Qt quits the application.
        if session is not None:
            self.passphrase_page.passphrase.clear()
            self.vaultReady.emit(session)
        super().accept()

    def reject(self) -> None:
        if self.ops.busy:
            return
        if self.session is not None and not self.session.locked:
            if not messages.ask(
                    self, "Close set-up",
                    "The vault is created, but the recovery key is not yet checked. It will not "
                    "be shown again.\n\nClose set-up anyway?",
                    confirm="Close set-up", cancel="Go back", destructive=True):
                return
            self.session.lock("setup_closed")
        super().reject()
