"""Settings card: the letter templates (docs/documents.md, "Letters"). Everyone sees them; a
manager changes one, which saves it as the next version (letters already written keep theirs)."""

from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.documents import letters
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.forms import text_label


class LetterTemplates(QFrame):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        self.session, self.ops = session, ops
        self.choice = QComboBox()
        self.choice.setAccessibleName("Letter template")
        for name, label in letters.TEMPLATES.items():
            self.choice.addItem(label, name)
        self.version = text_label("", "hint")
        self.title = QLineEdit()
        self.title.setAccessibleName("Template title")
        self.body = QPlainTextEdit()
        self.body.setAccessibleName("Template text")
        self.body.setMinimumHeight(180)
        self.save_button = QPushButton("Save as a new &version")
        self.save_button.setProperty("primary", True)
        self.status = text_label("", "success")
        self.status.hide()
        self.error = text_label("", "error")
        self.error.hide()
        inner = QVBoxLayout(self)
        inner.setContentsMargins(24, 18, 24, 18)
        inner.addWidget(text_label("Letter templates", "subheading"))
        inner.addWidget(text_label(
            "Confide fills in {recipient_name}, {child_name}, {client_name}, {case_reference}, {worker_name} "
            "(whoever writes the letter), {service} and {today}. Parts in [square brackets] are for the caseworker to write: a letter still "
            "holding one is not sent.", "hint"))
        row = QHBoxLayout()
        row.addWidget(self.choice, 1)
        row.addWidget(self.version, 2)
        inner.addLayout(row)
        inner.addWidget(self.title)
        inner.addWidget(self.body)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        inner.addLayout(buttons)
        inner.addWidget(self.error)
        inner.addWidget(self.status)
        is_manager = session.user.is_manager
        self.title.setReadOnly(not is_manager)
        self.body.setReadOnly(not is_manager)
        self.save_button.setVisible(is_manager)
        if not is_manager:
            inner.addWidget(text_label("Only a manager can change the templates.", "hint"))
        self.choice.currentIndexChanged.connect(lambda _i: self.load())
        self.save_button.clicked.connect(self.save)
        self.load()

    def load(self) -> None:
        self.error.hide()
        try:
            template = letters.current_template(self.session, self.choice.currentData())
        except ConfideError as exc:
            self._failed(exc)
            return
        self.title.setText(template.title)
        self.body.setPlainText(template.body)
        who = f", saved by {template.changed_by} on {uk_date(template.changed_at)}" if template.changed_by else \
            " (as Confide ships it)"
        self.version.setText(f"Version {template.version}{who}")

    def save(self) -> None:
        self.error.hide()
        self.status.hide()
        session, name, title, body = self.session, self.choice.currentData(), self.title.text(), self.body.toPlainText()
        self.ops.run(lambda _p: letters.save_template(session, name, title, body), on_done=self._saved,
                     on_error=self._failed, changes={"settings"})

    def _saved(self, template) -> None:
        self.status.setText(f"Saved as version {template.version}. New letters use it; letters already written "
                            "keep the version they were written from.")
        self.status.show()
        self.load()
        self.status.show()

    def _failed(self, exc: Exception) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
