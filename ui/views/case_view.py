"""One case, in tabs: Summary, Notes, Actions, Consent & sharing, Documents and Safeguarding (present
only for those allowed to see it: otherwise the tab does not exist at all).

Opening the view is an audited view of the case (cases.get_case); reloads after a change
use load_case, which checks access again without logging another view.
"""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from app.domain.choices import CaseStatus
from app.domain.intervention import level_label
from app.domain.records import Case
from app.domain.role_matrix import reads_casework
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.casework import cases, safeguarding
from app.services.team import conflicts
from app.services.team.laptop import checkout
from ui.clipboard import SecretClipboard
from ui.formatting import describe_error
from ui.names import staff_names
from ui.operations import Operations
from ui.refresh import Refresher
from ui.views.case_actions_tab import CaseActionsTab
from ui.views.case_consent_tab import CaseConsentTab
from ui.views.case_notes_tab import CaseNotesTab
from ui.views.case_safeguarding_tab import CaseSafeguardingTab
from ui.views.case_summary_tab import CaseSummaryTab
from ui.views.documents_panel import DocumentsPanel
from ui.widgets.forms import restyle, text_label

# Which tabs reload for which broadcast topic.
TAB_TOPICS = {"summary": {"cases", "people"}, "notes": {"notes", "cases", "sync"}, "actions": {"actions", "cases"},
              "consent": {"consent", "disclosures", "cases"}, "safeguarding": {"safeguarding", "cases"},
              "documents": {"documents", "cases"}}
# A sync that brought colleagues' changes (ui/team/sync_status.PULLED) may touch any tab.
TAB_TOPICS = {name: topics | {"pulled"} for name, topics in TAB_TOPICS.items()}
TAB_TOPICS["summary"] |= {"checkout", "sync"}   # "sync": a conflict resolved or arrived     # the "out on a laptop" line (a sync brings it: "pulled")
# The tabs in their order; each has read(session, case) (on the worker) and fill(case, read).
TAB_CLASSES = {"summary": CaseSummaryTab, "notes": CaseNotesTab, "actions": CaseActionsTab,
               "consent": CaseConsentTab, "documents": DocumentsPanel, "safeguarding": CaseSafeguardingTab}
# Alt+letter for each tab. F, G, H and R belong to the menu bar (test_menus checks every page
# and a case); the buttons inside the tabs avoid them and the tab titles.
TAB_TITLES = {"summary": "&Summary", "notes": "&Notes", "actions": "Ac&tions",
              "consent": "&Consent && sharing", "safeguarding": "Safeguar&ding", "documents": "Doc&uments"}


class CaseView(QWidget):
    openRequested = Signal(str, str)  # kind, id

    def __init__(self, session: Session, ops: Operations, clipboard: SecretClipboard, case_id: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops, self.clipboard = session, ops, clipboard
        self.kind, self.record_id = "case", case_id
        self.case: Case | None = None
        self.tabs_by_name: dict[str, QWidget] = {}
        self.worker_names: dict[str, str] = {}
        self.heading = text_label("", "heading")
        self.subheading = text_label("", "hint")
        self.status = text_label("", "")
        self.status.setAccessibleName("Case status")
        self.error = text_label("", "error")
        self.error.hide()
        self.out_on_laptop = text_label("", "warning")
        self.out_on_laptop.setAccessibleName("Out on a laptop")
        self.out_on_laptop.hide()
        # A change to this case's records that clashed with a colleague's waits for a person:
        # the record shows the colleague's version until then, so the case says so.
        self.in_conflict = text_label("", "warning")
        self.in_conflict.setAccessibleName("Conflict waiting")
        self.in_conflict.setWordWrap(True)
        self.in_conflict.hide()
        self.loading_line = text_label("Reading the case…", "hint")
        self.loading_line.setAccessibleName("Reading the case")
        self._loading = False
        self._to_build: list[str] = []           # tabs still to be built, in order
        self._first_read: dict[str, object] = {}  # what was read for tabs not built yet
        self._conflicted_notes: set[str] = set()
        self._builder = QTimer(self)
        self._builder.setSingleShot(True)
        self._builder.setInterval(0)
        self._builder.timeout.connect(self._build_next)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Parts of the case")
        self.tabs.setDocumentMode(True)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.status, 0, Qt.AlignmentFlag.AlignVCenter)
        column = QVBoxLayout(self)
        column.setContentsMargins(28, 18, 28, 12)
        column.setSpacing(6)
        column.addLayout(top)
        column.addWidget(self.subheading)
        column.addWidget(self.out_on_laptop)
        column.addWidget(self.in_conflict)
        column.addWidget(self.error)
        # Until the case is first read, the place of the tabs says so (nothing half-filled, no
        # "No notes yet" before the notes are read).
        waiting = QWidget()
        waiting_column = QVBoxLayout(waiting)
        waiting_column.setContentsMargins(0, 12, 0, 0)
        waiting_column.addWidget(self.loading_line)
        waiting_column.addStretch(1)
        self.body = QStackedWidget()
        self.body.addWidget(self.tabs)
        self.body.addWidget(waiting)
        column.addWidget(self.body, 1)
        self._stale_tabs: set[str] = set()
        ops.changed.connect(self._changed)  # before the refresher: it notes which tabs are stale
        self.refresher = Refresher(self, session, ops, set().union(*TAB_TOPICS.values()), self._reload_stale)

    @property
    def title(self) -> str:
        return self.case.reference if self.case else "Case"

    def open(self) -> None:
        """The audited first view (one row, on this thread, so that a refusal stops the tab
        being added). The tabs' contents are read on the worker meanwhile, and the tabs are
        built one per turn of the event loop (each takes tens of milliseconds to build), so
        the page shows at once saying it is reading. May raise: NotFound, PermissionDenied."""
        self.case = cases.get_case(self.session, self.record_id)
        self._to_build = [name for name in TAB_CLASSES
                          if name != "safeguarding" or safeguarding.can_see_concerns(self.session, self.case)]
        self._show_heading(self.case)
        self.refresher.stale = False
        self._load(set(self._to_build), first=True)
        self._builder.start()     # the first tab too: this turn already lays out the page

    def _build_next(self) -> None:
        if self._to_build and self.case is not None:
            self._build(self._to_build[0])
        if self._to_build and self.case is not None:
            self._builder.start()

    def _build(self, name: str) -> None:
        """Builds the tabs up to this one (in their order), each filled if its read is in."""
        while self._to_build and name not in self.tabs_by_name:
            made = self._to_build.pop(0)
            if made == "summary":
                tab = CaseSummaryTab(self.session, self.ops, self.clipboard, self.worker_names)
                tab.openRequested.connect(self.openRequested)
            elif made == "consent":
                tab = CaseConsentTab(self.session, self.ops, self.clipboard)
            elif made in ("notes", "actions"):
                tab = TAB_CLASSES[made](self.session, self.ops, self.worker_names)
            else:
                tab = TAB_CLASSES[made](self.session, self.ops)
            if self.ops.busy:
                tab.set_busy(True)
            self.tabs.addTab(tab, TAB_TITLES[made])
            self.tabs_by_name[made] = tab
            if made in self._first_read:
                self._fill(made, self._first_read.pop(made))

    @property
    def loading(self) -> bool:
        """The case's tabs are being read on the worker (or wait for it to be free)."""
        return self._loading

    def reload(self, names: set[str] | None = None) -> None:
        self._load(names or set(self.tabs_by_name))

    def _load(self, names: set[str], first: bool = False) -> None:
        """Read what the named tabs show on the worker, then show it here. While any task runs
        every view is disabled, so the connection is used by one thread at a time; a lock asked
        for meanwhile waits for the read to end (MainWindow.lock), and its result is then
        dropped unseen."""
        self._loading = True
        if first:
            self.body.setCurrentWidget(self.loading_line.parentWidget())
        session, case_id = self.session, self.record_id

        def read(_progress):
            case = cases.load_case(session, case_id)
            return case, self._surroundings(case), staff_names(session) if first else None, {
                name: TAB_CLASSES[name].read(session, case) for name in names}

        self.ops.run(read, on_done=self._loaded, on_error=self._load_failed)

    def _surroundings(self, case) -> tuple:
        """Where the case is (a laptop) and the conflicts waiting on it (on the worker)."""
        try:
            out = None if checkout.this_is_a_laptop(self.session) else checkout.out_on_laptops(self.session).get(case.id)
        except ConfideError:
            out = None
        try:
            waiting = conflicts.waiting_on(self.session, case_id=case.id) if reads_casework(
                self.session.user.role) else []
        except ConfideError:
            waiting = []
        return out, waiting

    def _loaded(self, result) -> None:
        self._done_loading()
        if self.session.locked or self.case is None:
            return      # locked or closed while it was read: nothing of it is shown
        case, (out, waiting), names, read = result
        if names is not None:
            self.worker_names.clear()
            self.worker_names.update(names)    # the tabs share this dict
        self.case = case
        self.error.hide()
        self._show_heading(case)
        self._show_where(out)
        self._show_conflicts(waiting)
        self._conflicted_notes = {c.record_id for c in waiting if c.table == "note"}
        for name, data in read.items():
            if name in self.tabs_by_name:
                self._fill(name, data)
            else:
                self._first_read[name] = data
        if self._to_build:
            self._build(self._to_build[-1])   # the rest now, so that every tab is there once read

    def _fill(self, name: str, data) -> None:
        tab = self.tabs_by_name[name]
        if name == "notes":
            tab.conflicted = self._conflicted_notes
        tab.fill(self.case, data)

    def _load_failed(self, exc: Exception) -> None:
        self._done_loading()
        if self.session.locked:
            return
        if not isinstance(exc, ConfideError):
            raise exc
        self.error.setText(describe_error(exc))
        self.error.show()

    def _done_loading(self) -> None:
        self._loading = False
        self.body.setCurrentWidget(self.tabs)

    def _changed(self, topics) -> None:
        self._stale_tabs |= {name for name in self.tabs_by_name if TAB_TOPICS[name] & topics}

    def _reload_stale(self) -> None:
        names, self._stale_tabs = self._stale_tabs, set()
        if self.case is not None and names:
            self.reload(names)

    def _show_where(self, out) -> None:
        """In the office, a case out on a laptop says so: an edit made here to what
        the laptop also changes becomes a conflict for the caseworker to resolve."""
        self.out_on_laptop.setVisible(out is not None)
        if out is not None:
            self.out_on_laptop.setText(f"This case is {out.where()}. What you change here that is also "
                                       "changed on the laptop will wait as a conflict until someone chooses.")

    def _show_conflicts(self, waiting: list) -> None:
        self.in_conflict.setVisible(bool(waiting))
        if waiting:
            self.in_conflict.setText(
                "⚠ A conflict waits: " + "; ".join(c.context for c in waiting) + ". You and a colleague changed "
                "it on different computers; it shows the colleague's version until someone chooses on the "
                "Conflicts page.")

    def _show_heading(self, case) -> None:
        self.heading.setText(f"Case {case.reference}")
        about = "their own case" if case.own_case else f"for {case.child_name}"
        # Until the staff register is read (on the worker), no log-in name stands in for a name.
        worker = f"worked by {self.worker_names.get(case.worker, case.worker)} · " if self.worker_names else ""
        self.subheading.setText(f"{case.client_name}, {about} · {level_label(case.level)} · "
                                f"{worker}opened {uk_date(case.opened_on)}")
        closed = case.status == CaseStatus.CLOSED
        inactive = case.status == CaseStatus.INACTIVE
        self.status.setText(f"Closed {uk_date(case.closed_on)}" if closed else "Inactive" if inactive else "Open")
        self.status.setProperty("kind", "warning" if closed or inactive else "success")
        restyle(self.status)

    def focus_first(self) -> None:
        """Keyboard users land on the tabs: arrows move between them."""
        self.tabs.tabBar().setFocus(Qt.FocusReason.OtherFocusReason)

    def show_tab(self, name: str) -> QWidget:
        if name not in self.tabs_by_name and name in self._to_build:
            self._build(name)
        tab = self.tabs_by_name[name]
        self.tabs.setCurrentWidget(tab)
        return tab

    def select_note(self, note_id: str) -> None:
        self.show_tab("notes").select(note_id)

    def set_busy(self, busy: bool) -> None:
        for tab in self.tabs_by_name.values():
            tab.set_busy(busy)

    def clear(self) -> None:
        self.case = None
        self._builder.stop()
        self._to_build, self._first_read = [], {}
        self._done_loading()
        for tab in self.tabs_by_name.values():
            tab.clear()
        self.heading.clear()
        self.subheading.clear()
