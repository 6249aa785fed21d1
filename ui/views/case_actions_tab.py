"""A case's actions: what needs doing, by when and by whom; overdue ones stand out."""

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.domain.records import Action, Case
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.casework import actions
from ui import theme
from ui.dialogs.case_dialogs import ActionDialog
from ui.formatting import uk_datetime
from ui.operations import Operations
from ui.views.case_tab import CaseTab

DUE, WHAT, OWNER, DONE = range(4)
ActionRole = Qt.ItemDataRole.UserRole + 1
_OVERDUE = QColor("#a61b1b")
_DONE = QColor("#5f6b7a")


class CaseActionsTab(CaseTab):
    def __init__(self, session: Session, ops: Operations, names: dict[str, str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(session, ops, "No actions. Add one for anything that needs doing by a date.", parent=parent)
        self.names = names if names is not None else {}  # staff user name -> full name (shared)
        self.add_button = self.button("&Add action…", primary=True)
        self.done_button = self.button("Mark don&e")
        self.undo_button = self.button("Re&open action")
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
        self.set_list(self.tree)
        self.add_button.clicked.connect(self.add)
        self.done_button.clicked.connect(lambda: self.mark(True))
        self.undo_button.clicked.connect(lambda: self.mark(False))
        self.tree.currentItemChanged.connect(lambda *_: self.update_buttons())

    def show_case(self, case: Case) -> None:
        self.fill(case, self.read(self.session, case))

    @staticmethod
    def read(session: Session, case: Case) -> list[Action] | ConfideError:
        try:
            return actions.actions_for_case(session, case.id)
        except ConfideError as exc:
            return exc

    def fill(self, case: Case, found: list[Action] | ConfideError) -> None:
        self.case = case
        keep = getattr(self.selected(), "id", None)
        if isinstance(found, ConfideError):
            self.show_error(found)
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
                    item.setForeground(col, theme.painted(colour))
            if not action.done_at and action.due_on < today:
                item.setText(DUE, f"{uk_date(action.due_on)} (overdue)")
            self.tree.addTopLevelItem(item)
            if action.id == keep:
                self.tree.setCurrentItem(item)
        self.show_rows(len(found))
        self.update_buttons()

    def selected(self) -> Action | None:
        item = self.tree.currentItem()
        return item.data(0, ActionRole) if item is not None else None

    def update_buttons(self) -> None:
        action = self.selected()
        idle = not self.ops.busy
        self.add_button.setEnabled(idle)
        self.done_button.setEnabled(idle and action is not None and not action.done_at)
        self.undo_button.setEnabled(idle and action is not None and bool(action.done_at))

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
        self.ops.run(lambda _p: actions.complete_action(session, action_id, done), on_error=self.show_error,
                     changes={"actions"})

    def clear(self) -> None:
        super().clear()
        self.tree.clear()
