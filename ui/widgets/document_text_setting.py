"""Whether the words of received PDFs are read for search (docs/documents.md): on by default;
a manager may turn it off for the service, for example where reports are kept for reading only."""

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QWidget

from app.errors import ConfideError
from app.security.session import Session
from app.services import settings, settings_change
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.card import card
from ui.widgets.forms import text_label
from ui.widgets.permission import MANAGER_ONLY, allow_only


class DocumentTextSetting(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        frame, column = card("Searching received documents")
        column.addWidget(text_label("When a PDF from a professional is added, Confide can read the words of its "
                                    "first 50 pages so that search finds the document by what it says. The words "
                                    "stay inside the encrypted records. Files over 20 MB and pictures are found by "
                                    "their title and source only.", "hint"))
        self.read_words = QCheckBox("Read the words of received P&DFs for search")
        self.save_button = QPushButton("Save &search setting")
        self.status = text_label("", "success")
        self.error = text_label("", "error")
        column.addWidget(self.read_words)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.error)
        column.addWidget(self.status)
        self.manager_only = text_label(MANAGER_ONLY, "hint")
        column.addWidget(self.manager_only)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)

        manager = session.user.is_manager
        allow_only((self.read_words,), manager)
        self.save_button.setVisible(manager)
        self.manager_only.setVisible(not manager)
        self.read_words.toggled.connect(lambda _on: self.status.hide())
        self.save_button.clicked.connect(self.save)
        self.load()

    def load(self) -> None:
        self.status.hide()
        self.error.hide()
        try:
            self.read_words.setChecked(settings.document_text_search(self.session))
        except ConfideError as exc:
            self._failed(exc)

    def save(self) -> None:
        self.status.hide()
        self.error.hide()
        session, on = self.session, self.read_words.isChecked()
        self.ops.run(lambda _p: settings_change.set_document_text_search(session, on), on_done=self._saved,
                     on_error=self._failed, changes={"settings"})

    def _saved(self, on: bool) -> None:
        team = " on every computer of the team" if settings_change.team_wide(self.session) else ""
        self.status.setText(("Saved. The words of PDFs added from now on are read for search"
                             if on else "Saved. PDFs added from now on are found by title and source only; "
                                        "documents already added keep their words") + team + ".")
        self.status.show()

    def _failed(self, exc: Exception) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
