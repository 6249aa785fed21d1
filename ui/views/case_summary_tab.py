"""A case at a glance: who it is for, who works it, its level and state, the client's contact
details under their contact-preference banner (R9), closing and reopening, and for the
manager the cases linked to it (R4)."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QPushButton, QWidget

from app.domain.choices import CaseStatus, ClosureReason, Outcome, PersonKind, SupportLevel
from app.domain.records import Case
from app.domain.role_matrix import manages
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.casework import cases, enquiries, people
from ui.clipboard import SecretClipboard
from ui.dialogs import messages
from ui.dialogs.case_dialogs import CloseCaseDialog, LinkCaseDialog
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


class CaseSummaryTab(QWidget):
    openRequested = Signal(str, str)

    def __init__(self, session: Session, ops: Operations, clipboard: SecretClipboard,
                 worker_names: dict[str, str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.worker_names = worker_names or {}
        self.case: Case | None = None
        self.manager = manages(session.user.role)

        facts_card, facts_column = card("Case")
        self.facts = QFormLayout()
        self.close_button = QPushButton("Clos&e case…")
        self.reopen_button = QPushButton("Re&open case…")
        self.error = text_label("", "error")
        self.error.hide()
        add(facts_column, self.facts, button_row(self.close_button, self.reopen_button), self.error, STRETCH)
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

    def show_case(self, case: Case) -> None:
        self.case = case
        self.error.hide()
        closed = case.status == CaseStatus.CLOSED
        rows = [("Reference", case.reference), ("Client", case.client_name),
                ("Child or young person", "their own case" if case.own_case else case.child_name),
                ("Worker", self.worker_names.get(case.worker, case.worker)), ("Level", SupportLevel(case.level).label),
                ("Status", CaseStatus(case.status).label), ("Opened", uk_date(case.opened_on))]
        asked = self._enquiry_summary(case)
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
        self.reopen_button.setVisible(closed)
        self._show_people(case)
        if self.linked is not None:
            self.linked.set_rows([(f"{c.reference} · {c.client_name} for {c.child_name} · {self.worker_names.get(c.worker, c.worker)}", "case", c.id)
                                  for c in cases.linked_cases(self.session, case.id)])

    def _enquiry_summary(self, case: Case) -> str:
        """The summary of the enquiry that opened the case: why the family came."""
        if not case.enquiry_id:
            return ""
        try:
            enquiry = enquiries.get_enquiry(self.session, case.enquiry_id)
        except ConfideError:
            return ""
        summary = " ".join(enquiry.summary.split())
        return f"{enquiry.reference}: {summary}" if summary else ""

    def _show_people(self, case: Case) -> None:
        try:
            client = people.peek_person(self.session, case.client_id)
        except ConfideError as exc:
            self.contact.clear()
            show_error(self.error, exc)
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
        return None if self.case is None else open_dialog(CloseCaseDialog(self.session, self.ops, self.case, self))

    def reopen(self) -> None:
        if self.case is None or not messages.ask(
                self, "Reopen case", f"Reopen case {self.case.reference}? Its closing reason is cleared; "
                "notes and outcomes stay.", confirm="Reopen case"):
            return
        session, case_id = self.session, self.case.id
        self.ops.run(lambda _p: cases.reopen_case(session, case_id), on_error=lambda exc: show_error(self.error, exc),
                     changes={"cases"})

    def link(self) -> LinkCaseDialog | None:
        return None if self.case is None else open_dialog(LinkCaseDialog(self.session, self.ops, self.case, self))

    def set_busy(self, busy: bool) -> None:
        for button in (self.close_button, self.reopen_button):
            button.setEnabled(not busy)

    def clear(self) -> None:
        self.case = None
        self.contact.clear()
        self.people.clear()
        if self.linked is not None:
            self.linked.clear()
        clear_form(self.facts)
