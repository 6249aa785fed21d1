"""The enquiry form's right column: general information or casework (and for casework, the
level and the worker), the topics, the summary, and the first-contact checklist (R14)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QListView,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.choices import EnquiryType, Topic
from app.domain.role_matrix import reads_casework
from app.security.session import Session
from app.services.casework.enquiries import EnquiryInput
from ui.dialogs.enquiry_sections import FirstContactChecklist, section_title
from ui.names import staff_combo
from ui.widgets.choices import checkable_list, checked_values
from ui.widgets.forms import FieldErrors, text_label
from ui.widgets.level_choice import LevelChoice


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setContentsMargins(0, 0, 0, 0)
    return form


class SubjectSection(QWidget):
    def __init__(self, session: Session, errors: FieldErrors, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.volunteer = not reads_casework(session.user.role)
        self._anonymous = False
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(section_title("What it is about"))
        self.type_general = QRadioButton("&General information")
        self.type_casework = QRadioButton("Casewor&k")
        self.type_group = QButtonGroup(self)
        holder = QWidget()
        type_row = QHBoxLayout(holder)
        type_row.setContentsMargins(0, 0, 0, 0)
        for button in (self.type_general, self.type_casework):
            self.type_group.addButton(button)
            type_row.addWidget(button)
        type_row.addStretch(1)
        self.type_general.setChecked(True)
        column.addWidget(errors.block("enquiry_type", holder))
        self.type_hint = text_label("", "hint")
        column.addWidget(self.type_hint)

        self.casework_box = QWidget()
        casework = _form()
        self.casework_box.setLayout(casework)
        self.level = LevelChoice()
        self.worker = staff_combo(session, "Caseworker", casework_only=True)
        errors.row(casework, "Le&vel", "level", self.level)  # its definition and time beneath
        errors.row(casework, "Assigned to", "worker", self.worker)
        column.addWidget(self.casework_box)

        form = _form()
        self.topics = checkable_list(Topic, "Topics")
        # Two columns, so the list needs no scrolling and the form stays short.
        self.topics.setFlow(QListView.Flow.TopToBottom)
        self.topics.setWrapping(True)
        self.topics.setResizeMode(QListView.ResizeMode.Adjust)
        self.topics.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.summary = QPlainTextEdit()
        self.summary.setAccessibleName("Summary")
        self.summary.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.summary.setPlaceholderText("What they asked, and what we said. Only what is relevant.")
        self.summary.setFixedHeight(120)
        errors.row(form, "T&opics", "topics", self.topics)
        errors.row(form, "S&ummary", "summary", self.summary)
        column.addLayout(form)

        column.addWidget(section_title("First contact"))
        self.first_contact = FirstContactChecklist(errors)
        column.addWidget(self.first_contact)
        column.addStretch(1)
        self.type_casework.toggled.connect(lambda _on: self._type_changed())
        self._type_changed()

    def fit_topics(self) -> None:
        """Once the style sheet applies, rows have their real height: two columns' worth."""
        rows = (self.topics.count() + 1) // 2
        self.topics.setFixedHeight(rows * self.topics.sizeHintForRow(0) + 2 * self.topics.frameWidth() + 6)

    def set_anonymous(self, anonymous: bool) -> None:
        self._anonymous = anonymous
        self._type_changed()

    def _type_changed(self) -> None:
        if self._anonymous or self.volunteer:
            self.type_general.setChecked(True)
        self.type_casework.setEnabled(not self._anonymous and not self.volunteer)
        self.type_casework.setVisible(not self.volunteer)
        if self.volunteer:
            self.type_hint.setText("Volunteers record general information. Pass casework to a caseworker.")
        elif self._anonymous:
            self.type_hint.setText("Casework needs to know who the client is, so an anonymous enquiry is "
                                   "general information.")
        else:
            self.type_hint.setText("")
        self.type_hint.setVisible(bool(self.type_hint.text()))
        self.casework_box.setVisible(self.type_casework.isChecked())

    def tab_chain(self) -> list[QWidget]:
        return [self.type_general, self.type_casework, self.level.combo, self.worker, self.topics, self.summary,
                self.first_contact.shared, self.first_contact.how, self.first_contact.show_button]

    def fill(self, data: EnquiryInput) -> EnquiryInput:
        data.topics = checked_values(self.topics)
        data.summary = self.summary.toPlainText()
        data.statement_shared = self.first_contact.shared.isChecked()
        data.statement_how = self.first_contact.how_value
        if self.type_casework.isChecked():
            data.enquiry_type = EnquiryType.CASEWORK.value
            data.level = self.level.currentData()
            data.worker = self.worker.currentData()
        return data
