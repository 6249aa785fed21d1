"""Consent and sharing for a case (R5, R6, R7): the consents with their state, the record of
every disclosure and its basis, and the two ways to add to them."""

from datetime import date

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout, QWidget

from app.domain.consent import DisclosureChannel, DisclosureKind
from app.domain.records import Case
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services import consent_views
from ui.dialogs.consent_capture import ConsentCaptureDialog
from ui.dialogs.disclosure_dialog import DisclosureDialog
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.card import card
from ui.widgets.forms import text_label
from ui.widgets.record_list import RecordList


def disclosure_text(d) -> str:
    what = " ".join(d.what.split())
    what = what if len(what) <= 90 else what[:89] + "…"
    basis = d.basis_label
    if d.is_override:
        basis += f" (reviewed by {d.reviewed_by})" if d.reviewed_by else " (awaiting the manager's review)"
    return (f"{uk_date(d.disclosed_on)} · {DisclosureKind(d.kind).label} · {d.counterparty_name} · "
            f"{DisclosureChannel(d.channel).label.lower()} · {basis}\n{what}")


class CaseConsentTab(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.case: Case | None = None
        self.consent_button = QPushButton("Record c&onsent…")
        self.consent_button.setProperty("primary", True)
        self.disclosure_button = QPushButton("Record a &disclosure…")
        buttons = QHBoxLayout()
        for button in (self.consent_button, self.disclosure_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.error = text_label("", "error")
        self.error.hide()
        consents_card, consents_column = card("Consents")
        self.consents = RecordList("Consents", "No consents recorded for this case.", max_rows=12)
        consents_column.addWidget(self.consents)
        log_card, log_column = card("Disclosure log")
        self.disclosures = RecordList("Disclosure log", "Nothing has been shared with anyone outside the "
                                      "service.", max_rows=12)
        log_column.addWidget(self.disclosures)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(4, 12, 4, 12)
        column.addLayout(buttons)
        column.addWidget(self.error)
        column.addWidget(consents_card)
        column.addWidget(log_card)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.consent_button.clicked.connect(self.record_consent)
        self.disclosure_button.clicked.connect(self.record_disclosure)

    def show_case(self, case: Case) -> None:
        self.case = case
        self.error.hide()
        try:
            view = consent_views.case_consents(self.session, case.id, date.today())
        except ConfideError as exc:
            self.error.setText(describe_error(exc))
            self.error.show()
            return
        self.consents.set_rows([(line.text, None, None) for line in view.consents])
        self.disclosures.set_rows([(disclosure_text(d), None, None) for d in view.disclosures])

    def record_consent(self) -> ConsentCaptureDialog | None:
        if self.case is None:
            return None
        dialog = ConsentCaptureDialog(self.session, self.case.id, self.ops, self)
        dialog.open()
        return dialog

    def record_disclosure(self) -> DisclosureDialog | None:
        if self.case is None:
            return None
        dialog = DisclosureDialog(self.session, self.ops, self.case, self)
        dialog.open()
        return dialog

    def set_busy(self, busy: bool) -> None:
        for button in (self.consent_button, self.disclosure_button):
            button.setEnabled(not busy)

    def clear(self) -> None:
        self.case = None
        self.consents.clear()
        self.disclosures.clear()
