"""The one window. It decides what locking means: the session closes its connection, every
view drops its rows, open dialogs close and the unlock screen takes the window's place.
Unlocking builds a fresh workspace for the new session.

The screen is cleared at once; the database is closed (audit row, checkpoint, keys wiped) on
the worker, which on a large vault and a busy disk takes seconds. Until it is closed the
unlock screen shows "Locking…" and takes no unlock (docs/architecture.md, "Locking without
a freeze").
"""

import gc
import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QMainWindow, QProgressDialog, QStackedWidget

from app.errors import ConfideError
from app.security.device import KeyFileStore
from app.security.session import Session
from app.services import settings
from app.services.vault import restore as restore_service
from ui.dialogs.change_passphrase import ChangePassphraseDialog
from ui.drafts import DraftRestorer, keep, keep_open_work, open_work
from ui.formatting import describe_error
from ui.inactivity import InactivityTimer, create_all_type_wrappers, create_event_type_wrappers
from ui.lock_key import LockKey
from ui.menus.commands import MenuCommands
from ui.menus.menu_bar import AppMenus
from ui.operations import Operations
from ui.screen_lock import ScreenLockWatcher
from ui.status_feedback import StatusFeedback
from ui.views.unlock_view import UnlockView
from ui.widgets.fitting_label import FittingLabel
from ui.widgets.message_bar import MessageBar
from ui.widgets.screen_fit import fit_window

if TYPE_CHECKING:
    from ui.team.hub_location_dialog import HubLocationDialog
    from ui.team.sync_status import SyncStatusItem
    from ui.workspace import Workspace

WEAKER_NOTICE = "Weaker protection: device secret kept in a file"
WEAKER_SHORT = "Weaker protection"
KEPT_NOTICE = "What you were typing is kept. It comes back when you unlock."


def load_workspace_code() -> None:
    """The workspace's modules (every screen, the PDF library), loaded on the worker once an
    unlock succeeds: there they run in Python's 5 ms turns while the window goes on, rather
    than in the window's one turn that builds the workspace (about 1 s at the first unlock of
    a loaded machine). Not at launch: the unlock screen must not wait for them (launch < 1 s).
    The bank-holiday library's countries too (every one of some 250 modules, at the first date
    a deadline needs): loaded by a page's read later, they held the worker in Python for a
    quarter of a second while the window waited for Python's lock.

    Then, the first time, what is loaded by now (every module, class and function: some 140,000
    objects that live as long as the program) is left out of Python's full garbage collections
    (gc.freeze): each walked all of it, a quarter of a second holding Python's lock, whenever
    the worker's reads had made enough new objects, and the window stood still meanwhile. Later
    objects are collected as before."""
    importlib.import_module("ui.workspace")
    importlib.import_module("holidays.countries")
    if not gc.get_freeze_count():
        gc.freeze()


class MainWindow(QMainWindow):
    # The session's connection is closed. Emitted by whichever thread closed it (the worker,
    # usually), so the window's part of locking runs on the window's thread, queued.
    sessionClosed = Signal()

    def __init__(self, data_dir: Path, device_key_file: Path | None, ops: Operations):
        create_event_type_wrappers()  # for this window's overrides while it is first shown
        super().__init__()
        self._shown_once = False
        self.ready_for_dialogs = False   # every Qt type wrapper is built (see _after_shown)
        self.data_dir, self.device_key_file, self.ops = data_dir, device_key_file, ops
        self.session: Session | None = None
        self.workspace: Workspace | None = None
        self.sync_item: SyncStatusItem | None = None
        self._pending_lock: str | None = None
        self._close_when_idle = False
        self._screen_cleared = False   # for the session being locked: the screen is cleared
        self._kept_notice = False      # what was typed is kept: say so on the unlock screen
        self._reset_when_idle: str | None = None  # the unlock screen resets once the worker is idle
        self.setMinimumSize(860, 560)
        fit_window(self, QSize(1440, 900))  # a 1366x768 laptop gets the whole available screen

        self.unlock_view = UnlockView(data_dir, device_key_file, ops, prepare=load_workspace_code)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.unlock_view)
        self.setCentralWidget(self.stack)
        self.setStatusBar(MessageBar())
        self._build_menus()
        self._build_status_bar()
        self.feedback = StatusFeedback(self.statusBar())
        self._lock_reason = "manual"

        self.inactivity = InactivityTimer(self)
        self.inactivity.inactivityDetected.connect(lambda: self.lock("idle"))
        self.lock_key = LockKey(self)
        self.lock_key.pressed.connect(lambda: self.lock("manual"))
        self.restorer: DraftRestorer | None = None
        self.screen_lock = ScreenLockWatcher(self)
        self.screen_lock.screenLocked.connect(lambda: self.lock("screen_lock"))
        self.unlock_view.unlocked.connect(self.open_session)
        self.sessionClosed.connect(self._session_locked)
        ops.busyChanged.connect(self._busy_changed)
        ops.changed.connect(self._changed)
        ops.changed.connect(self.feedback.changed)
        self._show_locked()

    # --- chrome ----------------------------------------------------------------------------
    def _build_menus(self) -> None:
        self.commands = MenuCommands(self)
        self.menus = AppMenus(self, self.commands.run)
        self.lock_action = self.menus.actions["lock"]
        self.change_passphrase_action = self.menus.actions["change_passphrase"]
        self.quit_action = self.menus.actions["quit"]

    def _build_status_bar(self) -> None:
        self.user_label = FittingLabel(["Locked"])  # its long wording is its accessible name
        self.weaker_label = FittingLabel([WEAKER_NOTICE, WEAKER_SHORT])
        self.weaker_label.setObjectName("weakerNotice")
        self.weaker_label.setToolTip("The device secret is in a key file rather than the OS "
                                     "credential store. Keep that file safe.")
        # Permanent, on the right: a temporary message on the left ("Note saved") never covers it.
        self.statusBar().addPermanentWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.weaker_label)

    def _set_title(self, service_name: str) -> None:
        # The service's name only: window titles show in taskbars and screen sharing.
        self.setWindowTitle(f"{service_name} – Confide" if service_name else "Confide")

    # --- unlocking -----------------------------------------------------------------------
    def open_session(self, session: Session) -> None:
        self.session = session
        self._screen_cleared = False
        session.on_lock(self.sessionClosed.emit)
        # The idle lock covers the forced passphrase change too: the keys are in memory.
        self._apply_auto_lock()
        self.inactivity.activate()
        if session.must_change_passphrase:
            dialog = ChangePassphraseDialog(session, self.ops, forced=True, parent=self,
                                            temporary=getattr(self.unlock_view, "temporary_passphrase", ""))
            dialog.accepted.connect(lambda: self._enter(session))
            dialog.rejected.connect(lambda: session.lock("passphrase_change_declined"))
            dialog.open()
            self.forced_dialog = dialog
            return
        self._enter(session)

    def _enter(self, session: Session) -> None:
        if self.workspace is not None:
            self.stack.removeWidget(self.workspace)
            self.workspace.deleteLater()
        # Imported here, not at the top: the workspace pulls in every screen and the PDF
        # library, which the unlock screen must not wait for (launch < 1 s). Already loaded
        # by the unlock's task on the worker (load_workspace_code).
        from ui.workspace import Workspace

        self.workspace = Workspace(session, self.ops, self.data_dir, self.device_key_file)
        self.workspace.restoreRequested.connect(self.restore)
        self.workspace.teamStarted.connect(self._team_started)
        self.workspace.said.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.stack.addWidget(self.workspace)
        self._set_title(session.vault.service_name)
        self.user_label.set_wordings([f"Signed in: {session.user.full_name} ({session.user.role.label})",
                                      session.user.full_name])
        self.weaker_label.setVisible(session.device_store.weaker)
        self.menus.update(session.user.role)
        self.feedback.unlocked(session)
        self.menus.set_sections(list(self.workspace.pages), session.user.role, self.workspace.show_page)
        # What was being typed when it last locked comes back (before sync starts a task).
        self.restorer = DraftRestorer(session, self.workspace)
        self.restorer.restore()
        # Shown before the background work starts: the first show (every widget of Home and
        # the window's frame polished and laid out) calls into Python hundreds of times, and
        # each call waited for Python's lock while the no-contact rule ran its loop on the
        # worker (a 128-173 ms stall with 5 ms of the window's CPU at 50,000 cases). Home, once
        # shown, reads on the worker; what this turn read here on the window's thread (drafts,
        # the last backup) is read before it, and the sync item reads its state only when the
        # worker is idle (SyncStatusItem.start).
        self.stack.setCurrentWidget(self.workspace)
        # Before sync starts, so the first push carries any case the rule made inactive.
        self.workspace.start_background()
        self._start_sync(session)

    def _team_started(self, _started) -> None:
        """A team founded here: the pages a team computer has (Conflicts, the sync item) are
        built afresh, open records and forms kept as across a lock."""
        session = self.session
        if session is None or session.locked:
            return
        keep_open_work(session, self, self.workspace)
        self._enter(session)
        if "Team" in self.workspace.pages:
            self.workspace.show_page("Team")
        self.statusBar().showMessage("The team is started. Invite the other computers from this page.", 10000)

    def _start_sync(self, session: Session) -> None:
        """The status bar's sync item, on a computer that is part of a team; sync on unlock."""
        self._stop_sync()
        item = self.workspace.team.sync_item()
        self.statusBar().addPermanentWidget(item)
        item.conflictsClicked.connect(self._show_conflicts)
        self.sync_item = item
        item.start()

    def _show_conflicts(self) -> None:
        if self.workspace is not None and "Conflicts" in self.workspace.pages:
            self.workspace.show_page("Conflicts")

    def _stop_sync(self) -> None:
        if self.sync_item is not None:
            self.sync_item.stop()
            self.statusBar().removeWidget(self.sync_item)
            self.sync_item.deleteLater()
            self.sync_item = None

    def _apply_auto_lock(self) -> None:
        try:
            minutes = settings.auto_lock_minutes(self.session)
        except ConfideError:
            minutes = settings.DEFAULTS["auto_lock_minutes"]
        self.inactivity.set_timeout(minutes * 60_000)

    def _changed(self, topics) -> None:
        # A sync may bring the team's settings (docs/sync.md §5 `settings`): the auto-lock
        # delay and the service's name follow at once.
        if ({"settings", "sync"} & set(topics)) and self.session is not None and not self.session.locked:
            self._apply_auto_lock()
            self._set_title(self.session.vault.service_name)

    # --- locking -------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self.session is None or self.session.locked

    def lock(self, reason: str = "manual") -> None:
        if self.locked:
            return
        if self.ops.busy:
            # A worker may be using the connection; lock the moment it finishes.
            self._pending_lock = reason
            self.statusBar().showMessage("Confide will lock when the current task finishes.")
            return
        self._lock_reason = reason
        # While the connection is still open: what is being typed, and the open tabs, read
        # from the screen here and written by the lock's task on the worker, first.
        session = self.session
        work = open_work(self, self.workspace)
        if self.restorer is not None:
            self.restorer.keep_pending()
        # Locked for every view from here; nothing readable stays on screen while the
        # worker closes the database (sessionClosed then finishes the lock here).
        session.begin_lock()
        self._clear_screen()
        self.unlock_view.show_locking("")
        kept = []
        self.ops.run(lambda _p: session.lock(reason, first=lambda: kept.append(keep(session, work))),
                     on_done=lambda _r: self._kept(bool(kept and kept[0])), on_error=lambda _exc: None)

    def _kept(self, kept: bool) -> None:
        """The lock's task kept what was being typed: the unlock screen says so (it resets
        once the task has ended, after this)."""
        self._kept_notice = kept
        if kept:
            self.unlock_view.show_notice(KEPT_NOTICE)

    def _clear_screen(self) -> None:
        """Everything the session showed goes, at once (also when the session locked itself)."""
        if self._screen_cleared:
            return
        self._screen_cleared = True
        self.inactivity.deactivate()
        self._stop_sync()
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.done(QDialog.DialogCode.Rejected)
        if self.workspace is not None:
            self.workspace.clear()
        self._show_locked()
        self.feedback.locked(self._lock_reason, self.inactivity.timeout() // 60_000)
        self._lock_reason = "manual"

    def _session_locked(self) -> None:
        self._clear_screen()
        username = self.session.user.username if self.session else ""
        if self.ops.busy:
            # The lock's own task is still finishing: the unlock screen opens when it ends.
            self._reset_when_idle = username
        else:
            self._reset_unlock(username)

    def _reset_unlock(self, username: str) -> None:
        self._reset_when_idle = None
        self.unlock_view.reset(username, KEPT_NOTICE if self._kept_notice else "")
        self._kept_notice = False

    def _show_locked(self) -> None:
        self.stack.setCurrentWidget(self.unlock_view)
        self._set_title(self.unlock_view.refresh_service_name())
        self.user_label.set_wordings(["Locked"])
        self.weaker_label.hide()
        self.statusBar().clearMessage()
        self.statusBar().forget()
        self.menus.update(None)
        self.menus.clear_sections()

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            return
        if self._reset_when_idle is not None:
            self._reset_unlock(self._reset_when_idle)
        if self._pending_lock:
            reason, self._pending_lock = self._pending_lock, None
            self.lock(reason)
        if self._close_when_idle:
            self.close()

    # --- menu actions --------------------------------------------------------------------
    def change_passphrase(self) -> ChangePassphraseDialog | None:
        if self.locked:
            return None
        dialog = ChangePassphraseDialog(self.session, self.ops, parent=self)
        dialog.accepted.connect(lambda: self.statusBar().showMessage("Your passphrase is changed.", 8000))
        dialog.open()
        return dialog

    def change_hub_location(self) -> "HubLocationDialog | None":
        if self.locked:
            return None
        dialog = self.workspace.team.hub_location_dialog(self)
        dialog.accepted.connect(lambda: self._hub_moved(dialog.saved_to))
        dialog.open()
        return dialog

    def _hub_moved(self, where: str) -> None:
        # The watcher and the timer start again on the new place, and a sync runs at once.
        if self.sync_item is not None:
            self.sync_item.stop()
            self.sync_item.last_error = None
            self.sync_item.start()
        self.statusBar().showMessage(f"This computer now finds the team's hub at {where}.", 8000)

    def restore(self, path: Path, credentials: dict) -> None:
        """Lock, then restore with progress, then back to the unlock screen."""
        key_file = self.device_key_file
        if key_file is None and self.session is not None and isinstance(self.session.device_store, KeyFileStore):
            key_file = self.session.device_store.path
        self.lock("restore")
        if not self.locked:  # a task is still running; restoring under it is never safe
            self._pending_lock = None
            self.statusBar().showMessage("Wait for the current task to finish, then restore.", 8000)
            return
        progress = QProgressDialog("Restoring the backup…", "", 0, 100, self)
        progress.setWindowTitle("Restoring")
        progress.setCancelButton(None)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setValue(0)
        self.restore_progress = progress

        def step(percent: int, text: str) -> None:
            progress.setValue(percent)
            progress.setLabelText(text)

        def finished(kept: Path | None) -> None:
            progress.close()
            self._reset_when_idle = None   # this note, not the lock's empty screen
            note = f"Restored {path.name}. Unlock to continue."
            if kept:
                note += f" The database it replaced is kept in {kept}."
            self._set_title(self.unlock_view.refresh_service_name())
            self.unlock_view.reset(credentials.get("username", ""), note)

        def failed(exc: Exception) -> None:
            progress.close()
            self._reset_when_idle = None
            self.unlock_view.show_error(f"The backup was not restored. {describe_error(exc)}")

        data_dir = self.data_dir
        self.ops.run(lambda report: restore_service.restore_backup(
            data_dir, path, device_key_file=key_file, progress=report, **credentials),
            on_progress=step, on_done=finished, on_error=failed)

    # --- first shown ---------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            QTimer.singleShot(0, self._after_shown)

    def _after_shown(self) -> None:
        """PySide6's type wrappers for every loaded Qt module (ui/inactivity.py: one built
        inside an override or a filter has crashed it), 0.2 s of CPU, once the window is on the
        screen rather than before it (launch < 1 s): in the turn after it is exposed, so its
        first frame is painted, and before any dialog can open (a person's first click is
        handled after this turn). Ctrl+L over a dialog listens from then (ui/lock_key.py)."""
        handle = self.windowHandle()
        if self.isVisible() and handle is not None and not handle.isExposed():
            QTimer.singleShot(10, self._after_shown)
            return
        QTimer.singleShot(0, self._build_type_wrappers)

    def _build_type_wrappers(self) -> None:
        create_all_type_wrappers()
        self.lock_key.listen()
        self.ready_for_dialogs = True

    # --- closing -------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.ops.busy:
            self._close_when_idle = True
            self.statusBar().showMessage("Confide will close when the current task finishes.")
            event.ignore()
            return
        if self.session is not None:
            self.session.lock("quit")
        self.inactivity.deactivate()
        self.lock_key.remove()
        event.accept()
