"""A case at a glance: who it is for, who works it, its level and state, the client's contact
details under their contact-preference banner (R9), closing and reopening, and for the
manager the cases linked to it (R4)."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QPushButton, QWidget

from app.domain.choices import CaseStatus, ClosureReason, Outcome, PersonKind
from app.domain.intervention import level_label
from app.domain.records import Case
from app.domain.role_matrix import manages
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.casework import cases, enquiries, people
from app.services.national import levels, states
from ui.clipboard import SecretClipboard
from ui.dialogs import messages
from ui.dialogs.case_dialogs import CloseCaseDialog, LinkCaseDialog
from ui.dialogs.national_dialogs import (
    ChangeLevelDialog,
    EvaluationDialog,
    InactiveDialog,
    PaperEvaluationDialog,
)
from ui.dialogs.opening import open_dialog
from ui.operations import Operations
from ui.widgets.card import card
from ui.widgets.contact_card import ContactCard
from ui.widgets.forms import show_error, text_label
from ui.widgets.page import (
    STRETCH,
    add,
    button_row,
    card_grid,
    clear_form,
    fill_form,
    list_card,
    scroll_page,
)

HOW = {"no_contact": " (no contact for the service's set period)", "reactivated": " (reopened)",
       "reopened": " (reopened)", "contact_after": " (reopened by a note of that day)"}


class CaseSummaryTab(QWidget):
    openRequested = Signal(str, str)

    def __init__(self, session: Session, ops: Operations, clipboard: SecretClipboard,
                 worker_names: dict[str, str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.worker_names = worker_names if worker_names is not None else {}  # shared with the case view
        self.case: Case | None = None
        self.manager = manages(session.user.role)

        facts_card, facts_column = card("Case")
        self.facts = QFormLayout()
        self.close_button = QPushButton("Clos&e case…")
        self.reopen_button = QPushButton("Re&open case…")
        self.level_button = QPushButton("Change le&vel…")
        self.inactive_button = QPushButton("Make &inactive…")
        self.paper_button = QPushButton("Evaluation for&m answers…")
        self.error = text_label("", "error")
        self.error.hide()
        add(facts_column, self.facts, button_row(self.level_button, self.inactive_button, self.paper_button),
            button_row(self.close_button, self.reopen_button), self.error, STRETCH)
        people_card, _people_column, self.people = list_card("People", "People in this case", "")
        contact_card, contact_column = card("Client's contact details")
        self.contact = ContactCard(clipboard)
        contact_column.addWidget(self.contact)

        grid = card_grid()
        grid.addWidget(facts_card, 0, 0, 2, 1)
        grid.addWidget(people_card, 0, 1)
        grid.addWidget(contact_card, 1, 1)
        column = scroll_page(self, (4, 12, 4, 12), name="Case summary")
        column.addLayout(grid)

        self.linked = None
        if self.manager:
            linked_card, linked_column, self.linked = list_card(
                "Linked cases (only the manager sees these)", "Linked cases", "No linked cases.")
            self.link_button = QPushButton("&Link to another case…")
            linked_column.addLayout(button_row(self.link_button))
            column.addWidget(linked_card)
            self.linked.openRequested.connect(self.openRequested)
            self.link_button.clicked.connect(self.link)
        column.addStretch(1)

        self.people.openRequested.connect(self.openRequested)
        self.close_button.clicked.connect(self.close_case)
        self.reopen_button.clicked.connect(self.reopen)
        self.level_button.clicked.connect(self.change_level)
        self.inactive_button.clicked.connect(self.make_inactive)
        self.paper_button.clicked.connect(self.paper_answers)
        self.evaluation_dialog: EvaluationDialog | None = None

    def show_case(self, case: Case) -> None:
        self.fill(case, self.read(self.session, case))

    @staticmethod
    def read(session: Session, case: Case) -> dict:
        """What the summary shows beyond the case row: histories, the enquiry, the client, the
        linked cases. On the worker when the case view loads; no widget is touched."""
        return {"histories": _histories(session, case), "asked": _enquiry_summary(session, case),
                "client": _client(session, case),
                "linked": cases.linked_cases(session, case.id) if manages(session.user.role) else []}

    def fill(self, case: Case, read: dict) -> None:
        self.case = case
        self.error.hide()
        closed = case.status == CaseStatus.CLOSED
        rows = [("Reference", case.reference), ("Client", case.client_name),
                ("Child or young person", "their own case" if case.own_case else case.child_name),
                ("Worker", self.worker_names.get(case.worker, case.worker)), ("Level", level_label(case.level)),
                ("State", CaseStatus(case.status).label), ("Opened", uk_date(case.opened_on))]
        rows += read["histories"]
        asked = read["asked"]
        if asked:
            rows.append(("What the enquiry asked", asked))
        if case.own_case:
            rows.append(("Shared with family", "Yes, the young person agreed" if case.shared_with_family
                         else "No: a young person's own case stays private from their family unless they agree"))
        if closed:
            rows += [("Closed", uk_date(case.closed_on)),
                     ("Reason", ClosureReason(case.closure_reason).label if case.closure_reason else ""),
                     ("Outcomes", "\n".join(Outcome(o).label for o in case.outcomes) or "None recorded")]
        fill_form(self.facts, rows)
        self.close_button.setVisible(not closed)
        self.reopen_button.setVisible(case.status != CaseStatus.OPEN)
        self.inactive_button.setVisible(case.status == CaseStatus.OPEN)
        self.level_button.setVisible(not closed)
        self.paper_button.setVisible(closed and case.evaluation != cases.EVALUATION_ANSWERED)
        self._show_people(case, read["client"])
        if self.linked is not None:
            self.linked.set_rows([(f"{c.reference} · {c.client_name} for {c.child_name} · {self.worker_names.get(c.worker, c.worker)}", "case", c.id)
                                  for c in read["linked"]])

    def _show_people(self, case: Case, client) -> None:
        if isinstance(client, ConfideError):
            self.contact.clear()
            show_error(self.error, client)
            return
        rows = [(f"Client: {client.full_name} ({PersonKind(client.kind).label.lower()})", "person", client.id)]
        if not case.own_case:
            rows.append((f"Child or young person: {case.child_name}", "person", case.child_id))
        if client.staff_safety_marker:
            rows.append((f"Staff safety: {client.staff_safety_note or 'do not visit alone'}", None, None))
        self.people.set_rows(rows)
        self.contact.show_person(client)

    # --- changing ----------------------------------------------------------------------------
    def close_case(self) -> CloseCaseDialog | None:
        if self.case is None:
            return None
        dialog = open_dialog(CloseCaseDialog(self.session, self.ops, self.case, self))
        case = self.case
        dialog.accepted.connect(lambda: self._evaluate(case) if dialog.answer_on_screen else None)
        return dialog

    def _evaluate(self, case: Case) -> EvaluationDialog:
        """At the closing meeting: the screen is handed to the parent or young person."""
        self.evaluation_dialog = open_dialog(EvaluationDialog(self.session, self.ops, case, self))
        return self.evaluation_dialog

    def paper_answers(self) -> PaperEvaluationDialog | None:
        return None if self.case is None else open_dialog(PaperEvaluationDialog(self.session, self.ops, self.case,
                                                                                 self))

    def change_level(self) -> ChangeLevelDialog | None:
        return None if self.case is None else open_dialog(ChangeLevelDialog(self.session, self.ops, self.case, self))

    def make_inactive(self) -> InactiveDialog | None:
        return None if self.case is None else open_dialog(InactiveDialog(self.session, self.ops, self.case, self))

    def reopen(self) -> None:
        closed = self.case is not None and self.case.status == CaseStatus.CLOSED
        if self.case is None or not messages.ask(
                self, "Reopen case", f"Reopen case {self.case.reference}? "
                + ("Its closing reason is cleared; notes and outcomes stay." if closed
                   else "It is open again and counts as open from today."), confirm="Reopen case"):
            return
        session, case_id = self.session, self.case.id
        self.ops.run(lambda _p: cases.reopen_case(session, case_id), on_error=lambda exc: show_error(self.error, exc),
                     changes={"cases"})

    def link(self) -> LinkCaseDialog | None:
        return None if self.case is None else open_dialog(LinkCaseDialog(self.session, self.ops, self.case, self))

    def set_busy(self, busy: bool) -> None:
        for button in (self.close_button, self.reopen_button, self.level_button, self.inactive_button,
                       self.paper_button):
            button.setEnabled(not busy)

    def clear(self) -> None:
        self.case = None
        self.contact.clear()
        self.people.clear()
        if self.linked is not None:
            self.linked.clear()
        clear_form(self.facts)


def _histories(session: Session, case: Case) -> list[tuple[str, str]]:
    """The level and state histories, oldest first, when there is more than the opening."""
    try:
        level_changes = levels.level_history(session, case.id)
        state_changes = states.state_history(session, case.id)
    except ConfideError:
        return []
    rows = []
    if len(level_changes) > 1:
        rows.append(("Level history", "\n".join(
            f"{uk_date(h.changed_on)}: {level_label(h.level)}" + (f" ({h.reason})" if h.reason else "")
            for h in level_changes)))
    if len(state_changes) > 1:
        rows.append(("State history", "\n".join(
            f"{uk_date(h.changed_on)}: {CaseStatus(h.state).label.lower()}" + HOW.get(h.how, "")
            for h in state_changes)))
    return rows


def _enquiry_summary(session: Session, case: Case) -> str:
    """The summary of the enquiry that opened the case: why the family came."""
    if not case.enquiry_id:
        return ""
    try:
        enquiry = enquiries.get_enquiry(session, case.enquiry_id)
    except ConfideError:
        return ""
    summary = " ".join(enquiry.summary.split())
    return f"{enquiry.reference}: {summary}" if summary else ""


def _client(session: Session, case: Case):
    try:
        return people.peek_person(session, case.client_id)
    except ConfideError as exc:
        return exc
