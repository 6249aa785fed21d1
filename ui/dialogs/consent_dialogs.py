"""One consent from the case's list: read the full record (wording and signature), withdraw it
(when, how, recorded by), or save the family's copy of the signed record (encrypted PDF).

Withdrawing must be as easy as giving (Article 7(3) UK GDPR): one selection and one form."""

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.consent import Capacity, Consent, ConsentMethod, ConsentScope, WithdrawalMethod
from app.domain.signature import signature_alt
from app.domain.text import uk_date
from app.security.session import Session
from app.services.consent import records as consent_service
from ui.dialogs.form_dialog import FormDialog
from ui.names import staff_names
from ui.operations import Operations
from ui.widgets.choices import choice_combo, date_edit, date_of
from ui.widgets.forms import text_label
from ui.widgets.screen_fit import fit_window
from ui.widgets.signature_view import SignatureView


def record_facts(consent: Consent, today: date, names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    c, names = consent, names or {}
    state = c.state(today)
    facts = [("Consent", c.scope_label), ("Case", c.case_reference or "No case"),
             ("Given by", c.given_by_name + (f" ({Capacity(c.capacity).label.lower()})"
                                              if c.capacity != Capacity.SELF else "")),
             ("About", c.subject_name), ("How", ConsentMethod(c.method).label), ("Given on", uk_date(c.given_on)),
             ("Review by", uk_date(c.expires_on)), ("Recorded by", names.get(c.created_by, c.created_by)), ("Now", state.label)]
    if c.purpose:
        facts.insert(1, ("Purpose", c.purpose))
    if c.withdrawn_on:
        facts.append(("Withdrawn", f"{uk_date(c.withdrawn_on)}, "
                                   f"{WithdrawalMethod(c.withdrawal_method).label.lower()}, "
                                   f"recorded by {names.get(c.withdrawn_recorded_by, c.withdrawn_recorded_by)}"))
    if c.replaced_on:
        facts.append(("Replaced", uk_date(c.replaced_on)))
    if c.signed_name:
        facts.append(("Signed as", c.signed_name))
    facts.append(("Wording", wording_words(c) + (" (easy read)" if c.easy_read else "")))
    return facts


def wording_words(c: Consent) -> str:
    """Which wording the family agreed to, in words: never the template's file name
    ("consent_mailing_list v1"), which means nothing to the person reading."""
    version = str(c.wording_version or "").lstrip("vV") or "1"
    return f"Version {version} of the service's wording for \"{ConsentScope(c.scope).label}\""


def can_withdraw(consent: Consent, today: date) -> bool:
    return consent.state(today).in_force


class ConsentRecordDialog(QDialog):
    """The full record, read only; the scroll area holds it, the buttons stay outside."""

    withdrawRequested = Signal(str)  # consent id
    saveRequested = Signal(str)

    def __init__(self, session: Session, consent: Consent, parent: QWidget | None = None):
        super().__init__(parent)
        self.consent = consent
        today = date.today()
        self.setWindowTitle("Consent record")  # no names in window titles (docs/security.md)
        self.setModal(True)
        self.setMinimumWidth(640)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(text_label(consent.scope_label, "subheading"))
        facts = QFormLayout()
        facts.setVerticalSpacing(4)
        self.fact_labels = {}
        for label, value in record_facts(consent, today, staff_names(session)):
            self.fact_labels[label] = text_label(value)
            facts.addRow(label, self.fact_labels[label])
        column.addLayout(facts)
        column.addWidget(text_label("The words agreed to", "subheading"))
        self.wording = text_label(consent.wording_text)
        self.wording.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                             | Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.wording)
        signature = consent_service.signature_of(session, consent.id) if consent.has_signature else None
        self.signature = SignatureView(signature) if signature else None
        if self.signature is not None:
            self.signature.setAccessibleDescription(signature_alt(consent.signed_name or consent.given_by_name,
                                                                  consent.given_on))
        column.addWidget(text_label("Signature", "subheading"))
        column.addWidget(self.signature or text_label(f"No signature: given {ConsentMethod(consent.method).label.lower()}.",
                                                      "hint"))
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setAccessibleName("Consent record")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.withdraw_button = self.buttons.addButton("&Withdraw…", QDialogButtonBox.ButtonRole.ActionRole)
        self.withdraw_button.setEnabled(can_withdraw(consent, today))
        self.save_button = self.buttons.addButton("Print / save a &copy…", QDialogButtonBox.ButtonRole.ActionRole)
        for button in (self.withdraw_button, self.save_button):
            button.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        self.withdraw_button.clicked.connect(lambda: self._then(self.withdrawRequested))
        self.save_button.clicked.connect(lambda: self._then(self.saveRequested))
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.buttons)
        fit_window(self, QSize(680, 600))

    def _then(self, signal) -> None:
        self.accept()
        signal.emit(self.consent.id)


class WithdrawConsentDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, consent: Consent, parent: QWidget | None = None):
        super().__init__(ops, "Withdraw consent", "From the day it is withdrawn the service shares nothing more "
                         "under it; anything already shared stays in the disclosure log. Contact preferences and "
                         "the mailing list follow at once.", ok_text="Withdraw consent",
                         heading=f"Withdraw: {consent.scope_label}", parent=parent)
        self.session, self.consent = session, consent
        self.form.addRow("Given", text_label(f"{uk_date(consent.given_on)} by {consent.given_by_name}"))
        self.when = date_edit("Date withdrawn")
        given = date.fromisoformat(consent.given_on)
        self.when.setMinimumDate(QDate(given.year, given.month, given.day))
        self.how = choice_combo(WithdrawalMethod, "How it was withdrawn")
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("Optional: what the person said, or who passed it on")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(70)
        self.errors.row(self.form, "&When", "withdrawn_on", self.when)
        self.errors.row(self.form, "&How", "withdrawal_method", self.how)
        self.errors.row(self.form, "&Note", "note", self.note)
        self.form.addRow("Recorded by", text_label(session.user.full_name))
        self.initial_focus = self.how

    def submit(self) -> None:
        session, consent_id = self.session, self.consent.id
        day, how, note = date_of(self.when), self.how.currentData(), self.note.toPlainText()
        self.run(lambda _p: consent_service.withdraw_consent(session, consent_id, how, day, note),
                 lambda _r: self.finish(), changes={"consent"})


def suggested_copy_name(consent: Consent) -> str:
    # No names in file names: the folder may be shared; the reference and date say enough.
    return f"Consent record {consent.case_reference or 'no case'} {consent.given_on}.pdf"


def copy_path(chosen: Path) -> Path:
    return chosen if chosen.suffix.lower() == ".pdf" else chosen.with_name(chosen.name + ".pdf")
