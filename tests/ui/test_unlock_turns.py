"""The unlock's slow first steps happen where the window does not wait for them (issue:
the window never freezes; tests/perf/gui_day.py measures it at 50,000 cases)."""

import importlib.abc
import sys
import threading

from tests.conftest import PASSPHRASE


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
