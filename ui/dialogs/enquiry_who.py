"""The enquiry form's left column: the contact (when, how, who is calling, anonymously or
not: R1), the route (self-referral or a professional on the family's behalf: R2), and the
people (caller, child, and what is between them: R3)."""

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QRadioButton,
    QWidget,
)

from app.domain.choices import (
    CallerRole,
    Channel,
    PersonKind,
    Relationship,
    Route,
    usually_has_parental_responsibility,
)
from app.errors import ConfideError, ValidationError
from app.security.session import Session
from app.services.casework import enquiries, people
from app.services.casework.enquiries import EnquiryInput
from ui.dialogs.enquiry_sections import section_title
from ui.operations import Operations
from ui.widgets.choices import choice_combo, date_time_edit, local_moment, yes_no_combo
from ui.widgets.forms import FieldErrors, line_edit, text_label
from ui.widgets.person_picker import PersonPicker

CHILD_ROLES = (CallerRole.CHILD.value, CallerRole.YOUNG_PERSON.value)


class WhoSection(QWidget):
    anonymousChanged = Signal(bool)
    layoutChanged = Signal()  # fields came or went: the tab order needs setting again

    def __init__(self, session: Session, ops: Operations, errors: FieldErrors, now: datetime | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops, self.errors = session, ops, errors
        # One form for the whole column, so every label lines up; rows that depend on a
        # choice are hidden with setRowVisible.
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setContentsMargins(0, 0, 0, 0)
        self._build_contact(now)
        self._build_route()
        self._build_people()
        self.anonymous.toggled.connect(self._anonymous_toggled)
        self.caller_role.currentIndexChanged.connect(lambda _i: self._role_changed())
        self.route_professional.toggled.connect(lambda _on: self._route_changed())
        self.caller.changed.connect(self._people_changed)
        self.child.changed.connect(self._people_changed)
        self._role_changed()
        self._route_changed()
        self._anonymous_toggled(False)

    # --- building --------------------------------------------------------------------------
    def _build_contact(self, now: datetime | None) -> None:
        form = self.form
        form.addRow(section_title("The contact"))
        self.received = date_time_edit("Date and time of the contact", now)
        self.channel = choice_combo(Channel, "Channel")
        roles = [r for r in CallerRole if r != CallerRole.ANONYMOUS]  # anonymity is the tick box
        self.caller_role = choice_combo(roles, "Caller role")
        self.anonymous = QCheckBox("&Anonymous caller")
        self.anonymous.setAccessibleName("Anonymous caller")
        self.errors.row(form, "Date and ti&me", "received_at", self.received)
        self.errors.row(form, "&Channel", "channel", self.channel)
        self.errors.row(form, "Caller &role", "caller_role", self.caller_role)
        form.addRow("", self.anonymous)
        self.anon_first = line_edit("Anonymous caller's first name", placeholder="only if they offer it")
        self.anon_area = line_edit("Anonymous caller's area", placeholder="only if they offer it")
        self.anon_rows = [self.errors.row(form, "F&irst name", "anonymous_first_name", self.anon_first),
                          self.errors.row(form, "Ar&ea", "anonymous_area", self.anon_area)]

    def _build_route(self) -> None:
        form = self.form
        form.addRow(section_title("How they came to us"))
        self.route_self = QRadioButton("Se&lf-referral")
        self.route_professional = QRadioButton("&Professional on the family's behalf")
        self.route_group = QButtonGroup(self)
        routes = QWidget()
        route_row = QHBoxLayout(routes)
        route_row.setContentsMargins(0, 0, 0, 0)
        for button in (self.route_self, self.route_professional):
            self.route_group.addButton(button)
            route_row.addWidget(button)
        route_row.addStretch(1)
        self.route_self.setChecked(True)
        form.addRow(routes)
        self.referrer = PersonPicker(self.session, self.ops, PersonKind.PROFESSIONAL.value, "referrer",
                                     "Professional", self.errors)
        self.family_present = yes_no_combo("Was the family present")
        self.family_agreed = yes_no_combo("Did the family agree")
        form.addRow("W&hich professional", self.referrer)
        form.labelForField(self.referrer).setBuddy(self.referrer.search_edit)
        form.addRow("Famil&y present?", self.family_present)
        form.addRow("&Family agreed?", self.family_agreed)
        self.referrer_rows = [self.referrer, self.family_present, self.family_agreed]

    def _build_people(self) -> None:
        form = self.form
        self.people_title = section_title("Who called")
        form.addRow(self.people_title)
        self.caller = PersonPicker(self.session, self.ops, PersonKind.PARENT_CARER.value, "caller", "Caller",
                                   self.errors)
        self.child = PersonPicker(self.session, self.ops, PersonKind.CHILD.value, "child", "Child", self.errors)
        self.relationship = choice_combo(Relationship, "Relationship to the child", none_text="Not recorded")
        self.parental_responsibility = QCheckBox("Has parental responsi&bility")
        self.parental_responsibility.setAccessibleName("Has parental responsibility")
        form.addRow("&Who called", self.caller)
        self.caller_label = form.labelForField(self.caller)
        self.caller_label.setBuddy(self.caller.search_edit)
        form.addRow("Chil&d", self.child)
        form.labelForField(self.child).setBuddy(self.child.search_edit)
        self.relationship_row = self.errors.row(form, "Rela&tionship", "relationship", self.relationship)
        form.addRow("", self.parental_responsibility)
        # Ticked for a mother, father or special guardian until the person chooses themselves.
        self.pr_chosen = False
        self.parental_responsibility.clicked.connect(lambda _on: setattr(self, "pr_chosen", True))
        self.relationship.currentIndexChanged.connect(lambda _i: self._suggest_responsibility())
        self.pr_hint = text_label("Casework needs the child or young person, or someone with parental "
                                  "responsibility for them. Anyone else gets general information.", "hint")
        form.addRow("", self.pr_hint)

    def tab_chain(self) -> list[QWidget]:
        return [self.received, self.channel, self.caller_role, self.anonymous, self.anon_first, self.anon_area,
                self.route_self, self.route_professional,
                self.referrer.search_edit, self.referrer.new_button, *self.referrer.new_edits.values(),
                self.family_present, self.family_agreed,
                self.caller.search_edit, self.caller.new_button, *self.caller.new_edits.values(),
                self.child.search_edit, self.child.new_button, *self.child.new_edits.values(),
                self.relationship, self.parental_responsibility]

    # --- reacting --------------------------------------------------------------------------
    @property
    def role(self) -> str:
        return self.caller_role.currentData()

    def _anonymous_toggled(self, on: bool) -> None:
        for row in self.anon_rows:
            self.form.setRowVisible(row, on)
        self._show_people()
        self.anonymousChanged.emit(on)

    def _role_changed(self) -> None:
        role = self.role
        if role == CallerRole.PROFESSIONAL.value:
            # A professional calling is a referral on the family's behalf: the person to
            # record below is the family member they call about.
            self.route_professional.setChecked(True)
            self.caller.set_kind(PersonKind.PARENT_CARER.value)
        else:
            self.caller.set_kind(enquiries.caller_kind_for(role))
        self._show_people()
        self.layoutChanged.emit()

    def _show_people(self) -> None:
        anonymous = self.anonymous.isChecked()
        child_caller = self.role in CHILD_ROLES
        professional = self.role == CallerRole.PROFESSIONAL.value
        self.people_title.setText("The family" if professional else "Who called")
        self.caller_label.setText("&Who it is for" if professional else "&Who called")
        self.form.setRowVisible(self.people_title, not anonymous)
        self.form.setRowVisible(self.caller, not anonymous)
        for widget in (self.child, self.relationship_row, self.parental_responsibility, self.pr_hint):
            self.form.setRowVisible(widget, not anonymous and not child_caller)

    def _suggest_responsibility(self) -> None:
        if not self.pr_chosen:
            self.parental_responsibility.setChecked(
                usually_has_parental_responsibility(self.relationship.currentData()))

    def _route_changed(self) -> None:
        for widget in self.referrer_rows:
            self.form.setRowVisible(widget, self.route_professional.isChecked())

    def _people_changed(self) -> None:
        """Both people already on record: show what is recorded between them."""
        caller, child = self.caller.person, self.child.person
        if caller is None or child is None or self.ops.busy:
            return
        try:
            links = people.relationships_of(self.session, caller.id)
        except ConfideError:
            return
        link = next((r for r in links if r.adult_id == caller.id and r.child_id == child.id), None)
        if link is not None:
            self.relationship.setCurrentIndex(max(self.relationship.findData(link.relationship), 0))
            self.parental_responsibility.setChecked(bool(link.parental_responsibility))
            self.pr_chosen = True  # what is on record stands

    # --- saving ----------------------------------------------------------------------------
    def enquiry_input(self) -> EnquiryInput:
        """The who and how of the enquiry. May raise: ValidationError."""
        anonymous = self.anonymous.isChecked()
        data = EnquiryInput(channel=self.channel.currentData(), caller_role=self.role,
                            received_at=local_moment(self.received), anonymous=anonymous)
        if self.route_professional.isChecked():
            data.route = Route.PROFESSIONAL.value
            data.referrer_id = self.referrer.person.id if self.referrer.person else None
            data.referrer = self.referrer.new_input()
            data.family_present = self.family_present.currentData()
            data.family_agreed = self.family_agreed.currentData()
        if anonymous:
            data.anonymous_first_name = self.anon_first.text()
            data.anonymous_area = self.anon_area.text()
            return data
        data.caller_id = self.caller.person.id if self.caller.person else None
        data.caller = self.caller.new_input()
        if self.role in CHILD_ROLES:
            return data  # the caller is the child or young person
        data.child_id = self.child.person.id if self.child.person else None
        data.child = self.child.new_input()
        data.relationship = self.relationship.currentData()
        if self.parental_responsibility.isChecked() and not data.relationship:
            # Parental responsibility is recorded on the relationship; without one it would be
            # lost and casework refused.
            raise ValidationError("Choose how they are related to the child, so that their parental "
                                  "responsibility can be recorded.", field="relationship")
        data.parental_responsibility = self.parental_responsibility.isChecked() if data.relationship else None
        return data
