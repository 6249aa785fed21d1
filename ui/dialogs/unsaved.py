"""Nothing typed is lost by accident: a form that was changed asks before it closes on
Cancel, Escape or the window's close button. (Locking closes it without asking: the lock
must never wait for an answer.)"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDateTimeEdit,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ui.dialogs import messages
from ui.dialogs.form_dialog import FormDialog


def form_state(root: QWidget) -> tuple:
    """Every value a person can change in `root`, in a comparable form."""
    values: list = []
    for widget in root.findChildren(QWidget):
        if widget.property("viewOnly"):  # e.g. a button that only shows or hides text
            continue
        if isinstance(widget, QDateTimeEdit):  # also QDateEdit
            values.append(widget.dateTime().toString(Qt.DateFormat.ISODate))
        elif isinstance(widget, QSpinBox):
            values.append(widget.value())
        elif isinstance(widget, QLineEdit):
            values.append(widget.text())
        elif isinstance(widget, QPlainTextEdit):
            values.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            values.append(widget.currentIndex())
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            values.append(widget.isChecked())
        elif isinstance(widget, QListWidget):
            values.append(tuple(widget.item(i).checkState().value for i in range(widget.count())))
    return tuple(values)


def confirm_discard(parent: QWidget, what: str = "what you typed") -> bool:
    return messages.ask(parent, "Discard changes?",
                        f"This form has changes that are not saved. Close it and lose {what}?",
                        confirm="Discard changes", cancel="Keep editing", destructive=True)


class UnsavedGuard:
    """Remembers a form's starting values; `may_close()` asks only if they changed."""

    def __init__(self, root: QWidget, what: str = "what you typed"):
        self.root, self.what = root, what
        self._clean: tuple | None = None

    def mark_clean(self) -> None:
        self._clean = form_state(self.root)

    def ensure_marked(self) -> None:
        if self._clean is None:
            self.mark_clean()

    @property
    def changed(self) -> bool:
        return self._clean is not None and form_state(self.root) != self._clean

    def may_close(self) -> bool:
        return not self.changed or confirm_discard(self.root, self.what)


class GuardedFormDialog(FormDialog):
    """A FormDialog that asks before throwing away changes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard = UnsavedGuard(self)

    def showEvent(self, event) -> None:
        self.guard.ensure_marked()  # the starting values, once the subclass has filled them
        super().showEvent(event)

    def reject(self) -> None:
        if self.busy or not self.guard.may_close():
            return
        super().reject()
