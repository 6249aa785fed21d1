"""Recording what was shared with a professional, or asked of them (R5, R6, R7).

Before anything is saved the service is asked whether a live consent covers it. If none
does, its refusal is shown as written, with the one way on besides getting consent: an
override with a lawful reason and a justification, which the manager reviews.
"""

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QWidget

from app.domain.consent import DisclosureChannel, DisclosureKind, LawfulReason
from app.domain.records import Case
from app.errors import ConsentMissing, ValidationError
from app.security.session import Session
from app.services.consent import counterparties, disclosures
from app.services.consent.disclosures import DisclosureInput
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.choices import choice_combo, date_edit, date_of
from ui.widgets.forms import text_box, text_label


class DisclosureDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, case: Case, parent: QWidget | None = None):
        super().__init__(ops, "Record a disclosure", "Every piece of information given to someone outside the "
                         "service is logged here, including the fact that the family contacted us.",
                         ok_text="Record disclosure", heading=f"Disclosure, case {case.reference}", parent=parent)
        self.setMinimumWidth(760)
        self.session, self.case = session, case
        self.kind = choice_combo(DisclosureKind, "What kind")
        self.party = QComboBox()
        self.party.setAccessibleName("To whom")
        self.party.addItem("Choose the professional or organisation…", None)
        for party in counterparties.choices(session):
            self.party.addItem(party.label, party)
        self.channel = choice_combo(DisclosureChannel, "How")
        self.day = date_edit("Date")
        self.what = text_box("What was shared", 80)
        self.what.setFixedHeight(80)
        self.errors.row(self.form, "&Kind", "kind", self.kind)
        self.errors.row(self.form, "&To whom", "counterparty", self.party)
        self.errors.row(self.form, "&How", "channel", self.channel)
        self.errors.row(self.form, "&Date", "disclosed_on", self.day)
        self.errors.row(self.form, "&What", "what", self.what)

        # Shown only after the service said no consent covers this.
        self.refusal = text_label("", "warning")
        self.refusal.setAccessibleName("No consent")
        self.reason = choice_combo(LawfulReason, "Lawful reason", none_text="Choose the lawful reason…")
        self.justification = text_box("Justification", 80)
        self.justification.setFixedHeight(80)
        self.form.addRow(self.refusal)
        self.reason_row = self.errors.row(self.form, "&Lawful reason", "lawful_reason", self.reason)
        self.justification_row = self.errors.row(self.form, "&Justification", "justification", self.justification)
        self._show_override(False)
        self.kind.currentIndexChanged.connect(lambda _i: self._show_override(False))
        self.party.currentIndexChanged.connect(lambda _i: self._show_override(False))

    @property
    def overriding(self) -> bool:
        """The refusal is on show, so saving records an override."""
        return not self.refusal.isHidden()

    def _show_override(self, on: bool, message: str = "") -> None:
        self.refusal.setText(message + ("\n\nTo share anyway, choose the lawful reason and explain why it could "
                                        "not wait. The manager is told." if on else ""))
        for widget in (self.refusal, self.reason_row, self.justification_row,
                       self.form.labelForField(self.reason_row), self.form.labelForField(self.justification_row)):
            widget.setVisible(on)
        self.ok_button.setText("Record override" if on else "Record disclosure")
        self.ok_text = self.ok_button.text()
        if self.isVisible():  # the override rows need room: grow, up to the screen
            QTimer.singleShot(0, self, lambda: self.fit_to_screen(grow_only=True))

    def data(self) -> DisclosureInput:
        party = self.party.currentData()
        if party is None:
            raise ValidationError("Choose who the information went to.", field="counterparty")
        data = DisclosureInput(case_id=self.case.id, what=self.what.toPlainText(), kind=self.kind.currentData(),
                               counterparty_person_id=party.person_id,
                               counterparty_organisation_id=None if party.person_id else party.organisation_id,
                               channel=self.channel.currentData(), disclosed_on=date_of(self.day))
        if self.overriding:
            data.lawful_reason = self.reason.currentData() or ""
            data.justification = self.justification.toPlainText()
            if not data.lawful_reason:
                raise ValidationError("Choose the lawful reason for sharing without consent.", field="lawful_reason")
        return data

    def submit(self) -> None:
        data = self.data()
        if not self.overriding:
            try:
                disclosures.matching_consent(self.session, data.case_id, data.kind, data.counterparty_person_id,
                                             data.counterparty_organisation_id, on=data.disclosed_on)
            except ConsentMissing as exc:
                self._show_override(True, exc.message)
                self.reason.setFocus()
                return
        session = self.session
        self.run(lambda _p: disclosures.record_disclosure(session, data), lambda _r: self.finish(),
                 changes={"consent", "disclosures"})
