"""Backup & restore: write an encrypted backup on the worker thread with a progress bar;
ask for a restore (MainWindow locks, then restores); verify the database; for a manager,
take an audit checkpoint to keep elsewhere and give the database a new key."""

from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.security.session import Session
from app.services.vault import backup, checkpoint, staff
from app.services.vault.verify import VerifyReport
from ui.dialogs import files, messages
from ui.dialogs.restore_dialog import RestoreDialog
from ui.dialogs.verify_dialog import VerifyDialog
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.forms import restyle, text_label
from ui.widgets.page import scroll_page
from ui.widgets.permission import allow_only

SUFFIX = ".confide-backup"
FILTER = f"Confide backups (*{SUFFIX});;All files (*)"


def suggested_backup_name(today: date | None = None) -> str:
    return f"confide-backup-{(today or date.today()).isoformat()}{SUFFIX}"


def _documents() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    # A missing folder would make the file dialog open wherever Confide was started from.
    return Path(folder) if folder and Path(folder).is_dir() else Path.home()


def _section(title: str, text: str, button: QPushButton) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame()
    card.setObjectName("card")
    inner = QVBoxLayout(card)
    inner.setContentsMargins(24, 18, 24, 18)
    inner.addWidget(text_label(title, "subheading"))
    inner.addWidget(text_label(text, "hint"))
    row = QHBoxLayout()
    row.addWidget(button)
    row.addStretch(1)
    inner.addLayout(row)
    return card, inner


class BackupView(QWidget):
    restoreRequested = Signal(object, dict)  # backup path, credentials for restore_backup

    def __init__(self, session: Session, ops: Operations, data_dir: Path,
                 device_key_file: Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.data_dir, self.device_key_file = data_dir, device_key_file

        self.backup_button = QPushButton("&Back up now…")
        self.backup_button.setProperty("primary", True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName("Backup progress")
        self.progress.hide()
        self.backup_status = text_label("", "success")
        self.backup_status.setAccessibleName("Backup result")
        self.backup_status.hide()
        backup_card, inner = _section(
            "Back up", "The backup is one encrypted file. Keep copies somewhere as safe as this "
            "computer (an encrypted drive kept locked away), and make one at least every week.",
            self.backup_button)
        inner.addWidget(self.progress)
        inner.addWidget(self.backup_status)
        if not session.user.is_manager:
            allow_only([self.backup_button], False, "Only a manager can make a backup.")
            inner.addWidget(text_label("Only a manager can make a backup.", "hint"))

        self.restore_button = QPushButton("R&estore from a backup…")
        restore_card, inner = _section(
            "Restore", "Puts a backup in place of the current database. The current one is "
            "kept in the data folder, never deleted.", self.restore_button)
        if not session.user.is_manager:
            allow_only([self.restore_button], False, "Only a manager can restore a backup.")
            inner.addWidget(text_label("Only a manager can restore a backup.", "hint"))

        self.verify_button = QPushButton("&Verify database…")
        verify_card, inner = _section(
            "Verify", "Checks every page of the database and the audit trail. Changes nothing.",
            self.verify_button)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setAccessibleName("Verification report")
        self.report.setMaximumHeight(130)
        self.report.hide()
        inner.addWidget(self.report)

        self.checkpoint_button = QPushButton("Take an audit &checkpoint")
        self.rekey_button = QPushButton("Change the database &key…")
        keys_card, inner = _section(
            "Audit checkpoint and keys", "A checkpoint is the audit trail's latest entry: write it "
            "down or print it and keep it away from this computer; typed into Verify database… "
            "later, it shows whether the trail up to it was changed. A new database key makes "
            "older copies of the key slots (in backups, or kept by someone who left) open "
            "nothing.", self.checkpoint_button)
        inner.itemAt(inner.count() - 1).layout().insertWidget(1, self.rekey_button)
        self.checkpoint_text = text_label("", "subheading")
        self.checkpoint_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.checkpoint_text.setAccessibleName("Audit checkpoint")
        self.checkpoint_text.hide()
        self.keys_status = text_label("", "success")
        self.keys_status.hide()
        inner.addWidget(self.checkpoint_text)
        inner.addWidget(self.keys_status)
        if not session.user.is_manager:
            keys_card.hide()  # (setVisible(True) on a card without a parent would open a window)

        # In a scroll area: on a short window the cards keep their height and the page scrolls,
        # rather than squashing their text into each other.
        column = scroll_page(self, (32, 24, 32, 24), 12)
        column.addWidget(text_label("Backup & restore", "heading"))
        for card in (backup_card, restore_card, verify_card, keys_card):
            column.addWidget(card)
        column.addStretch(1)
        self.checkpoint_button.clicked.connect(self.take_checkpoint)
        self.rekey_button.clicked.connect(self.rekey)

        self.backup_button.clicked.connect(self.back_up)
        self.restore_button.clicked.connect(self.restore)
        self.verify_button.clicked.connect(self.verify)

    # --- back up -------------------------------------------------------------------------
    def back_up(self) -> None:
        path = files.save_path(self, "Save the backup", _documents() / suggested_backup_name(), FILTER)
        if path is None:
            return
        if not path.name.endswith(SUFFIX):
            path = path.with_name(path.name + SUFFIX)
        self.progress.setValue(0)
        self.progress.show()
        self._status("", "success")
        session = self.session
        self.ops.run(lambda progress: backup.create_backup(session, path, progress),
                     on_progress=self._progress, on_done=lambda _m: self._backed_up(path),
                     on_error=self._backup_failed, changes={"backup"})

    def _progress(self, percent: int, text: str) -> None:
        self.progress.setValue(percent)
        self.progress.setFormat(f"{text} – %p%")

    def _backed_up(self, path: Path) -> None:
        self.progress.hide()
        self._status(f"Backup saved at {datetime.now():%d/%m/%Y %H:%M}: {path}", "success")

    def _backup_failed(self, exc: Exception) -> None:
        self.progress.hide()
        self._status(f"The backup was not made. {describe_error(exc)}", "error")

    def _status(self, text: str, kind: str) -> None:
        self.backup_status.setProperty("kind", kind)
        restyle(self.backup_status)
        self.backup_status.setText(text)
        self.backup_status.setVisible(bool(text))

    # --- restore -----------------------------------------------------------------------
    def restore(self) -> RestoreDialog | None:
        path = files.open_path(self, "Choose a backup to restore", _documents(), FILTER)
        if path is None:
            return None
        dialog = RestoreDialog(path, self.session.user.username, self.ops, self)
        dialog.accepted.connect(lambda: self.restoreRequested.emit(path, dialog.credentials))
        dialog.open()
        return dialog

    # --- verify --------------------------------------------------------------------------
    def verify(self) -> VerifyDialog:
        dialog = VerifyDialog(self.data_dir, self.session.user.username, self.device_key_file,
                              self.ops, self)
        dialog.accepted.connect(lambda: self._show_report(dialog.report))
        dialog.open()
        return dialog

    def _show_report(self, report: VerifyReport | None) -> None:
        if report is None:
            return
        verdict = "All checks passed." if report.ok else "Problems found. Restore the latest backup and tell your manager."
        self.report.setPlainText("\n".join([verdict, *report.lines]))
        self.report.show()

    # --- checkpoint and keys --------------------------------------------------------------
    def take_checkpoint(self) -> None:
        try:
            taken = checkpoint.current_checkpoint(self.session)
        except Exception as exc:  # noqa: BLE001 - shown to the manager in plain words
            self._keys_status(f"No checkpoint was taken. {describe_error(exc)}", "error")
            return
        self.checkpoint_text.setText(taken.text)
        self.checkpoint_text.show()
        self._keys_status(f"Checkpoint of {taken.taken_at} UTC, event {taken.seq}. Copy or write it "
                          "down now; it is not kept anywhere else.", "success")

    def rekey(self) -> None:
        if not messages.ask(self, "Change the database key",
                            "Give the database a new key now? Everyone stays signed in. On a large "
                            "database this takes a few minutes.", confirm="Change the key"):
            return
        session = self.session
        self._keys_status("Changing the database key…", "success")
        self.ops.run(lambda _progress: staff.rekey(session),
                     on_done=lambda _r: self._keys_status("The database has a new key.", "success"),
                     on_error=lambda exc: self._keys_status(
                         f"The key was not changed. {describe_error(exc)}", "error"))

    def _keys_status(self, text: str, kind: str) -> None:
        self.keys_status.setProperty("kind", kind)
        restyle(self.keys_status)
        self.keys_status.setText(text)
        self.keys_status.setVisible(bool(text))

    # --- lock and busy -----------------------------------------------------------------
    def clear(self) -> None:
        self._status("", "success")
        self._keys_status("", "success")
        self.checkpoint_text.clear()
        self.checkpoint_text.hide()
        self.report.clear()
        self.report.hide()

    def set_busy(self, busy: bool) -> None:
        self.backup_button.setEnabled(not busy and self.session.user.is_manager)
        self.restore_button.setEnabled(not busy and self.session.user.is_manager)
        self.verify_button.setEnabled(not busy)
        self.checkpoint_button.setEnabled(not busy)
        self.rekey_button.setEnabled(not busy)
