"""The small forms of a case: closing it with a reason and outcomes, linking it to another
case (manager only, R4), adding an action, and raising or updating a safeguarding concern."""

from datetime import date, timedelta

from PySide6.QtWidgets import QComboBox, QWidget

from app.domain.choices import ClosureReason, Outcome
from app.domain.records import Case, SafeguardingConcern
from app.errors import ValidationError
from app.security.session import Session
from app.services.casework import actions, case_closing, cases, safeguarding, search
from ui.dialogs import messages
from ui.dialogs.form_dialog import FormDialog
from ui.names import staff_combo
from ui.operations import Operations
from ui.widgets.choices import checkable_list, checked_values, choice_combo, date_edit, date_of
from ui.widgets.forms import line_edit, text_box

EVALUATION_CHOICES = (("Answer the questions on screen now", "on_screen"), ("Printed form given", "paper"),
                      ("Declined", "declined"), ("Not offered", None))


class CloseCaseDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, case: Case, parent: QWidget | None = None):
        super().__init__(ops, "Close case", "Record why the case closes and what it achieved; these feed the "
                         "service's reports.", ok_text="Close case", heading=f"Close case {case.reference}",
                         parent=parent)
        self.session, self.case = session, case
        self.reason = choice_combo(ClosureReason, "Reason for closing", none_text="Choose a reason…")
        self.outcomes = checkable_list(Outcome, "Outcomes")
        self.outcomes.setMinimumHeight(230)
        self.closed_on = date_edit("Closing date")
        # The network's evaluation questions (docs/national.md): answered now on screen, or on paper.
        self.evaluation = QComboBox()
        self.evaluation.setAccessibleName("Service-user evaluation")
        for text, value in EVALUATION_CHOICES:
            self.evaluation.addItem(text, value)
        self.errors.row(self.form, "&Reason", "closure_reason", self.reason)
        self.errors.row(self.form, "&Outcomes", "outcomes", self.outcomes)
        self.errors.row(self.form, "&Closing date", "closed_on", self.closed_on)
        self.errors.row(self.form, "&Evaluation", "evaluation", self.evaluation)
        self.initial_focus = self.reason

    def submit(self) -> None:
        reason = self.reason.currentData()
        if reason is None:
            raise ValidationError("Choose why the case is closing.", field="closure_reason")
        session, case_id = self.session, self.case.id
        outcomes, day = checked_values(self.outcomes), date_of(self.closed_on)
        gaps = case_closing.gaps_before_closing(session, case_id, outcomes)
        if gaps and not messages.ask(self, "Close the case anyway?", "Before this case closes:\n\n"
                                     + "\n".join(f"• {gap}" for gap in gaps) + "\n\nClose it anyway?",
                                     confirm="Close anyway", cancel="Go back", destructive=True):
            return
        offered = self.evaluation.currentData()
        self.run(lambda _p: cases.close_case(session, case_id, reason, outcomes, day, offered),
                 lambda _r: self.finish(), changes={"cases"})

    @property
    def answer_on_screen(self) -> bool:
        return self.evaluation.currentData() == "on_screen"


class LinkCaseDialog(FormDialog):
    """R4: a parent's case and their young person's own case, recorded as the same family.
    Only the manager sees the link."""

    def __init__(self, session: Session, ops: Operations, case: Case, parent: QWidget | None = None):
        super().__init__(ops, "Link cases", "Only the manager sees this link. Nothing from one case appears "
                         "in the other.", ok_text="Link cases", heading=f"Link case {case.reference}",
                         parent=parent)
        self.session, self.case = session, case
        self.reference = line_edit("Other case's reference", placeholder="for example CAS-2026-0012")
        self.reason = line_edit("Reason for the link")
        self.errors.row(self.form, "Other &case", "reference", self.reference)
        self.errors.row(self.form, "&Reason", "reason", self.reason)

    def _other_case_id(self) -> str:
        wanted = self.reference.text().strip().upper()
        if not wanted:
            raise ValidationError("Enter the other case's reference.", field="reference")
        for hit in search.search(self.session, wanted, limit=20):
            if hit.kind == "case" and hit.title.split()[0].upper() == wanted:
                return hit.ref_id
        raise ValidationError(f"No case {wanted} that you can see.", field="reference")

    def submit(self) -> None:
        other = self._other_case_id()
        session, case_id, reason = self.session, self.case.id, self.reason.text()
        self.run(lambda _p: cases.link_cases(session, case_id, other, reason), lambda _r: self.finish(),
                 changes={"cases"})


class ActionDialog(FormDialog):
    draft_kind = "action"

    def __init__(self, session: Session, ops: Operations, case: Case, parent: QWidget | None = None):
        super().__init__(ops, "Add an action", ok_text="Add action", heading=f"New action for case {case.reference}",
                         parent=parent)
        self.session, self.case = session, case
        self.title_edit = line_edit("What needs doing", placeholder="for example: send the draft plan response")
        self.due = date_edit("Due date", date.today() + timedelta(days=7), not_after_today=False)
        self.owner = staff_combo(session, "Owner")
        self.errors.row(self.form, "&What needs doing", "title", self.title_edit)
        self.errors.row(self.form, "&Due", "due_on", self.due)
        self.errors.row(self.form, "&Owner", "owner", self.owner)

    def draft_context(self) -> dict:
        return {"case_id": self.case.id}

    def submit(self) -> None:
        session, case_id = self.session, self.case.id
        title, due, owner = self.title_edit.text(), date_of(self.due), self.owner.currentData()
        self.run(lambda _p: actions.add_action(session, case_id, title, due, owner), lambda _r: self.finish(),
                 changes={"actions"})


class ConcernDialog(FormDialog):
    """Raise a safeguarding concern (R16), or update one already raised."""

    def __init__(self, session: Session, ops: Operations, case: Case, concern: SafeguardingConcern | None = None,
                 parent: QWidget | None = None):
        editing = concern is not None
        super().__init__(ops, "Safeguarding concern", "Restricted: only the manager and the case's worker see "
                         "safeguarding records.", ok_text="Save" if editing else "Raise concern",
                         heading=f"Safeguarding, case {case.reference}", parent=parent)
        self.session, self.case, self.concern = session, case, concern
        self.description = text_box("Description of the concern", 130)
        self.referred_to = line_edit("Referred to", placeholder="for example: children's social care")
        self.external = line_edit("Their reference")
        self.outcome = text_box("Outcome", 70)
        if editing:
            self.description.setPlainText(concern.description)
            self.description.setReadOnly(True)
            self.referred_to.setText(concern.referred_to or "")
            self.external.setText(concern.external_reference or "")
            self.outcome.setPlainText(concern.outcome or "")
            self.status = QComboBox()
            self.status.setAccessibleName("Status")
            self.status.addItem("Open", "open")
            self.status.addItem("Closed", "closed")
            self.status.setCurrentIndex(self.status.findData(concern.status))
        else:
            self.raised_on = date_edit("Date raised")
            self.errors.row(self.form, "&Date raised", "raised_on", self.raised_on)
        self.errors.row(self.form, "&Description", "description", self.description)
        self.errors.row(self.form, "&Referred to", "referred_to", self.referred_to)
        self.errors.row(self.form, "Their re&ference", "external_reference", self.external)
        self.errors.row(self.form, "&Outcome", "outcome", self.outcome)
        if editing:
            self.errors.row(self.form, "&Status", "status", self.status)
        self.initial_focus = self.referred_to if editing else self.description

    def submit(self) -> None:
        session, case_id = self.session, self.case.id
        referred, external, outcome = self.referred_to.text(), self.external.text(), self.outcome.toPlainText()
        if self.concern is None:
            day, text = date_of(self.raised_on), self.description.toPlainText()
            work = lambda _p: safeguarding.raise_concern(session, case_id, day, text, referred, external,  # noqa: E731
                                                         outcome)
        else:
            concern_id, status = self.concern.id, self.status.currentData()
            work = lambda _p: safeguarding.update_concern(session, concern_id, outcome, status, referred,  # noqa: E731
                                                          external)
        self.run(work, lambda _r: self.finish(), changes={"safeguarding"})
