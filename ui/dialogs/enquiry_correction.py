"""Opening a saved enquiry to correct it (anonymous ones too): when and how they got in touch,
the topics, the summary, and an anonymous caller's first name and area. The version it
replaces is kept and listed underneath, newest first, like a note's history."""

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.domain.choices import Channel, Topic
from app.domain.records import Enquiry
from app.security.session import Session
from app.services.casework import enquiry_corrections
from app.services.casework.enquiry_corrections import EnquiryCorrection
from ui.dialogs.form_dialog import FormDialog
from ui.formatting import uk_datetime
from ui.operations import Operations
from ui.widgets.choices import (
    checkable_list,
    checked_values,
    choice_combo,
    date_time_edit,
    local_moment,
)
from ui.widgets.forms import line_edit, text_box, text_label


def history_text(revisions: list[enquiry_corrections.EnquiryRevision]) -> str:
    if not revisions:
        return "Not corrected since it was recorded."
    lines = []
    for rev in reversed(revisions):
        topics = ", ".join(Topic(t).label for t in rev.topics) or "no topics"
        lines.append(f"Version {rev.version}, written by {rev.written_by} on {uk_datetime(rev.written_at)}: "
                     f"{Channel(rev.channel).label}, {uk_datetime(rev.received_at)}, {topics}.\n{rev.summary}")
    return "\n\n".join(lines)


class EnquiryCorrectionDialog(FormDialog):
    enter_saves = False  # the summary is long text; Ctrl+S saves

    def __init__(self, session: Session, ops: Operations, enquiry: Enquiry, parent: QWidget | None = None):
        super().__init__(ops, "Correct an enquiry", "Correct what was recorded wrongly. The version you "
                         "change is kept in the enquiry's history.", ok_text="Save correction",
                         heading=f"Enquiry {enquiry.reference}", discard_what="this correction", parent=parent)
        self.setMinimumWidth(720)
        self.session, self.enquiry = session, enquiry
        self.saved_enquiry: Enquiry | None = None
        self.received = date_time_edit("Date and time of the contact",
                                       datetime.fromisoformat(enquiry.received_at).astimezone())
        self.channel = choice_combo(Channel, "How they got in touch", current=enquiry.channel)
        self.topics = checkable_list(Topic, "Topics")
        for i in range(self.topics.count()):
            if self.topics.item(i).data(Qt.ItemDataRole.UserRole) in enquiry.topics:
                self.topics.item(i).setCheckState(Qt.CheckState.Checked)
        self.topics.setMinimumHeight(150)
        self.summary = text_box("Summary", 110, enquiry.summary)
        self.errors.row(self.form, "Date and ti&me", "received_at", self.received)
        self.errors.row(self.form, "&How", "channel", self.channel)
        self.errors.row(self.form, "&Topics", "topics", self.topics)
        self.errors.row(self.form, "&Summary", "summary", self.summary)
        self.anon_first = self.anon_area = None
        if enquiry.is_anonymous:
            self.anon_first = line_edit("First name they gave")
            self.anon_first.setText(enquiry.anonymous_first_name or "")
            self.anon_area = line_edit("Area they gave")
            self.anon_area.setText(enquiry.anonymous_area or "")
            self.errors.row(self.form, "&First name", "anonymous_first_name", self.anon_first)
            self.errors.row(self.form, "&Area", "anonymous_area", self.anon_area)
        self.history = text_label(history_text(enquiry_corrections.enquiry_history(session, enquiry.id)), "hint")
        self.history.setAccessibleName("Earlier versions")
        self.history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                             | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body_column.addWidget(text_label("History", "subheading"))
        self.body_column.addWidget(self.history)
        self.initial_focus = self.summary

    def correction(self) -> EnquiryCorrection:
        return EnquiryCorrection(
            received_at=local_moment(self.received), channel=self.channel.currentData(),
            summary=self.summary.toPlainText(), topics=checked_values(self.topics),
            anonymous_first_name=self.anon_first.text() if self.anon_first else None,
            anonymous_area=self.anon_area.text() if self.anon_area else None)

    def submit(self) -> None:
        session, enquiry_id, version, change = self.session, self.enquiry.id, self.enquiry.version, self.correction()
        self.run(lambda _p: enquiry_corrections.correct_enquiry(session, enquiry_id, change, expected_version=version),
                 self._saved, changes={"enquiries"})

    def _saved(self, enquiry: Enquiry) -> None:
        self.saved_enquiry = enquiry
        self.finish()
