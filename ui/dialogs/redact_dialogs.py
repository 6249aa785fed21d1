"""Redacting a SAR item: the words selected with the exemption that applies, or the names of
other people that Confide found, listed for the manager to check before they are redacted."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QListWidget, QListWidgetItem, QPlainTextEdit, QWidget

from app.security.session import Session
from app.services.sar import review as sar_review
from app.services.sar.gather import SarItem
from app.services.sar.review import RedactionReason, Review
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.forms import text_label

REASONS = [(RedactionReason.THIRD_PARTY, "Third-party information (someone else's)"),
           (RedactionReason.SERIOUS_HARM, "Risk of serious harm"),
           (RedactionReason.LEGAL_PRIVILEGE, "Legal privilege"),
           (RedactionReason.OTHER, "Other exemption (say which)")]
QUOTE_LIMIT = 300


class RedactDialog(FormDialog):
    redacted = Signal(object)  # sar_review.Redaction

    def __init__(self, session: Session, ops: Operations, sar_id: str, item: SarItem, field: str,
                 start: int, end: int, parent: QWidget | None = None):
        super().__init__(ops, "Redact", "The pack will show a black box with the reason in place of these "
                         "words. The record itself is not changed.", ok_text="Redact", parent=parent)
        self.session, self.sar_id, self.item = session, sar_id, item
        self.field_name, self.start, self.end = field, start, end
        words = item.field(field).text[start:end]
        quoted = words if len(words) <= QUOTE_LIMIT else words[:QUOTE_LIMIT] + "…"
        self.words = text_label(f"“{quoted}”", "notice")
        self.form.addRow("Words", self.words)
        self.reason = QComboBox()
        self.reason.setAccessibleName("Reason")
        for value, label in REASONS:
            self.reason.addItem(label, value.value)
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("Needed for 'other': which exemption applies")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(64)
        self.errors.row(self.form, "&Reason", "reason", self.reason)
        self.errors.row(self.form, "&Note", "note", self.note)
        self.initial_focus = self.reason

    def submit(self) -> None:
        s, sar_id, item, field = self.session, self.sar_id, self.item, self.field_name
        start, end, reason, note = self.start, self.end, self.reason.currentData(), self.note.toPlainText()
        self.run(lambda _p: sar_review.redact(s, sar_id, item, field, start, end, reason, note),
                 self._done, changes={"sar_review"})

    def _done(self, redaction) -> None:
        self.redacted.emit(redaction)
        self.finish()


class SuggestionsDialog(FormDialog):
    """Names of other people found in the items: each ticked one is redacted as third-party."""

    accepted_count = Signal(int)

    def __init__(self, session: Session, ops: Operations, sar_id: str, review: Review, parent: QWidget | None = None):
        super().__init__(ops, "Suggested redactions", "These names belong to other people on record. Untick "
                         "any the requester may see (for example a professional acting in their role).",
                         ok_text="Redact ticked names", parent=parent)
        self.session, self.sar_id, self.review = session, sar_id, review
        titles = {i.key: i.title for i in review.items}
        self.list = QListWidget()
        self.list.setAccessibleName("Suggested redactions")
        self.list.setMinimumHeight(260)
        for suggestion in review.suggestions:
            context = review_context(review, suggestion)
            row = QListWidgetItem(f"{suggestion.text}  —  {titles.get(suggestion.item_key, '')}\n{context}")
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Checked)
            row.setData(Qt.ItemDataRole.UserRole, suggestion)
            self.list.addItem(row)
        self.form.addRow(self.list)
        self.initial_focus = self.list

    def chosen(self) -> list:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def submit(self) -> None:
        chosen = self.chosen()
        if not chosen:
            self.finish()
            return
        s, sar_id = self.session, self.sar_id
        subset = Review(self.review.items, self.review.redactions, chosen)
        self.run(lambda _p: sar_review.accept_suggestions(s, sar_id, subset), self._done, changes={"sar_review"})

    def _done(self, count: int) -> None:
        self.accepted_count.emit(count)
        self.finish()


def review_context(review: Review, suggestion, width: int = 40) -> str:
    """A few words either side of a suggested name, so the manager sees how it is used."""
    item = next((i for i in review.items if i.key == suggestion.item_key), None)
    if item is None:
        return ""
    text = item.field(suggestion.field).text
    before = text[max(0, suggestion.start - width):suggestion.start]
    after = text[suggestion.end:suggestion.end + width]
    return " ".join(f"…{before}[{suggestion.text}]{after}…".split())
