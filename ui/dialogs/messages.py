"""Every message box goes through here, so tests can script the answer instead of hunting
for buttons (after KeePassXC's MessageBox::setNextAnswer).

    messages.set_next_answer(True)   # the next ask() returns True without showing a box
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

_next_answers: list[bool] = []
last_shown: tuple[str, str] | None = None  # (title, text) of the latest box, for tests


def set_next_answer(answer: bool) -> None:
    _next_answers.append(bool(answer))


def clear_answers() -> None:
    _next_answers.clear()


def _exec(box: QMessageBox) -> None:
    """Tests replace this to fail loudly on a box nobody scripted."""
    box.exec()


def _show(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
          confirm: str | None, cancel: str | None, destructive: bool) -> bool:
    global last_shown
    last_shown = (title, text)
    if _next_answers:
        return _next_answers.pop(0)
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    yes = box.addButton(confirm or "OK", QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(cancel, QMessageBox.ButtonRole.RejectRole) if cancel else None
    # A destructive question defaults to the safe answer, so Enter never destroys.
    box.setDefaultButton(no if destructive and no else yes)
    box.setEscapeButton(no or yes)
    _exec(box)
    return box.clickedButton() is yes


def ask(parent: QWidget | None, title: str, text: str, *, confirm: str = "OK",
        cancel: str = "Cancel", destructive: bool = False) -> bool:
    return _show(parent, QMessageBox.Icon.Question, title, text, confirm, cancel, destructive)


def inform(parent: QWidget | None, title: str, text: str) -> None:
    _show(parent, QMessageBox.Icon.Information, title, text, None, None, False)


def warn(parent: QWidget | None, title: str, text: str) -> None:
    _show(parent, QMessageBox.Icon.Warning, title, text, None, None, False)
