"""The enquiry form, filled in while the caller is on the line. Keyboard first: every field
in reading order on Tab, Alt+letter to jump, Enter (or Ctrl+Enter in the summary) saves.

Nothing beyond the channel is compulsory: an anonymous caller gives no details at all (R1).
The route records a professional's referral (R2); casework is asked for here and the
service decides (R3); the first-contact checklist records the statement (R14). If casework
was refused, the refusal is shown as the service wrote it and the enquiry stays general
information.
"""

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConfideError
from app.security.session import Session
from app.services import enquiries
from app.services.enquiries import EnquiryInput, EnquiryResult
from ui.dialogs import messages
from ui.dialogs.enquiry_subject import SubjectSection
from ui.dialogs.enquiry_who import WhoSection
from ui.dialogs.unsaved import UnsavedGuard
from ui.operations import Operations
from ui.widgets.forms import FieldErrors, text_label

# Service fields that name a person picker rather than an input of their own.
FIELD_ALIASES = {"adult": "caller"}


class EnquiryForm(QDialog):
    saved = Signal(object)  # EnquiryResult

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None,
                 now: datetime | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.result_value: EnquiryResult | None = None
        self._busy = False
        self.setWindowTitle("New enquiry")  # never a name: titles reach taskbars and screen sharing
        self.setModal(True)
        self.setMinimumSize(960, 560)
        self.resize(1240, 720)

        general = text_label("", "error")
        general.setAccessibleName("Error")
        self.errors = FieldErrors(general)
        self.who = WhoSection(session, ops, self.errors, now)
        self.subject = SubjectSection(session, self.errors)
        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setSpacing(28)
        columns.addWidget(self.who, 5, Qt.AlignmentFlag.AlignTop)  # the people side holds the most fields
        columns.addWidget(self.subject, 4, Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a tab stop of its own
        scroll.setWidget(body)
        self.body, self.scroll = body, scroll

        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("Save enquiry", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.accept)

        outer = QVBoxLayout(self)
        outer.addWidget(text_label("New enquiry", "heading"))
        outer.addWidget(text_label("Only the channel is needed. Callers may stay anonymous: do not press for "
                                   "details. Enter saves; Ctrl+Enter saves from the summary.", "hint"))
        outer.addWidget(scroll, 1)
        outer.addWidget(general)
        outer.addWidget(self.buttons)

        self.who.anonymousChanged.connect(self.subject.set_anonymous)
        self.who.layoutChanged.connect(self._set_tab_order)
        self.who.channel.currentIndexChanged.connect(
            lambda _i: self.subject.first_contact.suggest_for(self.who.channel.currentData()))
        self.subject.first_contact.show_button.toggled.connect(self._statement_toggled)
        self.subject.first_contact.suggest_for(self.who.channel.currentData())
        self._set_tab_order()
        self.guard = UnsavedGuard(self, "this enquiry")
        self.guard.mark_clean()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.subject.fit_topics()
        # The time defaults to now; how they got in touch is the first thing to set.
        QTimer.singleShot(0, self, self.who.channel.setFocus)

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

    @property
    def busy(self) -> bool:
        return self._busy

    def accept(self) -> None:
        if self._busy:
            return
        self.errors.clear()
        try:
            data = self.enquiry_input()
        except ConfideError as exc:
            self._failed(exc)
            return
        session = self.session
        self._set_busy(True)
        self.ops.run(lambda _p: enquiries.record_enquiry(session, data), on_done=self._saved,
                     on_error=self._failed, changes={"enquiries", "cases", "people"})

    def _saved(self, result: EnquiryResult) -> None:
        self._set_busy(False)
        self.result_value = result
        parent = self.parentWidget()
        super().accept()
        self.saved.emit(result)
        if result.refusal:
            messages.warn(parent, "Casework not opened",
                          f"{result.refusal}\n\nThe enquiry {result.enquiry.reference} is saved as general "
                          "information.")

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        field = getattr(exc, "field", None)
        if field in FIELD_ALIASES:
            exc.field = FIELD_ALIASES[field]
        self.errors.show(exc)
        # The field at fault may be out of sight in the scroll area: bring it into view.
        focused = self.focusWidget()
        if focused is not None and self.body.isAncestorOf(focused):
            self.scroll.ensureWidgetVisible(focused)

    def reject(self) -> None:
        if self._busy or not self.guard.may_close():
            return
        super().reject()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.body.setEnabled(not busy)
        self.save_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.save_button.setText("Saving…" if busy else "Save enquiry")
