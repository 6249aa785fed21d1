"""The screen-lock watcher: harmless without a session bus; locks on ActiveChanged(true)."""

import pytest

from ui.screen_lock import ScreenLockWatcher


def test_without_a_bus_it_stays_quiet(qtbot):
    watcher = ScreenLockWatcher()
    with qtbot.assertNotEmitted(watcher.screenLocked):
        watcher._active_changed(False)
    with qtbot.waitSignal(watcher.screenLocked, timeout=500):
        watcher._active_changed(True)


def test_a_real_screensaver_signal_is_heard(qtbot):
    from PySide6.QtDBus import QDBusConnection, QDBusMessage

    watcher = ScreenLockWatcher()
    if not watcher.listening:
        pytest.skip("no D-Bus session bus here (run under dbus-run-session to include this)")
    message = QDBusMessage.createSignal("/org/freedesktop/ScreenSaver",
                                        "org.freedesktop.ScreenSaver", "ActiveChanged")
    message.setArguments([True])
    with qtbot.waitSignal(watcher.screenLocked, timeout=3000):
        assert QDBusConnection.sessionBus().send(message)
