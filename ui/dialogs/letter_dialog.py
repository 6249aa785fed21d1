"""Writing a letter from a template (docs/documents.md, "Letters"): choose the template (and,
for a letter to a professional, who it is to), finish the filled text, then send it: Confide
makes the PDF and keeps it on the case as a "letter sent" document. A letter to a
professional is a disclosure: without a live consent the service's refusal is shown as
written, with the one way on, an override the manager reviews."""

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QWidget

from app.domain.records import Case
from app.errors import ConfideError, ConsentMissing, ValidationError
from app.security.session import Session
from app.services.consent import counterparties, disclosures
from app.services.documents import letters
from ui.dialogs.form_dialog import FormDialog, narrow_combo
from ui.dialogs.override_rows import OverrideRows
from ui.operations import Operations


class LetterDialog(FormDialog, OverrideRows):
    enter_saves = False      # Enter is a new line in the letter
    draft_kind = "letter"    # a half-written letter survives the lock (ui/drafts.py)

    def __init__(self, session: Session, ops: Operations, case: Case, parent: QWidget | None = None):
        super().__init__(ops, "Write a letter", "Choose a template: Confide fills in the family's and the case's "
                         "details. Replace each [bracketed] part with your words, then send: the letter is kept on "
                         "the case as a PDF.", ok_text="Make the letter", heading=f"Letter, case {case.reference}",
                         parent=parent)
        self.setMinimumWidth(820)
        self.session, self.case = session, case
        self.sent = None
        self.draft: letters.LetterDraft | None = None
        self.template = QComboBox()
        self.template.setAccessibleName("Template")
        for name, label in letters.TEMPLATES.items():
            self.template.addItem(label, name)
        self.party = narrow_combo(QComboBox())
        self.party.setAccessibleName("To which professional")
        self.party.addItem("Choose the professional or organisation…", None)
        for party in counterparties.choices(session):
            self.party.addItem(party.label, party)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("The letter")
        self.text.setMinimumHeight(300)
        self.errors.row(self.form, "&Template", "template", self.template)
        self.party_row = self.errors.row(self.form, "&Recipient", "counterparty", self.party)
        self.errors.row(self.form, "Letter te&xt", "text", self.text)
        self.add_override_rows()
        self.template.currentIndexChanged.connect(lambda _i: self.fill())
        self.party.currentIndexChanged.connect(lambda _i: self.fill())
        self._show_override(False)
        self.fill()
        self.initial_focus = self.text

    def draft_context(self) -> dict:
        return {"case_id": self.case.id}

    @property
    def to_professional(self) -> bool:
        return self.template.currentData() == letters.TO_PROFESSIONAL

    @property
    def overriding(self) -> bool:
        return not self.refusal.isHidden()

    def fill(self) -> None:
        """The template, filled from the case: what was typed is replaced only on a new choice."""
        for widget in self._rows(self.party_row):
            widget.setVisible(self.to_professional)
        self._show_override(False)
        party = self.party.currentData()
        if self.to_professional and party is None:
            self.draft = None
            self.text.setPlainText("")
            self.text.setPlaceholderText("Choose who the letter is to.")
            return
        try:
            self.draft = letters.draft_letter(self.session, self.case.id, self.template.currentData(),
                                              party.person_id if party else None,
                                              None if party is None or party.person_id else party.organisation_id)
        except ConfideError as exc:
            self.errors.show(exc)
            return
        self.text.setPlainText(self.draft.text)

    def _show_override(self, on: bool, message: str = "") -> None:
        self.show_override_rows(on, message, "send", "Send under an override", "Make the letter")
        if self.isVisible():
            QTimer.singleShot(0, self, lambda: self.fit_to_screen(grow_only=True))

    def submit(self) -> None:
        if self.draft is None:
            raise ValidationError("Choose who the letter is to.", field="counterparty")
        draft, text = self.draft, self.text.toPlainText()
        reason = justification = None
        if self.overriding:
            reason = self.reason.currentData() or ""
            justification = self.justification.toPlainText()
            if not reason:
                raise ValidationError("Choose the lawful reason for sending without consent.", field="lawful_reason")
        elif draft.to_professional:
            try:
                disclosures.matching_consent(self.session, draft.case_id, "share", draft.recipient.person_id,
                                             draft.recipient.organisation_id)
            except ConsentMissing as exc:
                self._show_override(True, exc.message)
                self.reason.setFocus()
                return
        session = self.session
        self.run(lambda _p: letters.send_letter(session, draft, text, reason, justification), self._done,
                 changes={"documents", "disclosures", "consent"})

    def _done(self, sent) -> None:
        self.sent = sent
        self.finish()
