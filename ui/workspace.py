"""What an unlocked session sees: the navigation on the left and one view per page.
Built for one session; thrown away at the next unlock (a new session gets new views)."""

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QStackedWidget, QWidget

from app.security.session import Session
from ui.accessibility import fit_navigation, name_page
from ui.casework import Casework
from ui.lazy_pages import LazyPages
from ui.manager import Manager
from ui.no_contact_rule import NoContactRule
from ui.operations import Operations
from ui.search_tidy import SearchTidy
from ui.team.pages import LAPTOP, TeamPages
from ui.views.backup_view import BackupView
from ui.views.settings_view import SettingsView
from ui.views.staff_view import StaffView
from ui.widgets.enter_presses import EnterPressesButtons


class Workspace(QWidget):
    restoreRequested = Signal(object, dict)
    teamStarted = Signal(object)     # this computer founded a team: its pages are built again
    said = Signal(str)               # a line for the status bar from work done by itself

    def __init__(self, session: Session, ops: Operations, data_dir: Path,
                 device_key_file: Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        # First, before any page starts a task on the worker: it reads the database here.
        self.team = TeamPages(session, ops, started=self.teamStarted.emit)
        self.casework = Casework(session, ops, self)
        self.home_view = self.casework.home
        self.manager = Manager(session, ops, self, self.casework.clipboard)  # no pages unless a manager
        self._ops, self._data_dir, self._device_key_file = ops, data_dir, device_key_file
        pages = [("Home", self.home_view), *self.manager.lead_pages, *self.casework.pages, *self.manager.pages,
                 *self.team.pages, ("Staff", (lambda: StaffView(session, ops)) if session.user.is_manager else None),
                 ("Settings", lambda: SettingsView(session, ops)), ("Backup & restore", self._backup_page)]

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Sections")
        self.nav.setFixedWidth(210)
        self.stack = QStackedWidget()
        # Built when first shown or asked for by name (ui/lazy_pages.py), not all at unlock.
        self.pages = LazyPages(self.stack, self._page_built)
        for name, view in pages:
            if view is not None:
                self.nav.addItem(name)
                self.pages.add(name, view)
        fit_navigation(self.nav)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)

        self.nav.currentRowChanged.connect(self._show_row)
        # Choosing a page (a click, or Enter on it) puts the cursor where work starts on it;
        # moving through the list with the arrows does not, so the arrows keep working.
        self.nav.itemClicked.connect(lambda _item: self._focus_page())
        self.nav.itemActivated.connect(lambda _item: self._focus_page())
        self.nav.setCurrentRow(0)
        self.enter_presses = EnterPressesButtons(self)
        if self.team.laptop is not None:
            self.home_view.checkoutRequested.connect(self.choose_cases)
            self.team.laptop.openRequested.connect(self.open_record)
        ops.busyChanged.connect(self.set_busy)
        self.casework.showPage.connect(self.show_page)
        self.manager.showPage.connect(self.show_page)
        self.manager.openRecord.connect(self.open_record)
        # Started by the window once the workspace shows (start_background), stopped at lock.
        self.no_contact_rule = NoContactRule(session, ops, self)
        self.no_contact_rule.said.connect(self.said)
        self.search_tidy = SearchTidy(session, ops, self)
        self.search_tidy.said.connect(self.said)

    def start_background(self) -> None:
        """What runs by itself while this session is open: the no-contact rule, now and daily;
        the search indexes' tidying when idle."""
        self.no_contact_rule.start()
        self.search_tidy.start()

    @property
    def staff_view(self) -> StaffView | None:
        return self.pages["Staff"] if "Staff" in self.pages else None

    @property
    def settings_view(self) -> SettingsView:
        return self.pages["Settings"]

    @property
    def backup_view(self) -> BackupView:
        return self.pages["Backup & restore"]

    def _backup_page(self) -> BackupView:
        view = BackupView(self.session, self._ops, self._data_dir, self._device_key_file)
        view.restoreRequested.connect(self.restoreRequested)
        return view

    def _page_built(self, name: str, view: QWidget) -> None:
        name_page(view, name)
        if self._ops.busy:
            view.set_busy(True)

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self.pages):
            self.pages[list(self.pages)[row]]    # built now, the first time
        self.stack.setCurrentIndex(row)

    def choose_cases(self):
        """Home's "Check out cases…" on a laptop: the laptop's page, with the list to tick."""
        page = self.show_page(LAPTOP)
        return page.choose()

    def show_page(self, name: str) -> QWidget:
        self.nav.setCurrentRow(list(self.pages).index(name))
        return self.pages[name]

    def _focus_page(self) -> None:
        focus = getattr(self.stack.currentWidget(), "focus_box", None)
        if focus is not None:
            focus()

    def open_record(self, kind: str, record_id: str) -> QWidget | None:
        """Open a 'case' or 'person' (a 'note' opens its case) in the Records page."""
        return self.casework.open_record(kind, record_id)

    def set_busy(self, busy: bool) -> None:
        self.nav.setEnabled(not busy)
        for view in self.pages.built():
            view.set_busy(busy)

    def clear(self) -> None:
        """On lock: every view drops what it shows, and nothing more starts by itself."""
        self.no_contact_rule.stop()
        self.search_tidy.stop()
        for view in self.pages.built():
            view.clear()
        self.casework.clear()
