"""Changing a person: their details, how they may be contacted (R9), and reporting an
incident against staff (R16: anyone may report; it sets the staff-safety marker)."""

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGridLayout, QHBoxLayout, QPlainTextEdit, QWidget

from app.domain.choices import EhcpStatus, PersonKind, PrimaryNeed, SchoolPhase
from app.domain.records import CONTACT_CHANNELS, Person
from app.domain.text import uk_date
from app.security.session import Session
from app.services.casework import people, safeguarding
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.choices import choice_combo, date_edit, date_of, yes_no_combo
from ui.widgets.forms import line_edit, text_label

TEXT_FIELDS = [("first_name", "&First name"), ("last_name", "&Last name"), ("known_as", "&Known as"),
               ("date_of_birth", "&Date of birth")]
CHILD_FIELDS = [("school_name", "&School")]
PROFESSIONAL_FIELDS = [("organisation_name", "&Organisation"), ("job_title", "Role or &job title")]
CONTACT_FIELDS = [("postcode", "&Postcode"), ("area", "&Area"), ("phone_mobile", "&Mobile"),
                  ("phone_home", "&Home phone"), ("phone_work", "&Work phone"), ("email", "&Email")]


def _column() -> tuple[QWidget, QFormLayout]:
    holder = QWidget()
    form = QFormLayout(holder)
    form.setContentsMargins(0, 0, 0, 0)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return holder, form


class PersonDialog(FormDialog):
    """Edit a person's details and contact details (the kind stays as recorded)."""

    saved = Signal(object)  # Person

    def __init__(self, session: Session, ops: Operations, person: Person, parent: QWidget | None = None):
        super().__init__(ops, "Edit details", ok_text="Save details",
                         heading=f"Details of {person.full_name}", parent=parent)
        self.setMinimumWidth(900)
        self.session, self.person = session, person
        organisation = people.organisation_name(session, person.organisation_id)
        self.start = people.as_input(person, organisation)
        self.edits: dict = {}
        left, left_form = _column()
        right, right_form = _column()
        fields = list(TEXT_FIELDS)
        if person.kind == PersonKind.CHILD:
            fields += CHILD_FIELDS
        if person.kind == PersonKind.PROFESSIONAL:
            fields += PROFESSIONAL_FIELDS
        for key, label in fields:
            value = getattr(self.start, key) or ""
            if key == "date_of_birth":
                value = uk_date(value)
            edit = line_edit(label.replace("&", ""), placeholder="dd/mm/yyyy" if key == "date_of_birth" else "")
            edit.setText(value)
            self.edits[key] = edit
            self.errors.row(left_form, label, key, edit)
        if person.kind == PersonKind.CHILD:
            for key, choices, label in (("school_phase", SchoolPhase, "Phase"),
                                        ("primary_need", PrimaryNeed, "Primary &need"),
                                        ("ehcp_status", EhcpStatus, "EH&C plan")):
                combo = choice_combo(choices, label.replace("&", ""), none_text="Not recorded",
                                     current=getattr(self.start, key))
                self.edits[key] = combo
                self.errors.row(left_form, label, key, combo)
        self.address = QPlainTextEdit(self.start.address or "")
        self.address.setAccessibleName("Address")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(70)
        self.errors.row(right_form, "Add&ress", "address", self.address)
        for key, label in CONTACT_FIELDS:
            edit = line_edit(label.replace("&", ""))
            edit.setText(getattr(self.start, key) or "")
            self.edits[key] = edit
            self.errors.row(right_form, label, key, edit)
        row = QWidget()
        columns = QHBoxLayout(row)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.setSpacing(24)
        columns.addWidget(left, 1)
        columns.addWidget(right, 1)
        self.form.addRow(row)

    def data(self) -> people.PersonInput:
        values = {}
        for key, widget in self.edits.items():
            values[key] = widget.currentData() if hasattr(widget, "currentData") else widget.text()
        return replace(self.start, address=self.address.toPlainText(), **values)

    def submit(self) -> None:
        data, session, person = self.data(), self.session, self.person
        self.run(lambda _p: people.update_person(session, person.id, data, expected_version=person.version),
                 self._saved, changes={"people"})

    def _saved(self, person: Person) -> None:
        self.saved.emit(person)
        self.finish()


class ContactPreferencesDialog(FormDialog):
    """R9: may we call at work, leave voicemail, leave a message with family...?"""

    def __init__(self, session: Session, ops: Operations, person: Person, parent: QWidget | None = None):
        super().__init__(ops, "Contact preferences",
                         "Ask rather than assume. 'Not asked' means check before using it.",
                         ok_text="Save preferences", heading=f"How {person.full_name} may be contacted",
                         parent=parent)
        self.session, self.person = session, person
        self.choices = {}
        grid_holder = QWidget()
        grid = QGridLayout(grid_holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        for i, (attr, label) in enumerate(CONTACT_CHANNELS):
            combo = yes_no_combo(label, unknown="Not asked")
            combo.setCurrentIndex(max(combo.findData(None if getattr(person, attr) is None
                                                     else bool(getattr(person, attr))), 0))
            self.choices[attr] = combo
            name = text_label(label)
            name.setBuddy(combo)
            grid.addWidget(name, i // 2, (i % 2) * 2)
            grid.addWidget(combo, i // 2, (i % 2) * 2 + 1)
        self.form.addRow(grid_holder)
        self.note = line_edit("Contact note", placeholder="for example: only after 3pm; not via the school")
        self.note.setText(person.contact_note or "")
        self.errors.row(self.form, "&Note", "contact_note", self.note)

    def submit(self) -> None:
        prefs = {attr: combo.currentData() for attr, combo in self.choices.items()}
        session, person_id, note = self.session, self.person.id, self.note.text()
        self.run(lambda _p: people.set_contact_preferences(session, person_id, note=note, **prefs),
                 lambda _r: self.finish(), changes={"people"})


class IncidentDialog(FormDialog):
    """Threatening or abusive behaviour towards staff. Anyone may report it."""

    def __init__(self, session: Session, ops: Operations, person: Person, case_id: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(ops, "Report an incident",
                         "Report threatening or abusive behaviour towards staff. The person's record will "
                         "carry a staff-safety marker that everyone sees; the report itself is restricted.",
                         ok_text="Report incident", heading=f"Incident involving {person.full_name}",
                         parent=parent)
        self.session, self.person, self.case_id = session, person, case_id
        self.occurred = date_edit("Date of the incident")
        self.description = QPlainTextEdit()
        self.description.setAccessibleName("What happened")
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(120)
        self.marker = line_edit("Staff-safety marker")
        self.marker.setText(person.staff_safety_note or "Do not visit alone")
        self.errors.row(self.form, "&Date", "occurred_on", self.occurred)
        self.errors.row(self.form, "&What happened", "description", self.description)
        self.errors.row(self.form, "&Marker", "marker_note", self.marker)
        self.initial_focus = self.description

    def submit(self) -> None:
        session, person_id, case_id = self.session, self.person.id, self.case_id
        day, text, marker = date_of(self.occurred), self.description.toPlainText(), self.marker.text()
        self.run(lambda _p: safeguarding.record_incident(session, person_id, day, text, case_id=case_id,
                                                         marker_note=marker),
                 lambda _r: self.finish(), changes={"people", "incidents"})
