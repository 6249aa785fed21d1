"""One person: who they are, how they may be contacted (R9 banner above every number), their
family with parental responsibility, their enquiries and cases (the services apply the R4
firewall), the staff-safety marker at the top, and incident reports where allowed (R16).

Opening the view is an audited view of the record; reloads after a change are not.
"""

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QPushButton, QWidget

from app.domain.choices import (
    CaseStatus,
    Channel,
    EhcpStatus,
    EnquiryType,
    PersonKind,
    PrimaryNeed,
    Relationship,
    SchoolPhase,
)
from app.domain.records import Person
from app.domain.role_matrix import reads_casework
from app.domain.text import uk_date
from app.errors import ConfideError, PermissionDenied
from app.security.session import Session
from app.services.casework import cases, enquiries, people, safeguarding
from app.services.team import conflicts
from ui.clipboard import SecretClipboard
from ui.dialogs.opening import open_dialog
from ui.dialogs.person_dialogs import ContactPreferencesDialog, IncidentDialog, PersonDialog
from ui.names import full_name, staff_names
from ui.operations import Operations
from ui.refresh import Refresher
from ui.views.documents_panel import DocumentsPanel
from ui.widgets.card import card
from ui.widgets.contact_card import ContactCard
from ui.widgets.forms import show_error, text_label
from ui.widgets.page import STRETCH, add, button_row, card_grid, fill_form, list_card, scroll_page

TOPICS = {"people", "cases", "enquiries", "incidents", "documents", "pulled", "sync"}   # pulled: a sync brought changes


def _label(choice, value: str | None) -> str:
    return choice(value).label if value else ""


class PersonView(QWidget):
    openRequested = Signal(str, str)  # kind, id

    def __init__(self, session: Session, ops: Operations, clipboard: SecretClipboard, person_id: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops, self.person_id = session, ops, person_id
        self.person: Person | None = None
        self.kind, self.record_id = "person", person_id
        self.worker_names: dict[str, str] = {}

        self.heading = text_label("", "heading")
        self.subheading = text_label("", "hint")
        self.safety = text_label("", "alert")
        self.safety.setAccessibleName("Staff safety")
        self.error = text_label("", "error")
        self.in_conflict = text_label("", "warning")
        self.in_conflict.setAccessibleName("Conflict waiting")
        self.in_conflict.setWordWrap(True)
        self.in_conflict.hide()
        self.edit_button = QPushButton("&Edit details…")
        self.prefs_button = QPushButton("Contact &preferences…")
        self.incident_button = QPushButton("Report an &incident…")
        # Volunteers cannot change a person's details or contact preferences (the service refuses).
        casework = reads_casework(session.user.role)
        self.edit_button.setVisible(casework)
        self.prefs_button.setVisible(casework)
        details_card, details_column = card("Details")
        self.details = QFormLayout()
        details_column.addLayout(self.details)
        contact_card, contact_column = card("Contact")
        self.contact = ContactCard(clipboard)
        contact_column.addWidget(self.contact)
        family_card, family_column, self.family = list_card("Family", "Family", "No family links recorded.")
        cases_card, cases_column, self.cases = list_card("Cases", "Cases", "No cases.")
        enquiries_card, enquiries_column, self.enquiries = list_card("Enquiries", "Enquiries", "No enquiries.")
        incidents_card, incidents_column, self.incidents = list_card("Incidents against staff", "Incidents",
                                                                     "No incidents reported.")
        grid = card_grid()
        for i, (frame, card_column) in enumerate(((details_card, details_column), (contact_card, contact_column),
                                                  (family_card, family_column), (cases_card, cases_column),
                                                  (enquiries_card, enquiries_column),
                                                  (incidents_card, incidents_column))):
            card_column.addStretch(1)  # side by side, the shorter card keeps its lines at the top
            grid.addWidget(frame, i // 2, i % 2)
        # Documents filed on the person themself (a case's are on its Documents tab); casework only.
        documents_card, documents_column = card("Documents")
        self.documents = DocumentsPanel(session, ops)
        self.documents.setMinimumHeight(260)
        documents_column.addWidget(self.documents)
        documents_card.setVisible(casework)
        add(scroll_page(self, (28, 20, 28, 20), spacing=10, name="Person"), self.heading, self.subheading, self.safety,
            self.in_conflict, self.error, button_row(self.edit_button, self.prefs_button, self.incident_button), grid,
            documents_card, STRETCH)

        for lst in (self.family, self.cases, self.enquiries):
            lst.openRequested.connect(self.openRequested)
        self.edit_button.clicked.connect(self.edit)
        self.prefs_button.clicked.connect(self.edit_preferences)
        self.incident_button.clicked.connect(self.report_incident)
        self.refresher = Refresher(self, session, ops, TOPICS, self.reload)

    # --- loading ---------------------------------------------------------------------------
    @property
    def title(self) -> str:
        return self.person.full_name if self.person else "Person"

    def focus_first(self) -> None:
        first = self.edit_button if self.edit_button.isVisibleTo(self) else self.incident_button
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    def open(self) -> None:
        """The audited first view. May raise: NotFound, PermissionDenied."""
        self.person = people.get_person(self.session, self.person_id)
        self._show()
        self.refresher.stale = False

    def reload(self) -> None:
        if self.person is None:
            return
        try:
            self.person = people.peek_person(self.session, self.person_id)
        except ConfideError as exc:
            show_error(self.error, exc)
            return
        self._show()

    def _show(self) -> None:
        person = self.person
        self.error.hide()
        self.heading.setText(person.full_name)
        facts = [PersonKind(person.kind).label]
        age = person.age(date.today())
        if person.date_of_birth:
            facts.append(f"born {uk_date(person.date_of_birth)} (age {age})")
        self.subheading.setText(" · ".join(facts))
        self.safety.setVisible(bool(person.staff_safety_marker))
        self.safety.setText(f"Staff safety: {person.staff_safety_note or 'do not visit alone'}. "
                            "An incident has been reported; see the manager before any visit.")
        self._show_conflict(person)
        self._show_details(person)
        self.contact.show_person(person)
        self._show_family()
        self._show_cases()
        self._show_enquiries()
        self._show_incidents()
        if reads_casework(self.session.user.role):
            self.documents.show_person(person.id, person.full_name)

    def _show_conflict(self, person: Person) -> None:
        try:
            waiting = (conflicts.waiting_on(self.session, person_id=person.id)
                       if reads_casework(self.session.user.role) else [])
        except ConfideError:
            waiting = []
        self.in_conflict.setVisible(bool(waiting))
        if waiting:
            fields = sorted({f.replace("_", " ") for c in waiting for f in c.fields})
            self.in_conflict.setText(f"⚠ A conflict waits on these details ({', '.join(fields)}): you and a "
                                     "colleague changed them on different computers. They show the colleague's "
                                     "version until someone chooses on the Conflicts page.")

    def _show_details(self, person: Person) -> None:
        rows = [("Known as", person.known_as or ""),
                ("School", person.school_name or ""),
                ("Phase", _label(SchoolPhase, person.school_phase)),
                ("Primary need", _label(PrimaryNeed, person.primary_need)),
                ("EHC plan", _label(EhcpStatus, person.ehcp_status)),
                ("Organisation", people.organisation_name(self.session, person.organisation_id)),
                ("Role or job title", person.job_title or ""),
                ("Area", person.area or "")]
        shown = [(name, value) for name, value in rows if value]
        fill_form(self.details, shown)
        if not shown:
            self.details.addRow(text_label("Nothing more recorded.", "hint"))

    def _show_family(self) -> None:
        rows = []
        for link in people.relationships_of(self.session, self.person_id):
            relation = Relationship(link.relationship).label.lower()
            pr = "has parental responsibility" if link.parental_responsibility else "no parental responsibility"
            if link.adult_id == self.person_id:
                rows.append((f"{relation.capitalize()} of {link.child_name} · {pr}", "person", link.child_id))
            else:
                rows.append((f"{link.adult_name}, {relation} · {pr}", "person", link.adult_id))
        self.family.set_rows(rows)

    def _show_cases(self) -> None:
        if not reads_casework(self.session.user.role):
            self.cases.set_rows([], "Casework is for caseworkers and the manager.")
            return
        rows = []
        if not self.worker_names:
            self.worker_names = staff_names(self.session)
        for case in cases.cases_of_person(self.session, self.person_id):
            status = (f"closed {uk_date(case.closed_on)}" if case.status == CaseStatus.CLOSED
                      else f"open since {uk_date(case.opened_on)}")
            about = ("their own case" if case.own_case
                     else f"{case.client_name} for {case.child_name}")
            worker = self.worker_names.get(case.worker, case.worker)
            rows.append((f"{case.reference} · {about} · {status} · {worker}", "case", case.id))
        self.cases.set_rows(rows, "No cases you can see.")

    def _show_enquiries(self) -> None:
        rows = []
        for enquiry in enquiries.enquiries_of_person(self.session, self.person_id):
            part = ("caller" if enquiry.caller_id == self.person_id else
                    "referrer" if enquiry.referrer_id == self.person_id else "about them")
            text = (f"{uk_date(enquiry.received_at)} · {enquiry.reference} · {Channel(enquiry.channel).label} · "
                    f"{EnquiryType(enquiry.enquiry_type).label} · {part}")
            rows.append((text, "case" if enquiry.case_id else None, enquiry.case_id))
        self.enquiries.set_rows(rows)

    def _show_incidents(self) -> None:
        try:
            found = safeguarding.incidents_for_person(self.session, self.person_id)
        except PermissionDenied:
            self.incidents.set_rows([], "Restricted: incident reports are seen by the manager and the worker "
                                        "of this person's case.")
            return
        names = self.worker_names or staff_names(self.session)
        self.incidents.set_rows([(f"{uk_date(i.occurred_on)} · reported by {full_name(names, i.reported_by)}: "
                                  f"{i.description}",
                                  None, None) for i in found])

    # --- changing --------------------------------------------------------------------------
    def edit(self) -> PersonDialog | None:
        return None if self.person is None else open_dialog(PersonDialog(self.session, self.ops, self.person, self))

    def edit_preferences(self) -> ContactPreferencesDialog | None:
        return None if self.person is None else open_dialog(ContactPreferencesDialog(self.session, self.ops, self.person, self))

    def report_incident(self) -> IncidentDialog | None:
        return None if self.person is None else open_dialog(IncidentDialog(self.session, self.ops, self.person, parent=self))

    def set_busy(self, busy: bool) -> None:
        for button in (self.edit_button, self.prefs_button, self.incident_button):
            button.setEnabled(not busy)
        self.documents.set_busy(busy)

    def clear(self) -> None:
        self.person = None
        self.documents.clear()
        self.contact.clear()
        for lst in (self.family, self.cases, self.enquiries, self.incidents):
            lst.clear()
        self.heading.clear()
        self.subheading.clear()
        self.safety.clear()
