"""Retention and erasure (manager; docs/lifecycle.md): the team's schedule in plain words,
the review list of records past their date with what can be done with each (keep longer,
anonymise, erase), the erasures some computer has not yet carried out, and the register of
right-to-erasure requests. The services refuse anyone else and anything blocked; this page
also greys out what a blocked record cannot have."""

from datetime import date

from PySide6.QtWidgets import QFormLayout, QPushButton, QSpinBox, QWidget

from app.domain import retention
from app.errors import ConfideError
from app.security.session import Session
from app.services.lifecycle import erase, review, schedule
from app.services.lifecycle import requests as erasure_requests
from ui.dialogs.erasure_request_dialogs import ErasureOutcomeDialog, RegisterErasureRequestDialog
from ui.dialogs.opening import open_dialog
from ui.dialogs.retention_dialogs import TOPICS, WORDS, DisposeDialog, ExtendDialog
from ui.models.row_table_model import Column, RowTableModel
from ui.operations import Operations
from ui.refresh import Refresher
from ui.widgets.card import card
from ui.widgets.forms import show_error, text_label
from ui.widgets.page import STRETCH, add, button_row, card_grid, row, scroll_page
from ui.widgets.record_list import RecordList
from ui.widgets.record_table import RecordTable

COLUMNS = (
    Column("Record", lambda d: d.reference),
    Column("Kind", lambda d: WORDS.get(d.kind, d.kind)),
    Column("Due", lambda d: f"{d.due_on:%d/%m/%Y}", sort=lambda d: d.due_on.isoformat()),
    Column("Why", lambda d: d.basis),
    Column("Cannot be erased while there is", lambda d: " and ".join(d.blocked_by), stretch=True),
)


STATUS_WORDS = {"open": "open", "erased": "erased", "refused": "refused", "withdrawn": "withdrawn"}


def _request_status(r, today: date) -> str:
    if r.status == "open":
        return "OVERDUE" if r.overdue(today) else "open"
    ground = erasure_requests.GROUNDS.get(r.refusal_ground or "", "")
    return f"refused: {ground}" if r.status == "refused" and ground else STATUS_WORDS.get(r.status, r.status)


def _uk(day: str | None) -> str:
    return f"{date.fromisoformat(day):%d/%m/%Y}" if day else ""


REQUEST_COLUMNS = (
    Column("Request", lambda r: r.reference),
    Column("Received", lambda r: _uk(r.received_on), sort=lambda r: r.received_on),
    Column("From", lambda r: r.requester_name),
    Column("Answer due", lambda r: _uk(r.due_on), sort=lambda r: r.due_on),
    Column("Status", lambda r: _request_status(r, review.today()), stretch=True),
)


def _spin(name: str, low: int, high: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setAccessibleName(name)
    return spin


class RetentionView(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.error = text_label("", "error")
        self.error.hide()

        schedule_card, schedule_body = card("The retention schedule (the whole team)")
        self.case_years = _spin("Closed casework: years after closing", *retention.YEARS_RANGE)
        self.case_age = _spin("Closed casework: kept until the young person is at least", *retention.AGE_RANGE)
        self.enquiry_years = _spin("General information enquiries: years", *retention.YEARS_RANGE)
        form = QFormLayout()
        form.addRow("Closed casework: &years after closing", self.case_years)
        form.addRow("…or until the young person's &birthday at age", self.case_age)
        form.addRow("General &enquiries: years after received", self.enquiry_years)
        self.words = text_label("", "hint")
        self.save_button = QPushButton("&Save the schedule")
        add(schedule_body, form, self.words, button_row(self.save_button), STRETCH)

        review_card, review_body = card()
        self.review_title = text_label("Records past their retention date", "subheading")
        self.model = RowTableModel(COLUMNS, key=lambda d: f"{d.kind}:{d.record_id}", parent=self)
        self.table = RecordTable(self.model, "Records past their retention date", sort_column=2)
        self.table.setMinimumHeight(300)
        self.extend_button = QPushButton("&Keep longer…")
        self.anonymise_button = QPushButton("&Anonymise…")
        self.erase_button = QPushButton("Erase every&where…")
        self.table.set_actions(lambda d: [("Keep longer…", lambda: self.act("extend"))] + (
            [("Anonymise…", lambda: self.act("anonymise")), ("Erase everywhere…", lambda: self.act("erase"))]
            if d.erasable else []))
        add(review_body, self.review_title, text_label(
            "For each record: keep it longer (with the reason), anonymise it (the figures stay), or erase it "
            "everywhere. A record under an open subject access request, an open safeguarding concern or a "
            "legal hold cannot be anonymised or erased until that is closed or released.", "hint"),
            (self.table, 1), button_row(self.extend_button, self.anonymise_button, self.erase_button))

        pending_card, pending_body = card("Erasures not yet carried out on every computer")
        self.pending = RecordList("Erasures not yet carried out", "Every computer has carried out every erasure.",
                                  max_rows=5)
        add(pending_body, self.pending, STRETCH)

        requests_card, requests_body = card()
        self.requests_title = text_label("Right-to-erasure requests", "subheading")
        self.request_model = RowTableModel(REQUEST_COLUMNS, key=lambda r: r.id, parent=self)
        self.requests = RecordTable(self.request_model, "Right-to-erasure requests", sort_column=3)
        self.requests.setMinimumHeight(160)
        self.register_button = QPushButton("Register a re&quest…")
        self.outcome_button = QPushButton("Record the &outcome…")
        self.requests.set_actions(lambda r: [("Record the outcome…", self.record_outcome)] if r.status == "open"
                                  else [])
        add(requests_body, self.requests_title, text_label(
            "A request to erase someone's records (UK GDPR Article 17) is answered within one calendar month: "
            "erase their records, or refuse with the ground (a statutory duty to keep them, a legal claim) and "
            "the reason the family is told.", "hint"),
            (self.requests, 1), button_row(self.register_button, self.outcome_button))

        # The review first: it is what the manager comes here for.
        grid = card_grid()
        grid.addWidget(review_card, 0, 0, 1, 2)
        grid.addWidget(requests_card, 1, 0, 1, 2)
        grid.addWidget(schedule_card, 2, 0)
        grid.addWidget(pending_card, 2, 1)
        add(scroll_page(self, (32, 24, 32, 24), spacing=12), row((text_label("Retention and erasure", "heading"), 1)),
            self.error, grid, STRETCH)

        self.save_button.clicked.connect(self.save_schedule)
        self.extend_button.clicked.connect(lambda: self.act("extend"))
        self.anonymise_button.clicked.connect(lambda: self.act("anonymise"))
        self.erase_button.clicked.connect(lambda: self.act("erase"))
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.register_button.clicked.connect(self.register_request)
        self.outcome_button.clicked.connect(self.record_outcome)
        self.requests.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.requests.doubleClicked.connect(lambda *_a: self.record_outcome())
        self._select_next: str | None = None   # a record asked for before the list was read
        self.refresher = Refresher(self, session, ops, TOPICS, self._show, fetch=self._fetch, failed=self._failed)
        self._update_buttons()

    # --- contents ------------------------------------------------------------------------
    def reload(self, today: date | None = None) -> None:
        """Read and show now (a test, or a given day); the page shown reads on the worker."""
        try:
            fetched = self._fetch(today)
        except ConfideError as exc:
            show_error(self.error, exc)
            return
        self._show(fetched)

    def _fetch(self, today: date | None = None) -> tuple:
        """On the worker: the whole review list reads every record past its date."""
        return (schedule.get_schedule(self.session), review.list_due(self.session, today),
                erase.not_yet_carried_out(self.session), erasure_requests.list_requests(self.session))

    def _failed(self, exc: Exception) -> None:
        if not isinstance(exc, ConfideError):
            raise exc
        show_error(self.error, exc)

    def _show(self, fetched: tuple) -> None:
        rules, due, pending, all_requests = fetched
        self.error.hide()
        case_rule, enquiry_rule = rules[retention.CLOSED_CASE], rules[retention.ENQUIRY]
        self.case_years.setValue(case_rule.years or 0)
        self.case_age.setValue(case_rule.until_age or 0)
        self.enquiry_years.setValue(enquiry_rule.years or 0)
        self.words.setText("\n".join(retention.describe(r) for r in rules.values()))
        select, self._select_next = self._select_next, None
        self.table.reload(lambda: self.model.set_rows(due), select=select)
        self.review_title.setText(f"Records past their retention date ({len(due):,})" if due
                                  else "Records past their retention date: none")
        self.pending.set_rows([(f"{WORDS.get(p.record_kind, p.record_kind)} erased {p.erased_at[:10]}: not yet on "
                                f"{', '.join(p.computers)}", None, None) for p in pending])
        still_open = [r for r in all_requests if r.status == "open"]
        chosen = self.requests.selected()
        # The register is below the fold: the first request still to answer is ready for
        # "Record the outcome" without hunting for its row.
        first = min(still_open, key=lambda r: r.due_on).id if still_open and chosen is None else None
        self.requests.reload(lambda: self.request_model.set_rows(all_requests), select=first)
        late = sum(1 for r in still_open if r.overdue(review.today()))
        self.requests_title.setText(f"Right-to-erasure requests: {len(still_open)} open"
                                    + (f", {late} overdue" if late else ""))
        self._update_buttons()

    def show_record(self, kind: str, record_id: str) -> "RetentionView":
        """Select the record; if the list is still being read, once it is shown."""
        key = f"{kind}:{record_id}"
        if not self.table.select(key):
            self._select_next = key
        self.refresher.try_now()
        return self

    def _update_buttons(self) -> None:
        chosen, idle = self.table.selected(), not self.ops.busy
        self.extend_button.setEnabled(idle and chosen is not None and chosen.kind != "mailing_list_member")
        self.anonymise_button.setEnabled(idle and chosen is not None and chosen.erasable)
        self.erase_button.setEnabled(idle and chosen is not None and chosen.erasable)
        self.save_button.setEnabled(idle)
        request = self.requests.selected()
        self.register_button.setEnabled(idle)
        self.outcome_button.setEnabled(idle and request is not None and request.status == "open")

    # --- actions -------------------------------------------------------------------------
    def save_schedule(self) -> None:
        if self.ops.busy:
            return
        session = self.session
        case_years, case_age, enquiry_years = self.case_years.value(), self.case_age.value(), self.enquiry_years.value()

        def work(_p):
            schedule.set_rule(session, retention.CLOSED_CASE, case_years, case_age or None)
            schedule.set_rule(session, retention.ENQUIRY, enquiry_years)
        self.ops.run(work, on_error=lambda exc: show_error(self.error, exc),
                     changes={"retention", "retention_schedule"})

    def act(self, what: str):
        chosen = self.table.selected()
        if chosen is None or self.ops.busy:
            return None
        if what == "extend":
            return open_dialog(ExtendDialog(self.session, self.ops, chosen, self))
        if not chosen.erasable:
            return None
        return open_dialog(DisposeDialog(self.session, self.ops, [chosen], erasing=what == "erase", parent=self))

    def show_request(self, request_id: str) -> "RetentionView":
        self.refresher.try_now()
        self.requests.select(request_id)
        return self

    def register_request(self):
        if self.ops.busy:
            return None
        return open_dialog(RegisterErasureRequestDialog(self.session, self.ops, self))

    def record_outcome(self):
        chosen = self.requests.selected()
        if chosen is None or chosen.status != "open" or self.ops.busy:
            return None
        return open_dialog(ErasureOutcomeDialog(self.session, self.ops, chosen, self))

    def set_busy(self, busy: bool) -> None:
        self._update_buttons()

    def clear(self) -> None:
        self.model.clear()
        self.pending.clear()
        self.request_model.clear()
        self.refresher.stale = True
