"""Opening a dialog from a screen: window-modal, not blocking, and returned so that tests can
work it."""

from typing import TypeVar

from PySide6.QtWidgets import QDialog

D = TypeVar("D", bound=QDialog)


def open_dialog(dialog: D, *, delete_when_closed: bool = False) -> D:
    if delete_when_closed:
        dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
