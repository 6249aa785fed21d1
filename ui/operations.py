"""One way to run a change (after Anki's CollectionOp): the work runs on a worker thread so
Argon2 and file copies never freeze the window; the result comes back on the GUI thread; then
the topics that changed are broadcast and each view decides whether to reload.

Only one task runs at a time. The session's single database connection is then never used
by two threads at once, and locking can wait for the running task (see MainWindow.lock).
"""

import sys
import warnings
from collections.abc import Callable, Iterable

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

Progress = Callable[[int, str], None]
Work = Callable[[Progress], object]

# How long the worker may keep Python's lock (the GIL) once the window's thread asks for it.
# Python's default, 5 ms, is paid at every call from Qt into Python (a model's data(), a paint,
# a timer): a page's paint makes dozens, so a worker busy in Python held the window for a
# quarter of a second with almost none of its CPU (docs/architecture.md, "Locking without a
# freeze"). Only threads that ask pay for the switches: an idle window costs the worker nothing.
SWITCH_INTERVAL = 0.0005


class _Task(QObject):
    """Lives on the GUI thread, so signals emitted by the worker are queued to it."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, str)

    def __init__(self, work: Work, parent: QObject):
        super().__init__(parent)
        self._work = work

    def run(self) -> None:  # on the worker thread
        try:
            result = self._work(self.progressed.emit)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)


class Operations(QObject):
    busyChanged = Signal(bool)
    changed = Signal(object)  # frozenset of topics, e.g. {"staff"}

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._running = 0
        self._loud = 0          # running tasks that are not quiet
        self._announced = False  # busyChanged(True) was emitted and its False is owed
        self._asked = False     # someone found the worker busy with a quiet task only
        self._closed = False

    @property
    def busy(self) -> bool:
        if self._running and not self._loud:
            self._asked = True      # they may wait for busyChanged(False): it will come
        return self._running > 0

    def run(self, work: Work, *, on_done: Callable[[object], None] | None = None,
            on_error: Callable[[Exception], None] | None = None,
            on_progress: Progress | None = None, changes: Iterable[str] = (), quiet: bool = False) -> None:
        """Run `work(progress)` off the GUI thread; callbacks run on the GUI thread.
        After shutdown() nothing more is started (a late timer of a closed window asks in vain).
        A quiet task (a short step of upkeep nobody asked for: ui/search_tidy.py) makes `busy`
        true like any other, so nothing else uses the connection meanwhile, but announces
        nothing: the views would grey their buttons and redraw at every step. Its end announces
        busyChanged(False) only to someone who found the worker busy meanwhile."""
        if self._closed:
            return
        task = _Task(work, self)
        topics = frozenset(changes)
        if on_progress is not None:
            task.progressed.connect(on_progress)

        # Busy ends only after the callbacks: a lock that waited for this task must not
        # close the connection under a view that is still showing the result.
        @Slot(object)
        def succeeded(result):
            try:
                if on_done is not None and _receiver_alive(on_done):
                    on_done(result)
                if topics:
                    self.changed.emit(topics)
            finally:
                self._finish(task, quiet)

        @Slot(object)
        def failed(exc):
            try:
                if on_error is None:
                    raise exc
                if _receiver_alive(on_error):
                    on_error(exc)
            finally:
                self._finish(task, quiet)

        task.succeeded.connect(succeeded)
        task.failed.connect(failed)
        self._running += 1
        if not quiet:
            self._loud += 1
            if not self._announced:
                self._announced = True
                self.busyChanged.emit(True)
        self._pool.start(task.run)

    def _finish(self, task: _Task, quiet: bool = False) -> None:
        task.deleteLater()
        self._running -= 1
        if not quiet:
            self._loud -= 1
        if self._running == 0 and (self._announced or self._asked):
            self._announced = self._asked = False
            self.busyChanged.emit(False)

    def shutdown(self) -> None:
        """No new work; wait for the running task; forget every listener (at exit and at the
        end of each UI test, so nothing of one window reaches views that are already gone)."""
        self._closed = True
        self._pool.waitForDone()
        for signal in (self.busyChanged, self.changed):
            with warnings.catch_warnings():
                # PySide6 warns (and older versions raise) when nothing was connected.
                warnings.simplefilter("ignore", RuntimeWarning)
                try:
                    signal.disconnect()
                except (RuntimeError, TypeError):
                    pass

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker is idle (at shutdown and in test teardown)."""
        return self._pool.waitForDone(msecs)


def _receiver_alive(callback: Callable) -> bool:
    """A view closed while its task ran has lost its widgets: its callback would touch deleted
    C++ objects, so the result is dropped (the work itself is done and committed)."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)
