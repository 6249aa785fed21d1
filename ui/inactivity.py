"""The idle lock as its own small object (after KeePassXC's InactivityTimer): every keyboard
or mouse event a window gets restarts a single-shot timer (ui/window_input.py: input is seen
where it arrives, not through a filter on every event of the application), and
`inactivityDetected` fires when it runs out. The main window decides what locking means.
"""

import sys

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from ui.window_input import WindowInput

# Input a person makes; paint, timer and focus events must not keep Confide unlocked.
_ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease,
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove,
    QEvent.Type.HoverEnter, QEvent.Type.HoverLeave, QEvent.Type.HoverMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})


def create_all_type_wrappers() -> None:
    """PySide6 builds a type's Python wrapper the first time it is needed. Building one from
    inside an application-wide event filter, or inside a virtual override such as showEvent,
    can crash the process (shiboken's lazy type creation is not re-entrant), so build every
    loaded Qt module's wrappers first (~0.1 s; each module once)."""
    for name, module in list(sys.modules.items()):
        if name.startswith("PySide6.Qt") and module is not None and name not in _wrapped:
            for attribute in dir(module):
                getattr(module, attribute, None)
            _wrapped.add(name)


_wrapped: set[str] = set()

# What the overrides of the first window receive (showEvent, resizeEvent, sizeHint ...): built
# before it is shown, in a millisecond, while the rest waits until it is on screen.
_FIRST_WINDOW_TYPES = ("QSize", "QSizeF", "QPoint", "QPointF", "QRect", "QRectF", "QMargins")


def create_event_type_wrappers() -> None:
    """The event and geometry types of the loaded Qt modules only: the same protection as
    create_all_type_wrappers for the overrides the first window runs while it is shown, at a
    hundredth of its cost (docs/performance.md, "Wall clock from start to window shown")."""
    for name, module in list(sys.modules.items()):
        if name.startswith("PySide6.Qt") and module is not None and name not in _wrapped:
            for attribute in dir(module):
                if attribute.endswith("Event") or attribute in _FIRST_WINDOW_TYPES:
                    getattr(module, attribute, None)


class InactivityTimer(QObject):
    inactivityDetected = Signal()

    def __init__(self, parent: QObject | None = None, timer: QTimer | None = None):
        """`timer`: tests pass one they run by hand (start/stop/setInterval/interval,
        setSingleShot and a timeout signal), so no test depends on real time passing."""
        super().__init__(parent)
        self._timer = timer if timer is not None else QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timed_out)
        self._active = False
        self._emitting = False

    @property
    def active(self) -> bool:
        return self._active

    def set_timeout(self, msecs: int) -> None:
        self._timer.setInterval(max(1, int(msecs)))
        if self._active:
            self._timer.start()

    def timeout(self) -> int:
        return self._timer.interval()

    def activate(self) -> None:
        if self._active:
            return
        create_all_type_wrappers()
        WindowInput.instance().listen(self._input, _ACTIVITY)
        self._active = True
        self._timer.start()

    def deactivate(self) -> None:
        if not self._active:
            return
        WindowInput.instance().unlisten(self._input)
        self._active = False
        self._timer.stop()

    def _input(self, _window, _event) -> bool:
        if self._active:
            self._timer.start()
        return False

    def _timed_out(self) -> None:
        # A slot that opens a dialog could spin a nested event loop and time out again.
        if self._emitting or not self._active:
            return
        self._emitting = True
        try:
            self.inactivityDetected.emit()
        finally:
            self._emitting = False
