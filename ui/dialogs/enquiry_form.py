"""The enquiry form, filled in while the caller is on the line. Keyboard first: every field
in reading order on Tab, Alt+letter to jump; Enter moves to the next field and never saves
half an enquiry; Ctrl+S (or Ctrl+Enter, or the button) saves.

Nothing beyond the channel is compulsory: an anonymous caller gives no details at all (R1).
The route records a professional's referral (R2); casework is asked for here and the
service decides (R3); the first-contact checklist records the statement (R14). If casework
was refused, the refusal is shown as the service wrote it and the enquiry stays general
information.
"""

from datetime import datetime

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from app.security.session import Session
from app.services.casework import enquiries
from app.services.casework.enquiries import EnquiryInput, EnquiryResult
from ui.dialogs import messages
from ui.dialogs.enquiry_subject import SubjectSection
from ui.dialogs.enquiry_who import WhoSection
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations

# Service fields that name a person picker rather than an input of their own.
FIELD_ALIASES = {"adult": "caller"}


class EnquiryForm(FormDialog):
    saved = Signal(object)  # EnquiryResult
    enter_saves = False  # a stray Enter must never save half an enquiry (or create a person)
    draft_kind = "enquiry"

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None,
                 now: datetime | None = None):
        super().__init__(ops, "New enquiry", "Only the channel is needed. Callers may stay anonymous: do not "
                         "press for details. Enter moves to the next field; Ctrl+S saves.",
                         ok_text="Save enquiry", heading_kind="heading", discard_what="this enquiry",
                         parent=parent)
        self.session = session
        self.result_value: EnquiryResult | None = None
        self.setMinimumSize(960, 520)
        self.preferred_size = QSize(1240, 720)
        self.save_button = self.ok_button
        self.who = WhoSection(session, ops, self.errors, now)
        self.subject = SubjectSection(session, self.errors)
        columns = QHBoxLayout()
        columns.setSpacing(28)
        columns.addWidget(self.who, 5, Qt.AlignmentFlag.AlignTop)  # the people side holds the most fields
        columns.addWidget(self.subject, 4, Qt.AlignmentFlag.AlignTop)
        self.body_column.addLayout(columns)

        self.who.anonymousChanged.connect(self.subject.set_anonymous)
        self.who.layoutChanged.connect(self._set_tab_order)
        self.who.channel.currentIndexChanged.connect(
            lambda _i: self.subject.first_contact.suggest_for(self.who.channel.currentData()))
        self.subject.first_contact.show_button.toggled.connect(self._statement_toggled)
        self.subject.first_contact.suggest_for(self.who.channel.currentData())
        self._set_tab_order()
        self.initial_focus = self.who.channel
        self.guard.mark_clean()

    def showEvent(self, event) -> None:
        self.subject.fit_topics()
        # The time defaults to now; how they got in touch is the first thing to set.
        super().showEvent(event)

    def _statement_toggled(self, shown: bool) -> None:
        if shown:  # it opens below the fold: bring the words into view to be read out
            statement = self.subject.first_contact.statement
            QTimer.singleShot(0, self, lambda: self.scroll.ensureWidgetVisible(statement, 0, 0))

    def _set_tab_order(self) -> None:
        chain = [*self.who.tab_chain(), *self.subject.tab_chain(), self.save_button, self.cancel_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # --- saving ----------------------------------------------------------------------------
    def enquiry_input(self) -> EnquiryInput:
        """What the form holds, as the service takes it. May raise: ValidationError."""
        return self.subject.fill(self.who.enquiry_input())

    def submit(self) -> None:
        data = self.enquiry_input()
        session = self.session
        self.run(lambda _p: enquiries.record_enquiry(session, data), self._saved,
                 changes={"enquiries", "cases", "people"})

    def _saved(self, result: EnquiryResult) -> None:
        self.result_value = result
        parent = self.parentWidget()
        self.finish()
        self.saved.emit(result)
        if result.refusal:
            messages.warn(parent, "Casework not opened",
                          f"{result.refusal}\n\nThe enquiry {result.enquiry.reference} is saved as general "
                          "information.")

    def failed(self, exc: Exception) -> None:
        field = getattr(exc, "field", None)
        if field in FIELD_ALIASES:
            exc.field = FIELD_ALIASES[field]
        super().failed(exc)  # and the field at fault is scrolled into view
