"""Enter presses the focused button on a page, as Space does. Qt gives Enter to a button only
when it is a dialog's auto-default one; on the workspace's pages (ui/widgets/page.py
button_row) buttons are never default, so Enter on a focused one did nothing at all."""

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QPushButton, QToolButton, QWidget

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class EnterPressesButtons(QObject):
    """Installed on the application for the lifetime of `scope` (its parent); acts only on
    buttons inside `scope` and not inside a dialog (dialogs decide Enter themselves)."""

    def __init__(self, scope: QWidget):
        super().__init__(scope)
        self.scope = scope
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.KeyPress and event.key() in ENTER_KEYS
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
                and isinstance(watched, (QPushButton, QToolButton)) and watched.hasFocus() and watched.isEnabled()
                and self.scope.isAncestorOf(watched) and not self._in_dialog(watched)):
            watched.animateClick()
            return True
        return False

    def _in_dialog(self, widget: QWidget) -> bool:
        window = widget.window()
        return isinstance(window, QDialog) and window is not self.scope.window()
