"""Consent and sharing for a case (R5, R6, R7): the consents with their state, the record of
every disclosure and its basis, and the two ways to add to them. A consent in the list is
viewed (Enter or double-click), withdrawn, or saved as the family's copy, from the buttons
under the list or its context menu (also the Menu key)."""

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QPushButton, QWidget

from app.domain.consent import DisclosureChannel, DisclosureKind
from app.domain.records import Case
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.consent import export as consent_export
from app.services.consent import records as consent_service
from app.services.consent import views as consent_views
from ui.clipboard import SecretClipboard
from ui.dialogs import files, messages
from ui.dialogs.consent_capture import ConsentCaptureDialog
from ui.dialogs.consent_dialogs import (
    ConsentRecordDialog,
    WithdrawConsentDialog,
    can_withdraw,
    copy_path,
    suggested_copy_name,
)
from ui.dialogs.disclosure_dialog import DisclosureDialog
from ui.dialogs.opening import open_dialog
from ui.formatting import describe_error
from ui.names import full_name, staff_names
from ui.operations import Operations
from ui.widgets.forms import show_error, text_label
from ui.widgets.page import STRETCH, add, button_row, list_card, scroll_page
from ui.widgets.secret_panel import PasswordDialog


def disclosure_text(d, names: dict[str, str] | None = None) -> str:
    what = " ".join(d.what.split())
    what = what if len(what) <= 90 else what[:89] + "…"
    basis = d.basis_label
    if d.is_override:
        basis += f" (reviewed by {full_name(names or {}, d.reviewed_by)})" if d.reviewed_by else " (awaiting the manager's review)"
    return (f"{uk_date(d.disclosed_on)} · {DisclosureKind(d.kind).label} · {d.counterparty_name} · "
            f"{DisclosureChannel(d.channel).label.lower()} · {basis}\n{what}")


class CaseConsentTab(QWidget):
    def __init__(self, session: Session, ops: Operations, clipboard: SecretClipboard | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.clipboard = clipboard or SecretClipboard(parent=self)
        self.case: Case | None = None
        self.lines: list = []  # the consent lines shown, in list order
        self.consent_button = QPushButton("Record c&onsent…")
        self.consent_button.setProperty("primary", True)
        self.disclosure_button = QPushButton("Record a d&isclosure…")
        self.error = text_label("", "error")
        self.error.hide()
        consents_card, consents_column, self.consents = list_card(
            "Consents", "Consents", "No consents recorded for this case.", max_rows=12)
        self.view_button = QPushButton("&View…")
        self.withdraw_button = QPushButton("&Withdraw…")
        self.copy_button = QPushButton("Print / save a co&py…")
        consents_column.addLayout(button_row(*self.consent_buttons))
        self.consents.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.consents.list.customContextMenuRequested.connect(self._context_menu)
        self.consents.list.currentRowChanged.connect(lambda _row: self._update_consent_buttons())
        self.consents.openRequested.connect(lambda _kind, consent_id: self.view_consent(consent_id))
        self.view_button.clicked.connect(lambda: self.view_consent())
        self.withdraw_button.clicked.connect(lambda: self.withdraw_consent())
        self.copy_button.clicked.connect(lambda: self.save_copy())
        self.menu: QMenu | None = None
        log_card, _log_column, self.disclosures = list_card(
            "Disclosure log", "Disclosure log", "Nothing has been shared with anyone outside the service.",
            max_rows=12)
        add(scroll_page(self, (4, 12, 4, 12), name="Consent and sharing"), button_row(self.consent_button, self.disclosure_button),
            self.error, consents_card, log_card, STRETCH)
        self.consent_button.clicked.connect(self.record_consent)
        self.disclosure_button.clicked.connect(self.record_disclosure)

    def show_case(self, case: Case) -> None:
        self.fill(case, self.read(self.session, case))

    @staticmethod
    def read(session: Session, case: Case):
        """The case's consents and disclosures with the staff's names (on the worker when the
        case view loads), or the error."""
        try:
            return consent_views.case_consents(session, case.id, date.today()), staff_names(session)
        except ConfideError as exc:
            return exc

    def fill(self, case: Case, read) -> None:
        self.case = case
        self.error.hide()
        if isinstance(read, ConfideError):
            show_error(self.error, read)
            return
        view, names = read
        keep = getattr(self.selected_consent(), "id", None)
        self.lines = list(view.consents)
        self.consents.set_rows([(line.text, "consent", line.consent.id) for line in self.lines])
        if keep:
            row = next((i for i, line in enumerate(self.lines) if line.consent.id == keep), -1)
            self.consents.list.setCurrentRow(row)
        self._update_consent_buttons()
        self.disclosures.set_rows([(disclosure_text(d, names), None, None) for d in view.disclosures])

    def record_consent(self) -> ConsentCaptureDialog | None:
        return None if self.case is None else open_dialog(ConsentCaptureDialog(self.session, self.case.id, self.ops, self))

    def record_disclosure(self) -> DisclosureDialog | None:
        return None if self.case is None else open_dialog(DisclosureDialog(self.session, self.ops, self.case, self))

    # --- one consent: view, withdraw, the family's copy -------------------------------------
    @property
    def consent_buttons(self) -> tuple[QPushButton, ...]:
        return (self.view_button, self.withdraw_button, self.copy_button)

    def selected_consent(self):
        row = self.consents.list.currentRow()
        return self.lines[row].consent if 0 <= row < len(self.lines) else None

    def _update_consent_buttons(self) -> None:
        consent, idle = self.selected_consent(), not self.ops.busy
        self.view_button.setEnabled(idle and consent is not None)
        self.copy_button.setEnabled(idle and consent is not None)
        self.withdraw_button.setEnabled(idle and consent is not None and can_withdraw(consent, date.today()))

    def _context_menu(self, pos) -> QMenu | None:
        item = self.consents.list.itemAt(pos)
        if item is not None:
            self.consents.list.setCurrentItem(item)
        if self.selected_consent() is None:
            return None
        menu = QMenu(self)
        for button, handler in ((self.view_button, self.view_consent), (self.withdraw_button, self.withdraw_consent),
                                (self.copy_button, self.save_copy)):
            action = menu.addAction(button.text().replace("&", ""))
            action.setEnabled(button.isEnabled())
            action.triggered.connect(lambda _c=False, h=handler: h())
        self.menu = menu
        menu.popup(self.consents.list.viewport().mapToGlobal(pos))
        return menu

    def _consent(self, consent_id: str | None):
        if consent_id is None:
            return self.selected_consent()
        try:
            return consent_service.get_consent(self.session, consent_id)
        except ConfideError as exc:
            show_error(self.error, exc)
            return None

    def view_consent(self, consent_id: str | None = None) -> ConsentRecordDialog | None:
        consent = self._consent(consent_id or getattr(self.selected_consent(), "id", None))
        if consent is None or self.ops.busy:
            return None
        try:
            dialog = ConsentRecordDialog(self.session, consent, self)
        except ConfideError as exc:
            show_error(self.error, exc)
            return None
        dialog.withdrawRequested.connect(self.withdraw_consent)
        dialog.saveRequested.connect(self.save_copy)
        dialog.finished.connect(dialog.deleteLater)
        self.record_dialog = dialog
        dialog.open()
        return dialog

    def withdraw_consent(self, consent_id: str | None = None) -> WithdrawConsentDialog | None:
        consent = self._consent(consent_id)
        if consent is None or self.ops.busy or not can_withdraw(consent, date.today()):
            return None
        dialog = WithdrawConsentDialog(self.session, self.ops, consent, self)
        dialog.finished.connect(dialog.deleteLater)
        self.withdraw_dialog = dialog
        dialog.open()
        return dialog

    def save_copy(self, consent_id: str | None = None) -> bool:
        """The signed record as an encrypted PDF (the family's copy); its password shown once."""
        consent = self._consent(consent_id)
        if consent is None or self.ops.busy:
            return False
        chosen = files.save_path(self, "Save a copy of the consent record",
                                 files.documents_folder() / suggested_copy_name(consent), "PDF files (*.pdf)")
        if chosen is None:
            return False
        path, session, consent_id = copy_path(chosen), self.session, consent.id
        self.ops.run(lambda _p: consent_export.export_consent_record(session, consent_id, path),
                     on_done=lambda password: self._saved(path, password),
                     on_error=lambda exc: messages.warn(self, "Not saved", f"The consent record was not saved. "
                                                                       f"{describe_error(exc)}"))
        return True

    def _saved(self, path, password: str) -> None:
        dialog = PasswordDialog(self.clipboard, "Consent record saved",
                                f"The family's copy is encrypted in {path.name}, in {path.parent}. Open it to "
                                "print it; give them the password separately.", password, parent=self)
        dialog.finished.connect(dialog.deleteLater)
        self.password_dialog = dialog
        dialog.open()

    def set_busy(self, busy: bool) -> None:
        for button in (self.consent_button, self.disclosure_button):
            button.setEnabled(not busy)
        self._update_consent_buttons()

    def clear(self) -> None:
        self.case = None
        self.lines = []
        self.consents.clear()
        self.disclosures.clear()
