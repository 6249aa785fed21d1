"""Nothing typed is lost by accident: a form that was changed asks before it closes on
Cancel, Escape or the window's close button. (Locking closes it without asking: the lock
must never wait for an answer; what was typed is kept as a draft instead, see ui/drafts.py.)"""

from PySide6.QtCore import QDateTime, Qt
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
from ui.widgets.signature_pad import SignaturePad


def _value(widget: QWidget):
    """The value a person can change in `widget`, or None if it holds none."""
    if widget.property("viewOnly"):  # e.g. a button that only shows or hides text
        return None
    if isinstance(widget, SignaturePad):
        return widget.form_value()
    if isinstance(widget, QDateTimeEdit):  # also QDateEdit
        return widget.dateTime().toString(Qt.DateFormat.ISODate)
    if isinstance(widget, QSpinBox):
        return widget.value()
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentIndex()
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return widget.isChecked()
    if isinstance(widget, QListWidget):
        return tuple(widget.item(i).checkState().value for i in range(widget.count()))
    return None


def form_state(root: QWidget) -> tuple:
    """Every value a person can change in `root`, in a comparable form."""
    return tuple(value for widget in root.findChildren(QWidget)
                 if (value := _value(widget)) is not None)


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


# --- drafts: the values a form holds, by a key that survives rebuilding the form ----------
def _key(widget: QWidget, seen: dict[str, int]) -> str:
    base = f"{type(widget).__name__}/{widget.accessibleName() or widget.objectName()}"
    seen[base] = seen.get(base, 0) + 1
    return f"{base}#{seen[base]}"


def form_values(root: QWidget) -> dict[str, object]:
    """What a person typed or chose in `root`, as JSON-ready values. The signature pad is
    left out on purpose (see SignaturePad.form_value)."""
    values: dict[str, object] = {}
    seen: dict[str, int] = {}
    for widget in root.findChildren(QWidget):
        value = _value(widget)
        if value is None or isinstance(widget, SignaturePad):
            continue
        values[_key(widget, seen)] = list(value) if isinstance(value, tuple) else value
    return values


def apply_values(root: QWidget, values: dict[str, object]) -> int:
    """Put `values` (from form_values on the same kind of form) back; returns how many.
    Choices go first, since choosing can fill text fields (a name, a date) that the draft
    then overwrites with what was really typed."""
    seen: dict[str, int] = {}
    keyed = [(_key(w, seen), w) for w in root.findChildren(QWidget)
             if _value(w) is not None and not isinstance(w, SignaturePad)]
    restored = 0
    for choices_first in (True, False):
        for key, widget in keyed:
            if key not in values:
                continue
            is_choice = isinstance(widget, QComboBox | QAbstractButton | QListWidget)
            if is_choice != choices_first:
                continue
            restored += _apply(widget, values[key])
    return restored


def _apply(widget: QWidget, value) -> int:
    if isinstance(widget, QDateTimeEdit) and isinstance(value, str):
        widget.setDateTime(QDateTime.fromString(value, Qt.DateFormat.ISODate))
    elif isinstance(widget, QSpinBox) and isinstance(value, int):
        widget.setValue(value)
    elif isinstance(widget, QLineEdit) and isinstance(value, str):
        widget.setText(value)
    elif isinstance(widget, QPlainTextEdit) and isinstance(value, str):
        widget.setPlainText(value)
    elif isinstance(widget, QComboBox) and isinstance(value, int) and 0 <= value < widget.count():
        widget.setCurrentIndex(value)
    elif isinstance(widget, QAbstractButton) and isinstance(value, bool):
        widget.setChecked(value)
    elif isinstance(widget, QListWidget) and isinstance(value, list) and len(value) == widget.count():
        for i, state in enumerate(value):
            widget.item(i).setCheckState(Qt.CheckState(state))
    else:
        return 0
    return 1
