"""The manager's no-contact rule runs by itself (docs/national.md, "Open, inactive and closed"):
when a session opens, and again whenever the day has changed while Confide stays open. It runs
on the worker (Operations), never on the GUI thread, and says in the status bar what it changed."""

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QObject, QTimer, Signal

from app.domain.counting import plural
from app.security.session import Session
from app.services.national import states
from ui.formatting import describe_error
from ui.operations import Operations

CHECK_MS = 10 * 60_000      # how often it looks whether the day has changed


class NoContactRule(QObject):
    said = Signal(str)      # a line for the status bar

    def __init__(self, session: Session, ops: Operations, parent: QObject | None = None,
                 today: Callable[[], date] = date.today):
        super().__init__(parent)
        self.session = session
        self.ops = ops
        self.today = today          # only to notice a new day: the rule dates by the service's clock
        self.swept_on = None        # the day it last ran here
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.run_if_new_day)

    def start(self) -> None:
        self.timer.start()
        self.run_if_new_day()

    def stop(self) -> None:
        self.timer.stop()

    def run_if_new_day(self) -> None:
        today = self.today()
        if self.session.locked or self.swept_on == today:
            return
        self.swept_on = today
        session = self.session

        def work(_p):
            went = states.sweep_automatically(session)
            return (went, states.inactive_after_days(session)) if went else None

        self.ops.run(work, on_done=self._done, on_error=self._failed)

    def _done(self, result) -> None:
        if not result:
            return
        went, days = result
        shown = ", ".join(went[:5]) + ("…" if len(went) > 5 else "")
        # The lists reload first; then this line replaces the bar's generic "Case saved".
        self.ops.changed.emit(frozenset({"cases"}))
        self.said.emit(f"{plural(len(went), 'case')} had no contact for {days} days and became inactive: {shown}.")

    def _failed(self, exc: Exception) -> None:
        self.swept_on = None        # try again at the next check
        if not self.session.locked:
            self.said.emit(f"The check for cases with no recent contact did not run. {describe_error(exc)}")
