"""Lock Confide when the OS locks the screen, where Qt can see it.

On Linux desktops the screensaver announces `ActiveChanged(true)` on the session D-Bus
(freedesktop, GNOME, KDE, Cinnamon, MATE). Elsewhere, or without a session bus or QtDBus,
this watcher simply never fires: the idle timer and Ctrl+L still lock.
"""

from PySide6.QtCore import QObject, Signal, Slot

_SCREENSAVERS = (
    ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
    ("/org/cinnamon/ScreenSaver", "org.cinnamon.ScreenSaver"),
    ("/org/mate/ScreenSaver", "org.mate.ScreenSaver"),
)


class ScreenLockWatcher(QObject):
    screenLocked = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.listening = self._listen()

    def _listen(self) -> bool:
        try:
            from PySide6.QtCore import SLOT
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return False
        try:
            bus = QDBusConnection.sessionBus()
            if not bus.isConnected():
                return False
            results = [bus.connect("", path, interface, "ActiveChanged", self,
                                   SLOT("_active_changed(bool)"))
                       for path, interface in _SCREENSAVERS]
        except Exception:  # noqa: BLE001 - a missing desktop service must never stop Confide
            return False
        return any(results)

    @Slot(bool)
    def _active_changed(self, active: bool) -> None:
        if active:
            self.screenLocked.emit()
