"""The records a worker has open, one tab each (a case, a person), like a browser: open the
client from their case, then the child from the client, and go back by tab.

Opening a record already open switches to it, and does not log another view.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.security.session import Session
from ui.clipboard import SecretClipboard
from ui.operations import Operations
from ui.views.case_view import CaseView
from ui.views.person_view import PersonView
from ui.widgets.forms import text_label

MAX_OPEN = 12  # the oldest tab closes beyond this; a long day should not pile up views


class RecordsView(QWidget):
    openRequested = Signal(str, str)

    def __init__(self, session: Session, ops: Operations, clipboard: SecretClipboard,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops, self.clipboard = session, ops, clipboard
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Open records")
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.empty = text_label("Cases and people you open appear here, each in its own tab. Open one from "
                                "Home, Cases or Search (Ctrl+F).", "hint")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.tabs, 1)
        empty_box = QVBoxLayout()
        empty_box.setContentsMargins(32, 24, 32, 24)
        empty_box.addWidget(text_label("Records", "heading"))
        empty_box.addWidget(self.empty)
        empty_box.addStretch(1)
        self.empty_holder = QWidget()
        self.empty_holder.setLayout(empty_box)
        column.addWidget(self.empty_holder, 1)
        close = QShortcut(QKeySequence("Ctrl+W"), self, self.close_current)
        close.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._update_empty()
        ops.changed.connect(self._changed)

    def _changed(self, topics) -> None:
        # A laptop's check-in erases the cases it held: a tab must not keep showing a family's
        # records from memory once they have left the computer (seen in the two-window trial).
        if "checkin" in topics:
            self.clear()

    def views(self) -> list[QWidget]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    def find(self, kind: str, record_id: str) -> QWidget | None:
        return next((v for v in self.views() if v.kind == kind and v.record_id == record_id), None)

    def open_case(self, case_id: str) -> CaseView:
        """May raise: NotFound, PermissionDenied (nothing is added then)."""
        return self._open("case", case_id)

    def open_person(self, person_id: str) -> PersonView:
        return self._open("person", person_id)

    def _open(self, kind: str, record_id: str):
        view = self.find(kind, record_id)
        if view is None:
            make = CaseView if kind == "case" else PersonView
            view = make(self.session, self.ops, self.clipboard, record_id)
            try:
                view.open()
            except Exception:
                view.deleteLater()
                raise
            view.openRequested.connect(self.openRequested)
            if self.tabs.count() >= MAX_OPEN:
                self.close_tab(0)
            self.tabs.addTab(view, view.title)
            self.tabs.setTabToolTip(self.tabs.indexOf(view), "Ctrl+W closes this tab")
        self.tabs.setCurrentWidget(view)
        self._update_empty()
        view.focus_first()
        return view

    def close_tab(self, index: int) -> None:
        view = self.tabs.widget(index)
        if view is None:
            return
        self.tabs.removeTab(index)
        view.clear()
        view.deleteLater()
        self._update_empty()

    def close_current(self) -> None:
        if self.tabs.count():
            self.close_tab(self.tabs.currentIndex())

    def _update_empty(self) -> None:
        has_tabs = self.tabs.count() > 0
        self.tabs.setVisible(has_tabs)
        self.empty_holder.setVisible(not has_tabs)

    def set_busy(self, busy: bool) -> None:
        for view in self.views():
            view.set_busy(busy)

    def clear(self) -> None:
        """On lock: every open record closes."""
        while self.tabs.count():
            self.close_tab(0)
