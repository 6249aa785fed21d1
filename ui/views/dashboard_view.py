"""The manager's dashboard: open cases by worker, then each thing that needs attention today
(overdue actions, subject access requests, consents to review, overrides to review, paper
files out too long, safeguarding, staff training). Activating an item opens what is behind it.

Built on the worker (Operations): it is quick, but at 50,000 cases it is still a few hundred
milliseconds of SQL that the window should not wait for.
"""

from datetime import date

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from app.domain.dashboard import Dashboard
from app.security.session import Session
from app.services.reports import dashboard
from ui.formatting import describe_error
from ui.operations import Operations
from ui.refresh import Refresher
from ui.widgets.attention_list import AttentionList
from ui.widgets.bar_chart import BarChart
from ui.widgets.card import card
from ui.widgets.forms import text_label
from ui.widgets.page import STRETCH, add, card_grid, row, scroll_page

# Everything a dashboard section counts; a change to any of them makes it stale.
TOPICS = {"cases", "actions", "paper_files", "staff", "staff_register", "policy_reviews", "sars",
          "consent", "disclosures", "safeguarding", "notes", "complaints", "retention", "enquiries"}
FIRST_SECTIONS, MORE_SECTIONS = 2, 1  # cards shown at once, then per event


class DashboardView(QWidget):
    openRecord = Signal(str, str)  # kind, id: the workspace decides how to open it

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.dashboard: Dashboard | None = None
        self.lists: dict[str, AttentionList] = {}
        self._cards: dict[str, QWidget] = {}
        self._titles: dict[str, QWidget] = {}
        self.loading = False

        self.refresh_button = QPushButton("R&efresh")
        self.refresh_button.setAccessibleName("Refresh the dashboard")
        self.refresh_button.clicked.connect(lambda: self.reload())
        self.as_of = text_label("", "hint")
        top = row((text_label("Dashboard", "heading"), 1), self.refresh_button)
        self.error = text_label("", "error")
        self.error.hide()

        workers_card, workers_column = card("Open cases by worker")
        self.workers = BarChart("Open cases by worker")
        self.workers_empty = text_label("No open cases.", "hint")
        workers_column.addWidget(self.workers)
        workers_column.addWidget(self.workers_empty)
        self.grid = card_grid()
        self.grid.addWidget(workers_card, 0, 0, 1, 2)
        add(scroll_page(self, (32, 24, 32, 24), spacing=12), top, self.as_of, self.error, self.grid, STRETCH)
        self._waiting: list = []   # (position, section) still to be shown
        self._filler = QTimer(self)
        self._filler.setSingleShot(True)
        self._filler.setInterval(0)
        self._filler.timeout.connect(lambda: self._show_sections(MORE_SECTIONS))
        self.refresher = Refresher(self, session, ops, TOPICS, self.reload)

    # --- contents ------------------------------------------------------------------------
    def reload(self, today: date | None = None) -> None:
        if self.session.locked or self.loading:
            return
        self.loading = True
        self.refresh_button.setEnabled(False)
        self.as_of.setText("Bringing the dashboard up to date…")
        session, day = self.session, today or date.today()
        self.ops.run(lambda _p: dashboard.build_dashboard(session, day), on_done=self._loaded,
                     on_error=self._failed)

    def _loaded(self, built: Dashboard) -> None:
        self.loading = False
        self.refresh_button.setEnabled(True)
        self.error.hide()
        if self.session.locked:
            return
        self.dashboard = built
        self.as_of.setText(f"What needs attention on {built.today:%A %d %B %Y}. "
                           "Press Enter or double-click an item to open it.")
        self.workers.set_rows([(name, count) for _u, name, count in built.open_cases_by_worker])
        self.workers.setVisible(bool(built.open_cases_by_worker))
        self.workers_empty.setVisible(not built.open_cases_by_worker)
        # A dozen cards: the first few now, the rest between events (the window answers meanwhile).
        self._waiting = list(enumerate(built.sections))
        self._show_sections(FIRST_SECTIONS)

    def _show_sections(self, count: int) -> None:
        batch, self._waiting = self._waiting[:count], self._waiting[count:]
        for n, section in batch:
            items = self._section_list(section.key, n)
            title = self._titles[section.key]
            title.setText(f"{section.title} ({len(section.items)})" if section.items else section.title)
            items.list.setAccessibleName(section.title)
            items.set_items(section.items, section.empty_text)
        if self._waiting:
            self._filler.start()
        else:
            self._filler.stop()

    def _section_list(self, key: str, position: int) -> AttentionList:
        """Cards are made the first time a section appears, then reused at each refresh."""
        if key not in self.lists:
            frame, body = card()
            title = text_label("", "subheading")
            items = AttentionList(key.replace("_", " "))
            items.openRequested.connect(self.openRecord)
            add(body, title, items, STRETCH)
            self.grid.addWidget(frame, 1 + position // 2, position % 2)
            self.lists[key], self._cards[key], self._titles[key] = items, frame, title
        return self.lists[key]

    def _failed(self, exc: Exception) -> None:
        self.loading = False
        self.refresh_button.setEnabled(True)
        self.as_of.setText("")
        self.error.setText(f"The dashboard could not be brought up to date. {describe_error(exc)}")
        self.error.show()

    @property
    def filling(self) -> bool:
        """Cards are still being shown."""
        return bool(self._waiting)

    def section_list(self, key: str) -> AttentionList:
        self._show_sections(len(self._waiting))
        return self.lists[key]

    def clear(self) -> None:
        # Every card made (then emptied below, before anything is painted): a lock that came
        # while they were being shown leaves the same page as one that came after.
        self._show_sections(len(self._waiting))
        self.dashboard = None
        self.workers.set_rows([])
        for items in self.lists.values():
            items.clear()
        for title in self._titles.values():
            title.setText("")
        self.as_of.setText("")
        self.refresher.stale = True

    def set_busy(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy and not self.loading)
