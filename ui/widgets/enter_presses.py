"""Enter presses the focused button on a page, as Space does. Qt gives Enter to a button only
when it is a dialog's auto-default one; on the workspace's pages (ui/widgets/page.py
button_row) buttons are never default, so Enter on a focused one did nothing at all."""

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QPushButton, QToolButton, QWidget

from ui.window_input import WindowInput

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class EnterPressesButtons(QObject):
    """Listens to the keys windows get (ui/window_input.py) for the lifetime of `scope` (its
    parent); acts only on the focused button, inside `scope` and not inside a dialog (dialogs
    decide Enter themselves)."""

    def __init__(self, scope: QWidget):
        super().__init__(scope)
        self.scope = scope
        hub = WindowInput.instance()
        hub.listen(self._key, {QEvent.Type.KeyPress})
        self.destroyed.connect(lambda *_a, hub=hub, key=self._key: hub.unlisten(key))

    def _key(self, _window, event: QEvent) -> bool:
        if event.key() not in ENTER_KEYS or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        button = QApplication.focusWidget()
        if (isinstance(button, (QPushButton, QToolButton)) and button.isEnabled()
                and self.scope.isAncestorOf(button) and not self._in_dialog(button)):
            button.animateClick()
            return True
        return False

    def _in_dialog(self, widget: QWidget) -> bool:
        window = widget.window()
        return isinstance(window, QDialog) and window is not self.scope.window()
