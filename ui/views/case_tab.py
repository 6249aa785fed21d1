"""What every tab of a case has: a bar of buttons (the first the main action), an error line,
an empty state when there is nothing to list, the list itself, and the buttons following the
worker's busy state. A tab builds its list and buttons and fills them in `show_case`; the
base lays them out and does the rest the same way everywhere.

    class CaseActionsTab(CaseTab):
        def __init__(...):
            super().__init__(session, ops, "No actions. …")
            self.add_button = self.button("&Add action…", primary=True)
            self.set_list(tree)
"""

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.domain.records import Case
from app.security.session import Session
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.forms import text_label


class CaseTab(QWidget):
    def __init__(self, session: Session, ops: Operations, empty_text: str, notice: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.case: Case | None = None
        self.buttons: list[QPushButton] = []
        self._bar = QHBoxLayout()
        self._bar.addStretch(1)
        self.empty = text_label(empty_text, "hint")
        self.error = text_label("", "error")
        self.error.hide()
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(4, 12, 4, 4)
        if notice:
            self.column.addWidget(text_label(notice, "notice"))
        self.column.addLayout(self._bar)
        self.column.addWidget(self.error)
        self.column.addWidget(self.empty)
        self.list_widget: QWidget | None = None

    def button(self, text: str, *, primary: bool = False) -> QPushButton:
        """A button in the bar, in order. Never a default button: Enter in a list opens a row."""
        button = QPushButton(text)
        button.setAutoDefault(False)
        if primary:
            button.setProperty("primary", True)
        self._bar.insertWidget(len(self.buttons), button)
        self.buttons.append(button)
        return button

    def set_list(self, widget: QWidget) -> None:
        self.list_widget = widget
        self.column.addWidget(widget, 100)
        self.column.addStretch(1)  # when there is no list, the lines above stay at their height

    def show_error(self, exc: BaseException) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

    def show_rows(self, count: int) -> None:
        """After filling the list: the list, or the empty state."""
        self.error.hide()
        self.empty.setVisible(not count)
        if self.list_widget is not None:
            self.list_widget.setVisible(bool(count))

    def update_buttons(self) -> None:
        """Enable what the selection allows; the base only knows the worker's busy state."""
        idle = not self.ops.busy
        for button in self.buttons:
            button.setEnabled(idle)

    def set_busy(self, busy: bool) -> None:
        self.update_buttons()

    def clear(self) -> None:
        """On lock, or when the case closes: the tab forgets the case."""
        self.case = None
