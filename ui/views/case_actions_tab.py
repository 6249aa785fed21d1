"""A case's actions: what needs doing, by when and by whom; overdue ones stand out."""

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.records import Action, Case
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services import actions
from ui.dialogs.case_dialogs import ActionDialog
from ui.formatting import describe_error, uk_datetime
from ui.operations import Operations
from ui.widgets.forms import text_label

DUE, WHAT, OWNER, DONE = range(4)
ActionRole = Qt.ItemDataRole.UserRole + 1
_OVERDUE = QColor("#a61b1b")
_DONE = QColor("#5f6b7a")


class CaseActionsTab(QWidget):
    def __init__(self, session: Session, ops: Operations, names: dict[str, str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.names = names or {}  # staff user name -> full name
        self.case: Case | None = None
        self.add_button = QPushButton("&Add action…")
        self.add_button.setProperty("primary", True)
        self.done_button = QPushButton("Mark &done")
        self.undo_button = QPushButton("Re&open action")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.done_button, self.undo_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Actions")
        self.tree.setHeaderLabels(["Due", "What needs doing", "Owner", "Done"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WHAT, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.empty = text_label("No actions. Add one for anything that needs doing by a date.", "hint")
        self.error = text_label("", "error")
        self.error.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 12, 4, 4)
        column.addLayout(buttons)
        column.addWidget(self.error)
        column.addWidget(self.empty)
        column.addWidget(self.tree, 100)
        column.addStretch(1)  # when there is no list, the lines above stay at their height
        self.add_button.clicked.connect(self.add)
        self.done_button.clicked.connect(lambda: self.mark(True))
        self.undo_button.clicked.connect(lambda: self.mark(False))
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())

    def show_case(self, case: Case) -> None:
        self.case = case
        keep = getattr(self.selected(), "id", None)
        self.error.hide()
        try:
            found = actions.actions_for_case(self.session, case.id)
        except ConfideError as exc:
            self._show_error(exc)
            return
        self.tree.clear()
        today = date.today().isoformat()
        for action in found:
            item = QTreeWidgetItem([uk_date(action.due_on), action.title, self.names.get(action.owner, action.owner),
                                    uk_datetime(action.done_at, "") if action.done_at else ""])
            item.setData(0, ActionRole, action)
            colour = _DONE if action.done_at else _OVERDUE if action.due_on < today else None
            if colour is not None:
                for col in range(4):
                    item.setForeground(col, colour)
            if not action.done_at and action.due_on < today:
                item.setText(DUE, f"{uk_date(action.due_on)} (overdue)")
            self.tree.addTopLevelItem(item)
            if action.id == keep:
                self.tree.setCurrentItem(item)
        self.empty.setVisible(not found)
        self.tree.setVisible(bool(found))
        self._update_buttons()

    def selected(self) -> Action | None:
        item = self.tree.currentItem()
        return item.data(0, ActionRole) if item is not None else None

    def _update_buttons(self) -> None:
        action = self.selected()
        idle = not self.ops.busy
        self.add_button.setEnabled(idle)
        self.done_button.setEnabled(idle and action is not None and not action.done_at)
        self.undo_button.setEnabled(idle and action is not None and bool(action.done_at))

    def _show_error(self, exc: BaseException) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

    def add(self) -> ActionDialog | None:
        if self.case is None:
            return None
        dialog = ActionDialog(self.session, self.ops, self.case, self)
        dialog.open()
        return dialog

    def mark(self, done: bool) -> None:
        action = self.selected()
        if action is None:
            return
        session, action_id = self.session, action.id
        self.ops.run(lambda _p: actions.complete_action(session, action_id, done), on_error=self._show_error,
                     changes={"actions"})

    def set_busy(self, busy: bool) -> None:
        self._update_buttons()

    def clear(self) -> None:
        self.case = None
        self.tree.clear()
