"""Every top-level window fits a 1366x768 laptop (less a 40 px panel) with its default and
cancel buttons in sight, and every page of the workspace fits the main window there. The
list of windows is discovered from ui/ (tests/ui/window_world.py), not kept by hand."""

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QPushButton, QWizard

from tests.ui.window_world import RECIPES, World, top_level_classes
from ui.clipboard import SecretClipboard
from ui.dialogs.form_dialog import FormDialog
from ui.widgets import screen_fit

LAPTOP = QRect(0, 0, 1366, 768 - 40)


def test_every_top_level_window_has_a_recipe():
    assert set(top_level_classes()) == set(RECIPES)


def _buttons(window) -> tuple[QPushButton | None, QPushButton | None]:
    if isinstance(window, QWizard):
        return window.button(QWizard.WizardButton.NextButton), window.button(QWizard.WizardButton.CancelButton)
    default = next((b for b in window.findChildren(QPushButton) if b.isDefault() and b.isVisible()), None)
    cancel = None
    for box in window.findChildren(QDialogButtonBox):
        for button in box.buttons():
            if box.buttonRole(button) == QDialogButtonBox.ButtonRole.RejectRole and button.isVisible():
                cancel = button
    return default, cancel


def _in_sight(window, button) -> bool:
    top_left = button.mapTo(window, QPoint(0, 0))
    return button.isVisible() and window.rect().contains(QRect(top_left, button.size()))


def _problems(window) -> list[str]:
    found = []
    if not screen_fit.fits(window) or window.height() + screen_fit.FRAME_HEIGHT > LAPTOP.height():
        found.append(f"{window.width()}x{window.height()} does not fit {LAPTOP.width()}x{LAPTOP.height()}")
    if isinstance(window, FormDialog) and window.preferred_size is None:
        # A form that had room to show everything must not make anyone scroll for it.
        clamped = window.height() + screen_fit.FRAME_HEIGHT >= LAPTOP.height()
        if window.scroll.verticalScrollBar().isVisible() and not clamped:
            found.append(f"scrolls at {window.width()}x{window.height()} with room to grow")
    if isinstance(window, QDialog):
        default, cancel = _buttons(window)
        if isinstance(window, QWizard) or window.findChildren(QDialogButtonBox):
            if cancel is None or not _in_sight(window, cancel):
                found.append("no cancel or close button in sight")
        if default is not None and not _in_sight(window, default):
            found.append(f"default button {default.text()!r} out of sight")
    return found


def test_every_window_fits_a_1366x768_laptop(qtbot, session, ops, data_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(screen_fit, "forced_area", LAPTOP)
    world = World(session, ops, data_dir, tmp_path, SecretClipboard())
    problems = {}
    for name, recipe in RECIPES.items():
        window = recipe(world)
        qtbot.addWidget(window, before_close_func=lambda w: getattr(w, "guard", None) and w.guard.mark_clean())
        window.show()
        qtbot.waitExposed(window)
        QApplication.processEvents()  # the scroll bars settle after the first layout pass
        found = _problems(window)
        if name == "ui.main_window.MainWindow":
            window.open_session(session)
            for page, view in window.workspace.pages.items():
                window.workspace.show_page(page)
                need = view.minimumSizeHint()
                room = window.workspace.stack.size()
                if need.height() > room.height() or need.width() > room.width():
                    found.append(f"page {page} needs {need.width()}x{need.height()}, has "
                                 f"{room.width()}x{room.height()}")
            window.workspace.clear()
        if found:
            problems[name] = found
        if hasattr(window, "guard"):
            window.guard.mark_clean()
        window.hide()
    assert problems == {}
