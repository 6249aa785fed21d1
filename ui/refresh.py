"""When a manager's view reloads: after a change to a topic it shows, but only once it is on
screen and no task is using the session's connection.

Operations broadcasts `changed` while its task is still counted as running, and another
task may already have started on the worker; reading the database then would share the
connection between two threads. So a change only marks the view stale, and the reload
happens when the worker is idle (busyChanged False) or the view is next shown.

With `fetch`, the reading itself runs on the worker (a list over the whole service can take
seconds at 50,000 cases) and `reload` gets what it returned, on the window's thread: the
window never waits for the database (docs/architecture.md, "Locking without a freeze").

With `first_load_later`, a page's first load on its first show waits for the next turn of the
event loop: the page's frame (built, polished, laid out and painted) is one turn and its rows
another, where both in one held the window over 100 ms (a register read and filled on the
window's thread). A load asked for meanwhile (`try_now`, e.g. opening the page at a record)
happens at once, as without it.
"""

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from app.security.session import Session
from ui.operations import Operations


class Refresher(QObject):
    def __init__(self, view: QWidget, session: Session, ops: Operations, topics: Iterable[str],
                 reload: Callable[..., None], fetch: Callable[[], object] | None = None,
                 failed: Callable[[Exception], None] | None = None, first_load_later: bool = False):
        super().__init__(view)
        self._later = first_load_later      # until the first show has been seen
        self._fetch, self._failed = fetch, failed
        self.view, self.session, self.ops = view, session, ops
        self.topics = frozenset(topics)
        self._reload = reload
        self.stale = True  # nothing shown yet: the first show loads
        ops.changed.connect(self._changed)
        ops.busyChanged.connect(self._busy_changed)
        view.installEventFilter(self)

    def mark_stale(self) -> None:
        self.stale = True
        self.try_now()

    def try_now(self) -> bool:
        """Reload if stale and it is safe and useful to; returns whether it reloaded."""
        if not self.stale or self.session.locked or self.ops.busy or not self.view.isVisible():
            return False
        self.stale = False
        if self._fetch is None:
            self._reload()
        else:
            self.ops.run(lambda _p, fetch=self._fetch: fetch(), on_done=self._fetched, on_error=self._fetch_failed)
        return True

    def _fetched(self, result) -> None:
        if not self.session.locked:
            self._reload(result)

    def _fetch_failed(self, exc: Exception) -> None:
        if not self.session.locked and self._failed is not None:
            self._failed(exc)

    def _changed(self, topics) -> None:
        if topics & self.topics:
            self.mark_stale()

    def _busy_changed(self, busy: bool) -> None:
        if not busy:
            self.try_now()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        # getattr: Qt may still call a filter whose Python side is being torn down.
        if event.type() == QEvent.Type.Show and watched is getattr(self, "view", None):
            if getattr(self, "_later", False):
                self._later = False
                # A timer of 1 ms, not 0: it fires after the paint the show has posted.
                QTimer.singleShot(1, self, self.try_now)
            else:
                self.try_now()
        return False
