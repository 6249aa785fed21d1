"""What a person types and clicks, seen where it arrives: at each top-level window, before Qt
hands it to a widget. The idle lock, Ctrl+L over a dialog and Enter on a page's buttons all
listen here (ui/inactivity.py, ui/lock_key.py, ui/widgets/enter_presses.py).

Why not an event filter on the application: that filter is called, in Python, for every event
every object gets (each paint, layout, polish and child event while a page is built), and
three of them made building a page some 75% slower (docs/architecture.md, "Locking without a
freeze"). Input from the platform comes to a window first, so one filter per window sees all
of it and almost nothing else. A window is watched once it has had the focus (every window a
person types into has); a popup menu is not a window of its own for keys (Qt passes them on
from the window with the focus), only its mouse movement goes unseen.

    hub = WindowInput.instance()
    hub.listen(handler, {QEvent.Type.KeyPress})   # handler(window, event) -> True: eaten
    hub.unlisten(handler)
"""

from collections.abc import Callable, Iterable

import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QGuiApplication, QWindow

Handler = Callable[[QWindow, QEvent], bool]


class WindowInput(QObject):
    _instance: "WindowInput | None" = None

    @classmethod
    def instance(cls) -> "WindowInput":
        """The application's one hub (made with the application, gone with it)."""
        app = QGuiApplication.instance()
        hub = cls._instance
        if hub is None or hub.parent() is not app:
            hub = cls._instance = cls(app)
        return hub

    def __init__(self, app: QGuiApplication):
        super().__init__(app)
        self._handlers: list[tuple[Handler, frozenset]] = []
        self._types: frozenset = frozenset()
        app.focusWindowChanged.connect(self.watch)
        for window in app.topLevelWindows():
            self.watch(window)

    def watch(self, window: QWindow | None) -> None:
        """Qt installs a filter once however often it is asked (it moves it to the front). A
        window whose C++ side has gone (closed and deleted while its wrapper was still listed)
        is skipped: installing on it raised and cost the caller its listener."""
        if window is not None and shiboken6.isValid(window):
            window.installEventFilter(self)

    def listen(self, handler: Handler, types: Iterable[QEvent.Type]) -> None:
        self.unlisten(handler)
        self._handlers.append((handler, frozenset(types)))
        self._refresh()

    def unlisten(self, handler: Handler) -> None:
        self._handlers = [(h, t) for h, t in self._handlers if h != handler]
        self._refresh()

    def _refresh(self) -> None:
        self._types = frozenset().union(*(types for _h, types in self._handlers))
        # A window made before anyone listened (the main window, shown before unlock).
        for window in QGuiApplication.topLevelWindows():
            self.watch(window)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind not in self._types:
            return False
        for handler, types in tuple(self._handlers):
            if kind not in types:
                continue
            if not _alive(handler):     # its owner was deleted without unlistening
                self.unlisten(handler)
            elif handler(watched, event):
                return True
        return False


def _alive(handler: Handler) -> bool:
    owner = getattr(handler, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)
