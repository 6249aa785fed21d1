"""Ctrl+L locks even while a dialog is open. A window's shortcut does not reach it past a
modal dialog (Qt blocks shortcuts of windows behind one), so the key is watched where it
arrives, at the window with the focus (ui/window_input.py), while any modal dialog is up."""

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from ui.inactivity import create_all_type_wrappers
from ui.window_input import WindowInput


class LockKey(QObject):
    pressed = Signal()

    def __init__(self, parent: QObject | None = None):
        """Listens from `listen()`: the main window calls it once it is on screen (no dialog can
        be open before), so that the type wrappers it builds first do not delay the window."""
        super().__init__(parent)

    def listen(self) -> None:
        create_all_type_wrappers()  # see ui/inactivity.py: before any filter of the application's
        WindowInput.instance().listen(self._key, {QEvent.Type.KeyPress})

    def _key(self, _window, event: QEvent) -> bool:
        if (event.key() == Qt.Key.Key_L and event.modifiers() == Qt.KeyboardModifier.ControlModifier
                and QApplication.activeModalWidget() is not None):
            self.pressed.emit()
            return True
        return False

    def remove(self) -> None:
        WindowInput.instance().unlisten(self._key)
