"""The search indexes are tidied while the window is idle (docs/security.md, "Search": the FTS
segments): one small step at a time on the worker (Operations), only when no other task has run
for IDLE_MS, so a click never waits behind more than one step. Silent when nothing is to do."""

from PySide6.QtCore import QObject, QTimer, Signal

from app.security.session import Session
from app.services.casework import search_tidy
from ui.formatting import describe_error
from ui.operations import Operations

IDLE_MS = 5_000     # after the last task: the user has stopped for a moment
NEXT_MS = 100       # between steps while there is more: any task the user starts goes first


class SearchTidy(QObject):
    said = Signal(str)      # a line for the status bar, only when a step failed

    def __init__(self, session: Session, ops: Operations, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.ops = ops
        self.active = False
        self.more = True        # anything written may have left segments to merge
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.step)
        ops.busyChanged.connect(self._busy_changed)
        ops.changed.connect(self._changed)

    def start(self) -> None:
        self.active = True
        self.timer.start(IDLE_MS)

    def stop(self) -> None:
        self.active = False
        self.timer.stop()

    def _changed(self, _topics) -> None:
        self.more = True

    def _busy_changed(self, busy: bool) -> None:
        # Our own steps are quiet (Operations.run): this is someone else's task.
        if busy:
            self.timer.stop()
        elif self.active and self.more:
            self.timer.start(IDLE_MS)

    def step(self) -> None:
        if not self.active or not self.more or self.session.locked or self.ops.busy:
            return
        session = self.session
        self.ops.run(lambda _p: search_tidy.tidy_some(session), on_done=self._done, on_error=self._failed,
                     quiet=True)

    def _done(self, more: bool) -> None:
        self.more = bool(more)
        if self.more and self.active:
            self.timer.start(NEXT_MS)

    def _failed(self, exc: Exception) -> None:
        self.more = False               # not again until something is written
        if not self.session.locked:
            self.said.emit(f"Tidying the search index did not finish; search still works. {describe_error(exc)}")
