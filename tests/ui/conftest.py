"""UI tests: one Operations per test (its worker is drained at teardown), message boxes and
file choosers that fail the test unless scripted, and a main window factory."""

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from ui import theme
from ui.dialogs import files, messages
from ui.operations import Operations


@pytest.fixture(autouse=True)
def no_window_outlives_its_test(qapp):
    """Close every window a test left open and deliver pending deletes, so no timer or queued
    signal of one test's widgets fires inside the next test."""
    yield
    for widget in QApplication.topLevelWidgets():
        # hide(), not close(): a closeEvent could ask about unsaved text with no one to answer.
        widget.hide()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    # Collect this test's Python-side cycles now, while no worker thread runs: left to a later
    # test, the collector frees these wrappers inside that test's event loop, with its worker
    # busy, and PySide6 has crashed there (a segfault, or "Slot 'Casework::' not found").
    gc.collect()


@pytest.fixture(autouse=True)
def theme_as_it_was(qapp):
    """A test that shows a theme or a text size leaves the next test the standard look: the
    colours painted from Python follow `theme.shown`, so a high-contrast test that restored
    only `theme.current` left the staff register painting every reminder cell white."""
    before = (theme.current, list(theme.shown), qapp.font(), qapp.palette(), qapp.styleSheet())
    yield
    theme.current, theme.shown[:] = before[0], before[1]
    qapp.setFont(before[2])
    qapp.setPalette(before[3])
    qapp.setStyleSheet(before[4])


@pytest.fixture(autouse=True)
def scripted_dialogs(monkeypatch):
    def unexpected(box):
        raise AssertionError(f"unexpected message box: {box.windowTitle()!r}: {box.text()!r}")

    monkeypatch.setattr(messages, "_exec", unexpected)
    messages.clear_answers()
    files.clear_paths()
    yield
    leftover = list(messages._next_answers), list(files._next_paths)
    messages.clear_answers()
    files.clear_paths()
    assert leftover == ([], []), f"scripted answers never used: {leftover}"


@pytest.fixture
def ops(qtbot, request):
    if "vault" in request.fixturenames:
        # Set up after the vault, so torn down before it: the vault's teardown locks the session
        # from this thread, which must not close the database under a task still reading it (a
        # Home read left running crashed the worker's process).
        request.getfixturevalue("vault")
    operations = Operations()
    yield operations
    operations.wait()
    # Deliver results still queued, so none of them lands in the next test.
    QApplication.processEvents()
    operations.shutdown()


@pytest.fixture
def window(qtbot, ops, data_dir, vault):
    """The main window over a fresh vault, locked, showing the unlock screen."""
    from ui.main_window import MainWindow

    vault[0].lock("test")
    main = MainWindow(data_dir, None, ops)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


def unlock(qtbot, main, username="manager", passphrase=None):
    from tests.conftest import PASSPHRASE

    view = main.unlock_view
    # A lock closes the database on the worker; the unlock screen takes nothing until then.
    qtbot.waitUntil(lambda: not main.ops.busy, timeout=5000)
    view.username.setText(username)
    view.passphrase.setText(passphrase or PASSPHRASE)
    view.unlock_button.click()
    # A process's first unlock also loads every screen's module: seconds on a loaded machine.
    qtbot.waitUntil(lambda: not main.ops.busy, timeout=30000)
    return main.session


@pytest.fixture
def unlocked(qtbot, window):
    """The main window signed in as the vault's manager."""
    unlock(qtbot, window)
    assert not window.locked
    return window
