"""Parts of the enquiry form that stand on their own: the first-contact checklist (R14), with
the confidentiality statement's current wording one key press away so it can be read out."""

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.choices import Channel, StatementHow
from app.services.casework import enquiries
from ui.widgets.choices import choice_combo, set_combo_value
from ui.widgets.forms import FieldErrors, text_label

# How the statement is usually shared on each channel; a suggestion the worker can change.
HOW_FOR_CHANNEL = {Channel.PHONE: StatementHow.VERBAL, Channel.FACE_TO_FACE: StatementHow.VERBAL,
                   Channel.EMAIL: StatementHow.WRITTEN, Channel.LETTER: StatementHow.WRITTEN,
                   Channel.WEB_FORM: StatementHow.WEB}


def section_title(text: str) -> QLabel:
    return text_label(text, "subheading")


class FirstContactChecklist(QWidget):
    def __init__(self, errors: FieldErrors, parent: QWidget | None = None):
        super().__init__(parent)
        self.shared = QCheckBox("Confidentiality &statement shared")
        self.shared.setAccessibleName("Confidentiality statement shared")
        self.how: QComboBox = choice_combo(StatementHow, "How the statement was shared")
        self.show_button = QPushButton("Show stateme&nt")
        self.show_button.setCheckable(True)
        self.show_button.setAutoDefault(False)
        self.show_button.setProperty("viewOnly", True)  # showing the words changes nothing
        self.show_button.setAccessibleName("Show the confidentiality statement")
        version, words = enquiries.statement_text()
        self.version = version
        # The wording file is wrapped for reading as a file; here each paragraph flows.
        flowing = "\n\n".join(" ".join(paragraph.split()) for paragraph in words.split("\n\n"))
        self.statement = text_label(f"{flowing}\n\n(Wording {version}; this version is recorded with the "
                                    "enquiry.)", "notice")
        self.statement.setAccessibleName("Confidentiality statement")
        self.statement.hide()

        how_row = QHBoxLayout()
        how_row.setContentsMargins(26, 0, 0, 0)  # under the tick box's text
        how_label = QLabel("How:")
        how_label.setBuddy(self.how)
        how_row.addWidget(how_label)
        how_row.addWidget(errors.block("statement_how", self.how))
        how_row.addStretch(1)
        how_row.addWidget(self.show_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.shared)
        column.addLayout(how_row)
        column.addWidget(self.statement)

        self.shared.toggled.connect(self.how.setEnabled)
        self.show_button.toggled.connect(self._show_statement)
        self.how.setEnabled(False)

    def _show_statement(self, on: bool) -> None:
        self.statement.setVisible(on)
        self.show_button.setText("Hide stateme&nt" if on else "Show stateme&nt")

    def suggest_for(self, channel: str | None) -> None:
        how = HOW_FOR_CHANNEL.get(Channel(channel)) if channel else None
        if how is not None:
            set_combo_value(self.how, how.value)

    @property
    def how_value(self) -> str | None:
        return self.how.currentData() if self.shared.isChecked() else None
