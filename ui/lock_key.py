"""Ctrl+L locks even while a dialog is open. A window's shortcut does not reach it past a
modal dialog (Qt blocks shortcuts of windows behind one), so an event filter on the
application watches for the key while any modal dialog is up."""

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from ui.inactivity import create_all_type_wrappers


class LockKey(QObject):
    pressed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        create_all_type_wrappers()  # see ui/inactivity.py: before any application-wide filter
        QCoreApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_L
                and event.modifiers() == Qt.KeyboardModifier.ControlModifier
                and QApplication.activeModalWidget() is not None):
            self.pressed.emit()
            return True
        return False

    def remove(self) -> None:
        QCoreApplication.instance().removeEventFilter(self)
