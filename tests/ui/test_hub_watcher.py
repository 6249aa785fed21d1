"""The sync item's hub watcher never emits from a deleted object: a change the hub reported
while the window was stopping the watcher (or deleting it with the sync item) used to end its
thread with "Signal source has been deleted"."""

import threading

import pytest
import shiboken6
from PySide6.QtCore import QObject

from ui.team import sync_status


class _SlowHub:
    """Reports a change at once; its head() (what the watcher reads before emitting) waits
    until the test lets it go, which is where the window stopped or deleted the watcher."""

    def __init__(self):
        self.reading, self.go_on = threading.Event(), threading.Event()

    def wait_for_change(self, _timeout: float) -> bool:
        return True

    def head(self) -> int:
        self.reading.set()
        assert self.go_on.wait(10)
        return 1

    def close(self) -> None:
        pass


@pytest.fixture
def thread_errors(monkeypatch):
    """What ends a thread with an exception (Python prints it as a warning and goes on)."""
    errors = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    return errors


@pytest.mark.parametrize("how", ["stopped, then deleted", "deleted with its parent"])
def test_a_change_found_while_the_watcher_goes_is_never_emitted_from_a_deleted_object(
        qtbot, monkeypatch, thread_errors, how):
    hub = _SlowHub()
    monkeypatch.setattr(sync_status.membership, "open_watch_hub", lambda _location, _team: hub)
    owner = QObject()
    watcher = sync_status.HubWatcher("/nowhere", "team", owner)
    emitted = []
    watcher.changed.connect(lambda: emitted.append(1))
    thread = watcher._thread
    watcher.start()
    assert hub.reading.wait(10)
    if how == "stopped, then deleted":
        watcher.stop()
    shiboken6.delete(owner)         # the sync item goes, and its watcher with it
    assert not shiboken6.isValid(watcher)
    hub.go_on.set()
    thread.join(10)
    assert not thread.is_alive()
    assert thread_errors == []
    assert emitted == []


def test_a_running_watcher_still_emits_each_change(qtbot, monkeypatch):
    hub = _SlowHub()
    hub.go_on.set()
    monkeypatch.setattr(sync_status.membership, "open_watch_hub", lambda _location, _team: hub)
    watcher = sync_status.HubWatcher("/nowhere", "team")
    emitted = []
    watcher.changed.connect(lambda: emitted.append(1))
    watcher.start()
    try:
        qtbot.waitUntil(lambda: len(emitted) >= 2, timeout=5000)
    finally:
        watcher.stop()
        watcher._thread.join(10)
