"""PySide6's type wrappers (ui/inactivity.py: one built first inside an override or a filter
has crashed PySide6) are built once the unlock window is on screen, not before it (launch
< 1 s), and still before any dialog can open or Ctrl+L can be heard."""

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from ui import application, inactivity, main_window
from ui.dialogs.form_dialog import FormDialog


def _qt_modules() -> set[str]:
    return {name for name, module in sys.modules.items() if name.startswith("PySide6.Qt") and module is not None}


class _Form(FormDialog):
    def __init__(self, parent=None):
        super().__init__(None, "A form", parent=parent)
        self.form.addRow("Name", QLineEdit())

    def submit(self) -> None:
        self.accept()


def test_the_unlock_window_builds_every_type_wrapper_in_its_first_turn_on_screen(qtbot, vault, data_dir, monkeypatch):
    vault[0].lock()
    monkeypatch.setattr(inactivity, "_wrapped", set())   # as in a new process
    exposed_when_built = []
    build = main_window.create_all_type_wrappers

    def built() -> None:
        exposed_when_built.append(started.window.windowHandle().isExposed())
        build()
    monkeypatch.setattr(main_window, "create_all_type_wrappers", built)

    started = application.start(data_dir, None)
    qtbot.addWidget(started.window)
    # Shown, with none of them built yet: the 0.2 s they cost is not before the window.
    assert started.window.isVisible() and not inactivity._wrapped and not started.window.ready_for_dialogs
    qtbot.waitUntil(lambda: started.window.ready_for_dialogs, timeout=5000)
    assert exposed_when_built == [True]
    assert _qt_modules() <= inactivity._wrapped

    # The guard holds for what comes next: a modal form opened now, and Ctrl+L heard over it.
    locked = []
    started.window.lock_key.pressed.connect(lambda: locked.append(1))
    dialog = _Form(parent=started.window)
    dialog.open()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    qtbot.keyClick(dialog.windowHandle(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert locked == [1]
    dialog.reject()
    started.ops.wait()


def test_a_form_opened_before_the_windows_first_turn_builds_them_itself(qtbot, monkeypatch):
    monkeypatch.setattr(inactivity, "_wrapped", set())
    dialog = _Form()
    qtbot.addWidget(dialog)
    assert _qt_modules() <= inactivity._wrapped   # before its showEvent can run
