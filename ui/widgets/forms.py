"""Small helpers every form uses: labelled text, and errors shown beside the field at fault."""

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from app.errors import ValidationError
from ui.accessibility import announce, describe_problem
from ui.formatting import describe_error


def restyle(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property used by a selector changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def text_label(text: str = "", kind: str = "", parent: QWidget | None = None) -> QLabel:
    """kind: heading, subheading, hint, error, alert, notice, success, warning
    (the selectors in resources/style.qss)."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if kind:
        label.setProperty("kind", kind)
    return label


def line_edit(accessible_name: str, *, secret: bool = False, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(accessible_name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        # Password mode already refuses copying; these hints keep input methods from
        # suggesting or remembering what was typed.
        edit.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
    return edit


def text_box(accessible_name: str, height: int = 110, text: str = "") -> QPlainTextEdit:
    """Several lines of text in a form; Tab leaves it (a tab character is never wanted)."""
    box = QPlainTextEdit(text)
    box.setAccessibleName(accessible_name)
    box.setTabChangesFocus(True)
    box.setMinimumHeight(height)
    return box


def error_line(name: str = "Error") -> QLabel:
    """The one line under a form that says what is wrong, in plain words (hidden when empty)."""
    label = text_label("", "error")
    label.setAccessibleName(name)
    label.hide()
    return label


def show_error(label: QLabel, exc: BaseException) -> None:
    """The error line says what went wrong, in plain words."""
    label.setText(describe_error(exc))
    label.show()


class FieldErrors:
    """Maps a ValidationError's `field` to the input it names; the rest goes to `general`."""

    def __init__(self, general: QLabel, on_change: Callable[[], None] | None = None):
        self.general = general
        self.on_change = on_change or (lambda: None)
        self.general.hide()
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}
        self._routes: dict[type, str] = {}

    def block(self, name: str, widget: QWidget) -> QWidget:
        """The input with its own error line underneath, ready for a QFormLayout row."""
        error = text_label("", "error")
        error.hide()
        error.setAccessibleName(f"{widget.accessibleName()} error")
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        self._fields[name] = (widget, error)
        return holder

    def row(self, form: QFormLayout, label: str, name: str, widget: QWidget) -> QWidget:
        """Add `label` and the input (with its error line) as one row of `form`."""
        holder = self.block(name, widget)
        form.addRow(label, holder)
        # The label's mnemonic and screen readers must reach the input, not its holder.
        form.labelForField(holder).setBuddy(widget)
        return holder

    def has(self, name: str) -> bool:
        return name in self._fields

    def forget(self, name: str) -> None:
        """The input was removed from the form (fields that change with a choice)."""
        self._fields.pop(name, None)

    def clear(self) -> None:
        self.general.clear()
        self.general.hide()
        for widget, error in self._fields.values():
            error.clear()
            error.hide()
            describe_problem(widget, None)
            if widget.property("invalid"):
                widget.setProperty("invalid", False)
                restyle(widget)

    def clear_field(self, name: str) -> None:
        """The person fixed what one field's error asked for (e.g. signed the empty box)."""
        if name in self._fields:
            widget, error = self._fields[name]
            error.clear()
            error.hide()
            describe_problem(widget, None)
            if widget.property("invalid"):
                widget.setProperty("invalid", False)
                restyle(widget)

    def set(self, name: str | None, message: str) -> None:
        if name in self._fields:
            widget, error = self._fields[name]
            error.setText(message)
            error.show()
            widget.setProperty("invalid", True)
            restyle(widget)
            describe_problem(widget, message)  # read out with the field when the focus lands on it
            widget.setFocus()
        else:
            self.general.setText(message)
            self.general.show()
            announce(self.general, message)
        self.on_change()

    def route(self, error_type: type, name: str) -> None:
        """Show errors of this type beside `name` (e.g. WrongCredentials -> 'current')."""
        self._routes[error_type] = name

    def show(self, exc: BaseException) -> None:
        field = exc.field if isinstance(exc, ValidationError) else None
        for error_type, name in self._routes.items():
            if field is None and isinstance(exc, error_type):
                field = name
        self.set(field, describe_error(exc))
