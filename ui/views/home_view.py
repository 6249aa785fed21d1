"""Home: the "New enquiry" button (Ctrl+N) for the next call, what is due today or overdue,
and my open cases. A volunteer sees their own recent general-information enquiries instead.
At the bottom, how this computer protects the vault."""

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QWidget

from app.domain.choices import Channel
from app.domain.counting import plural
from app.domain.intervention import level_label
from app.domain.records import Action
from app.domain.role_matrix import reads_casework
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services import settings
from app.services.casework import actions, cases, enquiries
from app.services.team.laptop import checkout
from ui.formatting import uk_datetime
from ui.operations import Operations
from ui.refresh import Refresher
from ui.widgets.card import card
from ui.widgets.forms import show_error, text_label
from ui.widgets.page import STRETCH, add, card_grid, list_card, row, scroll_page
from ui.widgets.record_list import RecordList

TOPICS = {"cases", "actions", "enquiries", "notes"}


def action_row(action: Action, today: date) -> tuple[str, str, str]:
    days = (today - date.fromisoformat(action.due_on)).days
    late = f"{plural(days, 'day')} overdue" if days > 0 else "due today"
    return f"{action.case_reference} · {action.title} · {late} ({uk_date(action.due_on)})", "case", action.case_id


class HomeView(QWidget):
    newEnquiryRequested = Signal()
    openRequested = Signal(str, str)
    checkoutRequested = Signal()      # a laptop: "Check out cases…" (the laptop's page opens its list)

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.casework = reads_casework(session.user.role)
        try:
            self.laptop = self.casework and checkout.this_is_a_laptop(session)
        except ConfideError:
            self.laptop = False
        # On a laptop the caseworker's cases stay in the office until checked out: Home says so.
        self.office_cases = text_label("", "notice")
        self.office_cases.setAccessibleName("Cases in the office")
        self.office_cases.setWordWrap(True)
        self.checkout_button = QPushButton("Check &out cases…")
        self.checkout_button.clicked.connect(self.checkoutRequested)
        self.office_row = QWidget()
        office_layout = row((self.office_cases, 1), self.checkout_button)
        office_layout.setContentsMargins(0, 0, 0, 0)
        self.office_row.setLayout(office_layout)
        self.office_row.setVisible(self.laptop)

        self.welcome = text_label(f"Welcome, {session.user.full_name}", "heading")
        self.new_button = QPushButton("New enquiry  (Ctrl+N)")
        self.new_button.setProperty("primary", True)
        self.new_button.setObjectName("newEnquiry")
        self.new_button.setAccessibleName("New enquiry")
        self.new_button.setMinimumHeight(44)
        self.new_button.clicked.connect(self.newEnquiryRequested)
        top = row((self.welcome, 1), self.new_button)
        self.error = text_label("", "error")
        self.error.hide()

        grid = card_grid()
        if self.casework:
            due_card, due_column = card("My actions due")
            self.overdue_title = text_label("", "hint")
            self.overdue = RecordList("Overdue actions", "Nothing overdue.", max_rows=6)
            self.today_title = text_label("Due today", "hint")
            self.due_today = RecordList("Actions due today", "Nothing due today.", max_rows=6)
            self.nothing_due = text_label("Nothing is overdue or due today.", "hint")
            for widget in (self.nothing_due, self.overdue_title, self.overdue, self.today_title, self.due_today):
                due_column.addWidget(widget)
            none_here = ("No case is checked out to this laptop. Choose Check out cases to take some with you."
                         if self.laptop else "You have no open or inactive cases. Casework opens from an "
                         "enquiry: choose New enquiry and then Casework.")
            # An inactive case is still the worker's (docs/national.md): listed after the open
            # ones, so it is not lost from sight when the no-contact rule moves it.
            title = "My open cases on this laptop" if self.laptop else "My open and inactive cases"
            cases_card, cases_column, self.my_cases = list_card(title, title, none_here, max_rows=10)
            for card_column in (due_column, cases_column):
                card_column.addStretch(1)  # side by side, the shorter card keeps its lines at the top
            grid.addWidget(due_card, 0, 0)
            grid.addWidget(cases_card, 0, 1)
            for lst in (self.overdue, self.due_today, self.my_cases):
                lst.openRequested.connect(self.openRequested)
        else:
            mine_card, mine_column = card("My recent enquiries")
            mine_column.addWidget(text_label("Volunteers record general-information enquiries. Pass anything "
                                             "that needs casework to a caseworker.", "hint"))
            self.my_enquiries = RecordList("My recent enquiries", "No enquiries yet.", max_rows=10)
            mine_column.addWidget(self.my_enquiries)
            grid.addWidget(mine_card, 0, 0, 1, 2)
        add(scroll_page(self, (32, 24, 32, 24), spacing=14), top,
            text_label(session.vault.service_name, "subheading"), self.error, self.office_row, grid,
            self._protection_card(session), STRETCH)
        # Reloads after a change once the worker is idle and Home is on screen; reads on the worker.
        self.refresher = Refresher(self, session, ops, TOPICS | ({"sync", "checkout"} if self.laptop else set()),
                                   self.show_loaded, fetch=self.load, failed=self._failed)

    def _protection_card(self, session: Session) -> QWidget:
        frame, facts = card("This computer")
        facts.addWidget(text_label(f"You are signed in as {session.user.username} "
                                   f"({session.user.role.label.lower()}).", ""))
        minutes = settings.auto_lock_minutes(session)
        facts.addWidget(text_label(
            f"Confide locks itself after {plural(minutes, 'minute')} without "
            "keyboard or mouse use, and when the screen locks. Press Ctrl+L to lock it now.", ""))
        if session.device_store.weaker:
            self.protection = text_label(
                "Weaker protection: this computer keeps the device secret in a file "
                f"({session.device_store.path}), not in the OS credential store.", "warning")
        else:
            self.protection = text_label(
                "Two layers protect the vault: your passphrase, and a device secret kept in "
                "this computer's credential store.", "")
        facts.addWidget(self.protection)
        return frame

    # --- contents ------------------------------------------------------------------------
    def load(self, today: date | None = None) -> dict:
        """What Home lists, read on the worker (Refresher's fetch): at 50,000 cases the reading
        took a quarter of a second, which the window spent still at every unlock."""
        today = today or date.today()
        if not self.casework:
            return {"enquiries": enquiries.recent_enquiries(self.session, limit=20)}
        mine = cases.my_open_cases(self.session)
        if not self.laptop:
            mine += cases.my_inactive_cases(self.session)
        found = {"today": today, "due": actions.my_due_actions(self.session, today), "mine": mine}
        if self.laptop:
            listed = checkout.my_cases(self.session)
            if listed.listed_at is None and not listed.asking:
                checkout.ask_for_list(self.session)
                listed = checkout.my_cases(self.session)
            found["listed"] = listed
        return found

    def reload(self, today: date | None = None) -> None:
        """Read and show at once, on this thread (tests; the window reads on the worker)."""
        if self.session.locked:
            return
        try:
            self.show_loaded(self.load(today))
        except ConfideError as exc:
            self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, ConfideError):
            show_error(self.error, exc)

    def show_loaded(self, found: dict) -> None:
        self.error.hide()
        if not self.casework:
            self.my_enquiries.set_rows([
                (f"{uk_datetime(e.received_at)} · {e.reference} · {Channel(e.channel).label}", None, None)
                for e in found["enquiries"]])
            return
        today, due = found["today"], found["due"]
        self.overdue_title.setText(f"Overdue ({len(due.overdue)})")
        self.today_title.setText(f"Due today ({len(due.due_today)})")
        self.overdue.set_rows([action_row(a, today) for a in due.overdue])
        self.due_today.set_rows([action_row(a, today) for a in due.due_today])
        # One line says "nothing due" rather than two empty headings.
        nothing = not due.overdue and not due.due_today
        self.nothing_due.setVisible(nothing)
        for widget in (self.overdue_title, self.overdue, self.today_title, self.due_today):
            widget.setVisible(not nothing)
        self.my_cases.set_rows([
            (f"{c.reference} · {c.client_name}" + ("" if c.own_case else f" for {c.child_name}")
             + f" · {level_label(c.level)} · since {uk_date(c.opened_on)}"
             + (" · inactive" if c.status == "inactive" else ""), "case", c.id)
            for c in found["mine"]])
        if self.laptop:
            self._show_office_cases(found["listed"])

    def _show_office_cases(self, listed) -> None:
        """What of the caseworker's work is in the office, not here; the list is asked for
        once (it travels at the next sync and an office computer answers)."""
        away = [c for c in listed.not_here if not c.out_on]
        if listed.listed_at is None:
            text = ("Your cases stay in the office until you check them out on this laptop. Asking an office "
                    "computer for your list of cases: it comes when one syncs.")
        elif away:
            refs = ", ".join(c.ref for c in away[:3]) + (" and more" if len(away) > 3 else "")
            text = (f"{plural(len(away), 'open case')} of yours {'is' if len(away) == 1 else 'are'} in the "
                    f"office, not on this laptop ({refs}). Check them out to work on them here.")
        else:
            text = "Every open case of yours that can be on this laptop is here."
        self.office_cases.setText(text)
        self.checkout_button.setVisible(listed.listed_at is None or bool(away))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresher.mark_stale()  # "due today" moves on at midnight

    def clear(self) -> None:
        self.welcome.clear()
        for name in ("overdue", "due_today", "my_cases", "my_enquiries"):
            if hasattr(self, name):
                getattr(self, name).clear()

    def set_busy(self, busy: bool) -> None:
        self.new_button.setEnabled(not busy)
