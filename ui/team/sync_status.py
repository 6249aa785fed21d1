"""The status bar's sync item and when sync runs: on unlock, every few minutes, when the hub
says something changed, and on the Sync button (Ctrl+Shift+S).

Sync itself runs through Operations (one task at a time on the worker thread, so it never
shares the connection with another task). Waiting for the hub (Hub.wait_for_change: LISTEN
on PostgreSQL, a short poll on a folder) happens on a thread of its own with its own hub
object: the GUI thread never blocks on the network.
"""

import threading
from datetime import date

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from app.domain.counting import plural
from app.domain.role_matrix import reads_casework
from app.errors import ConfideError
from app.security.session import Session
from app.services.team import membership, pending, search_build
from app.services.vault import compartment
from ui.formatting import describe_error, uk_datetime
from ui.operations import Operations
from ui.team.hub_care_dialog import HubCareDialog

EVERY_MS = 3 * 60_000
# A change made here goes to the hub this long after the last save, so colleagues see it
# in seconds (docs/sync.md §8, "When sync runs"); a run of saves is one sync.
PUSH_SOON_MS = 1_500
WAIT_SECONDS = 20.0
ERROR_WIDTH = 520
BLOCKED_RED = "#b00020"
# Red and bold, and always with words ("Sync stopped: ..."): colour is never the only sign.
ALERT_STYLE = f"color: {BLOCKED_RED}; font-weight: bold;"


class HubWatcher(QObject):
    """Calls Hub.wait_for_change in a loop on a daemon thread; `changed` arrives queued on the
    GUI thread. Stopping sets a flag; the thread ends at its next wake-up (the wait is up to
    WAIT_SECONDS, too long to join on the GUI thread).

    Once stop() has returned, or the object is deleted (with its parent, say), the thread never
    emits again: a change found while the window was stopping it used to be emitted from a
    QObject already deleted ("Signal source has been deleted", an exception in the thread). The
    flag is checked and the signal emitted under one lock that stop() also takes, and deleting
    the object stops it through `destroyed`, which runs without the deleted object."""

    changed = Signal()

    def __init__(self, location: str, team_id: str, parent: QObject | None = None):
        super().__init__(parent)
        self._location, self._team_id = location, team_id
        self._stop = threading.Event()
        self._emitting = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="hub-watcher", daemon=True)
        self.destroyed.connect(_Halt(self._stop, self._emitting))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        _Halt(self._stop, self._emitting)()

    def _run(self) -> None:
        hub = None
        while not self._stop.is_set():
            try:
                if hub is None:
                    hub = membership.open_watch_hub(self._location, self._team_id)
                if hub.wait_for_change(WAIT_SECONDS) and not self._stop.is_set():
                    hub.head()          # what is there now counts as seen: wait for the next
                    with self._emitting:
                        if not self._stop.is_set():
                            self.changed.emit()
            except ConfideError:
                # Hub unreachable: the timer and the button still try; look again later.
                if hub is not None:
                    hub.close()
                hub = None
                self._stop.wait(WAIT_SECONDS)
        if hub is not None:
            hub.close()


class _Halt:
    """Stops a watcher's thread from emitting: waits for an emit under way to finish, then sets
    the flag. Holds no reference to the watcher, so it can run from its `destroyed`."""

    def __init__(self, stop: threading.Event, emitting: threading.Lock):
        self._stop, self._emitting = stop, emitting

    def __call__(self, *_destroyed) -> None:
        with self._emitting:
            self._stop.set()


PULLED = "pulled"          # the topic broadcast when a sync brought colleagues' changes
# Topics that are not a change made on this computer: no push follows them.
LOCAL_ONLY = frozenset({"sync", PULLED, "backup"})


def headline(sentence: str) -> str:
    """'Sync stopped at hub entry 9, written by computer …' from the whole message: the
    status bar has room for what and where; the tooltip and Repair… hold the rest."""
    return sentence.split(": ", 1)[0]


def synced_words(last_synced: str | None, today: date | None = None) -> str:
    """'Synced at 09:05' today, 'Synced 04/03/2025 09:05' on another day: the status bar is narrow."""
    if not last_synced:
        return "Not synced yet"
    shown = uk_datetime(last_synced)
    day, _, clock = shown.partition(" ")
    if clock and day == (today or date.today()).strftime("%d/%m/%Y"):
        return f"Synced at {clock}"
    return f"Synced {shown}"


class SyncStatusItem(QWidget):
    """'Synced 04/03/2025 09:05 · 2 changes waiting · 1 conflict' and a Sync button."""

    conflictsClicked = Signal()
    synced = Signal(object)       # SyncResult, after each successful sync

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.label = QLabel()
        self.label.setAccessibleName("Team sync status")
        # A failure or a removal is said whole, over more lines, never cut (the bar grows).
        self.label.setWordWrap(True)
        self.label.setMaximumWidth(ERROR_WIDTH)
        self.conflicts_button = QPushButton()
        self.conflicts_button.setFlat(True)
        self.conflicts_button.setAccessibleName("Open the conflicts")
        self.conflicts_button.clicked.connect(self.conflictsClicked)
        # What the stopped sync's message asks for, without a terminal (docs/sync.md §15).
        self.repair_button = QPushButton("&Repair…")
        self.repair_button.setFlat(True)
        self.repair_button.setAccessibleName("Check and repair the hub")
        self.repair_button.clicked.connect(self.open_repair)
        self.repair_button.hide()
        self.button = QPushButton("S&ync")
        self.button.setToolTip("Sync with the team now (Ctrl+Shift+S)")
        self.button.clicked.connect(self.sync)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.conflicts_button)
        row.addWidget(self.repair_button)
        row.addWidget(self.button)
        self.last_error: str | None = None
        self.notice_box: QMessageBox | None = None     # the last passphrase notice shown (_tell)
        self.blocked: str | None = None
        self.active = False
        self._wanted = False
        self._start_when_idle = False
        self.timer = QTimer(self)
        self.timer.setInterval(EVERY_MS)
        self.timer.timeout.connect(self.sync)
        self.push_soon = QTimer(self)
        self.push_soon.setSingleShot(True)
        self.push_soon.setInterval(PUSH_SOON_MS)
        self.push_soon.timeout.connect(self.sync)
        self.watcher: HubWatcher | None = None
        self.index_progress = None      # search_build.Progress while the index is being built
        self._compartments_made = False     # checked once per session: a join leaves them to us
        self._indexing = False
        self.hide()         # until start() knows this computer is in a team
        self._stale = False
        ops.busyChanged.connect(self._busy_changed)
        # A note saved offline adds a change waiting; a conflict resolved leaves one fewer to
        # resolve: the counts are read again when the task that changed them ends.
        ops.changed.connect(self._changed)

    def install_shortcut(self, window: QWidget) -> QShortcut:
        shortcut = QShortcut(QKeySequence("Ctrl+Shift+S"), window)
        shortcut.activated.connect(self.sync)
        return shortcut

    def start(self) -> bool:
        """Show the item and sync at once if this computer is in a team. Returns whether it is.
        While a task holds the connection (a page building on the worker) this waits for it:
        the connection is never used from two threads."""
        if self.ops.busy:
            self._start_when_idle = True
            return False
        self._start_when_idle = False
        try:
            status = membership.sync_status(self.session)
        except ConfideError:
            status = membership.SyncStatus(False)
        self.setVisible(status.in_team)
        self.active = status.in_team
        if not status.in_team:
            return False
        self._show(status)
        self.timer.start()
        try:
            location, team_id = membership.hub_target(self.session)
        except ConfideError as exc:
            self._failed(exc)
        else:
            self.watcher = HubWatcher(location, team_id, self)
            self.watcher.changed.connect(self.sync)
            self.watcher.start()
        self.sync()
        return True

    def stop(self) -> None:
        self.active = False
        self._start_when_idle = False
        self.timer.stop()
        self.push_soon.stop()
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None

    def sync(self) -> None:
        if self.session.locked or not self.active:
            return
        if self.ops.busy:
            self._wanted = True      # run when the current task ends
            return
        self._wanted = False
        self.label.setText("Syncing…")
        session = self.session
        self.ops.run(lambda _p: membership.sync(session), on_done=self._done, on_error=self._failed,
                     changes=("sync",))

    def _changed(self, topics) -> None:
        self._stale = self.active
        if self.active and set(topics) - LOCAL_ONLY:
            self.push_soon.start()

    def _busy_changed(self, busy: bool) -> None:
        if busy or self.session.locked:
            return
        if self._start_when_idle:
            QTimer.singleShot(0, self, self.start)
        elif self._wanted:
            QTimer.singleShot(0, self, self.sync)
        elif self._stale:
            QTimer.singleShot(0, self, self._refresh_if_idle)

    def _refresh_if_idle(self) -> None:
        # The connection is never used from two threads: a task that started meanwhile
        # will end with busyChanged(False) and bring us back here.
        if self.ops.busy or not self._stale or not self.active:
            return
        self._stale = False
        self.refresh()

    def _done(self, result) -> None:
        # Another computer's audit trail was changed after it was sent (docs/sync.md §9):
        # shown like a failed sync, never passed over in silence.
        breaks = getattr(result, "audit_breaks", None) or []
        self.last_error = f"Audit trail broken: {' '.join(breaks)}" if breaks else None
        notices = getattr(result, "notices", None) or []
        if notices:
            self._tell(notices)
        self.refresh()
        self.synced.emit(result)
        if getattr(result, "pulled", 0):
            # What a colleague wrote is now here: open records reload (PULLED), not at every sync.
            self.ops.changed.emit(frozenset({PULLED}))
        self._build_index()

    def _tell(self, notices: list[str]) -> None:
        """Whose passphrase choice gave way at this sync (docs/sync.md §12): nothing to decide,
        but said, in a window that stays until it is read (not modal: sync runs on)."""
        box = QMessageBox(QMessageBox.Icon.Information, "Passphrase changed on two computers",
                          "\n\n".join(notices), QMessageBox.StandardButton.Ok, self.window())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.NonModal)    # nothing being typed is interrupted
        self.notice_box = box
        box.show()

    def _build_index(self) -> None:
        """After a join (or a restart from a snapshot) the search index is built a chunk at a
        time, each a short task, so the window's own tasks never wait long behind it. The
        volunteers' compartments a join left to be made come first (docs/sync.md §13)."""
        if self.session.locked or not self.active or self._indexing:
            return
        if not self._compartments_made:
            self._compartments_made = True
            try:
                missing = compartment.missing(self.session)
            except ConfideError:
                missing = []
            if missing:
                self._indexing = True
                session = self.session
                self.ops.run(lambda _p: compartment.sync_all(session, refresh=False), on_done=self._made,
                             on_error=self._index_failed)
                return
        try:
            progress = search_build.status(self.session)
        except ConfideError:
            return
        self.index_progress = progress
        if progress is None:
            return
        self._indexing = True
        session = self.session
        self.ops.run(lambda _p: search_build.build_some(session), on_done=self._indexed,
                     on_error=self._index_failed)

    def _made(self, _result) -> None:
        self._indexing = False
        QTimer.singleShot(0, self, self._build_index)

    def _indexed(self, progress) -> None:
        self._indexing = False
        self.index_progress = progress
        self.refresh()
        if progress is not None:
            QTimer.singleShot(0, self, self._build_index)

    def _index_failed(self, exc: Exception) -> None:
        self._indexing = False
        self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        self.last_error = describe_error(exc)
        self.refresh()

    def refresh(self) -> None:
        if self.session.locked:
            return
        try:
            self._show(membership.sync_status(self.session))
        except ConfideError as exc:
            self.label.setText(describe_error(exc))

    def _show(self, status) -> None:
        parts = [synced_words(status.last_synced)]
        if status.waiting:
            parts.append(f"{plural(status.waiting, 'change')} waiting")
        tooltip = ""
        if self.index_progress is not None:
            # Short: at 1366 px the status bar also holds the sign-in, backup and key-file notices.
            parts.append(f"search index {self.index_progress.percent}% built")
            tooltip = self.index_progress.sentence()
        text = " · ".join(parts)
        self.label.setToolTip(tooltip)
        self.blocked = status.blocked
        alert = bool(status.blocked or self.last_error or status.others_stopped)
        if status.others_stopped and not status.blocked:
            # Another computer cannot apply an entry this one wrote; this one can repair it.
            self.label.setToolTip("\n".join(status.others_stopped))
            text = f"Repair needed: {headline(status.others_stopped[0])}"
        if status.blocked:
            # An entry this computer cannot apply: it stays stopped until the entry is
            # repaired or voided, so this shows until then, also after a restart (§4).
            self.label.setToolTip(status.blocked)
            text = headline(status.blocked)
        elif self.last_error:
            self.label.setToolTip(self.last_error)
            text = f"Sync failed: {self.last_error}"
        removed = self._removed_banner()
        if removed:
            # Said before anything else: nothing typed here can reach the team any more.
            self.label.setToolTip(removed)
            text = removed
        self.label.setText(text)
        self.label.setStyleSheet(ALERT_STYLE if alert else "")
        self.conflicts_button.setVisible(status.conflicts > 0)
        self.repair_button.setVisible(bool(status.blocked or status.others_stopped)
                                      and reads_casework(self.session.user.role))
        self.conflicts_button.setText(f"{plural(status.conflicts, 'conflict')} "
                                      "to resolve")

    def open_repair(self) -> HubCareDialog:
        dialog = HubCareDialog(self.session, self.ops, self.window())
        # A repair or a void takes effect at the next sync: run it as the dialog closes.
        dialog.finished.connect(lambda _r: self.sync())
        dialog.open()
        return dialog

    def _removed_banner(self) -> str | None:
        try:
            return pending.stranded(self.session).banner()
        except ConfideError:
            return None
