"""The unlock's slow first steps happen where the window does not wait for them (issue:
the window never freezes; tests/perf/gui_day.py measures it at 50,000 cases)."""

import gc
import importlib.abc
import sys
import threading

from tests.conftest import PASSPHRASE
from ui.main_window import MainWindow


class _ImportWatcher(importlib.abc.MetaPathFinder):
    """Notes the thread that imports `name`, and lets the usual finders find it."""

    def __init__(self, name: str):
        self.name, self.threads = name, []

    def find_spec(self, fullname, path, target=None):
        if fullname == self.name:
            self.threads.append(threading.get_ident())
        return None


def test_the_workspaces_code_is_loaded_on_the_worker_during_the_unlock(qtbot, window, monkeypatch):
    # Failed before: the workspace's modules (every screen) were imported in the window's one
    # event-loop turn that builds the workspace, about 1 s at the first unlock of a loaded
    # machine, the window standing still. As at a first unlock, the module is not loaded yet.
    monkeypatch.delitem(sys.modules, "ui.workspace", raising=False)
    watcher = _ImportWatcher("ui.workspace")
    monkeypatch.setattr(sys, "meta_path", [watcher, *sys.meta_path])
    view = window.unlock_view
    view.username.setText("manager")
    view.passphrase.setText(PASSPHRASE)
    view.unlock_button.click()
    # Loading every screen's module takes seconds on a loaded test machine.
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=60000)
    assert watcher.threads and threading.get_ident() not in watcher.threads


def test_the_bank_holiday_calendar_is_loaded_by_the_unlocks_task(qtbot, window, monkeypatch):
    # Failed before: the bank-holiday library loads all of its ~250 country modules the first
    # time a deadline is worked out; the dashboard's read on the worker did it, holding
    # Python's lock while the window waited (gui_day at 50,000 cases: a 276 ms stall with 2 ms of
    # the window's CPU). Now it happens in the unlock's task, before the workspace is built.
    monkeypatch.delitem(sys.modules, "holidays.countries", raising=False)
    seen = []

    class Watcher(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path, target=None):
            if fullname == "holidays.countries":
                seen.append((threading.get_ident(), window.workspace is None))
            return None
    monkeypatch.setattr(sys, "meta_path", [Watcher(), *sys.meta_path])
    view = window.unlock_view
    view.username.setText("manager")
    view.passphrase.setText(PASSPHRASE)
    view.unlock_button.click()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=60000)
    assert seen and seen[0][1], "loaded before the workspace was built"
    assert seen[0][0] != threading.get_ident()


def test_what_the_unlock_loaded_is_left_out_of_full_garbage_collections(qtbot, window):
    # Failed before: a full collection walked every object of every module loaded (~140,000 in
    # the window's process, 0.25 s holding Python's lock), whenever the worker's reads had made
    # enough new objects; gui_day at 50,000 cases had stalls of ~200 ms with 5 ms of the
    # window's CPU (the Retention page, the check-in). Now what is loaded by the unlock's task
    # is frozen (gc.freeze), and a full collection walks only what came later.
    view = window.unlock_view
    view.username.setText("manager")
    view.passphrase.setText(PASSPHRASE)
    view.unlock_button.click()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=60000)
    assert gc.get_freeze_count() > 100_000
    # Loaded long before (the window's own class): not walked by a collection any more.
    assert not any(o is MainWindow for o in gc.get_objects())
