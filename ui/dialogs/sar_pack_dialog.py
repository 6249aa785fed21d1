"""Make the response pack of a subject access request: choose where, then gather, lay out,
encrypt and write on the worker, with progress and a Cancel that works until the file is
being encrypted (a cancelled pack writes no file and records nothing). Then the file's
SHA-256 and its password, shown once, and "Record as sent".

Given the request's records of disclosure (`packs`), the dialog makes a pack again from the
chosen record instead: the same words as were sent, with a new password.

Cancelling is a thread-safe flag (threading.Event) that the worker reads between pages; the
window keeps responding throughout because only the worker does the work.
"""

import threading
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.counting import plural
from app.security.session import Session
from app.services.sar import pack as sar_pack
from app.services.sar.pack import Cancelled, PackResult, SarDisclosure
from app.services.sar.register import Sar
from ui.clipboard import SecretClipboard
from ui.dialogs import files
from ui.formatting import describe_error, uk_datetime
from ui.names import full_name, staff_names
from ui.operations import Operations
from ui.throttle import throttled
from ui.widgets.forms import text_label
from ui.widgets.secret_panel import SecretPanel

TOO_LATE_TO_CANCEL = 96  # from here the pack is being encrypted and written


def suggested_pack_name(request: Sar) -> str:
    return f"{request.reference} response.pdf"  # a reference, never a family's name


class SarPackDialog(QDialog):
    generated = Signal(object)        # PackResult
    markSentRequested = Signal(object)  # Sar

    def __init__(self, session: Session, ops: Operations, clipboard: SecretClipboard, request: Sar,
                 parent: QWidget | None = None, packs: list[SarDisclosure] | None = None):
        super().__init__(parent)
        self.session, self.ops, self.request = session, ops, request
        self.cancel_flag = threading.Event()
        self.running = False
        self.result: PackResult | None = None
        self.outcome = ""  # "", "done", "cancelled", "failed"
        self.setWindowTitle("Generate the response pack")
        self.setModal(True)
        self.setMinimumWidth(640)

        self.heading = text_label(f"Response pack for {request.reference}", "subheading")
        self.message = text_label("The pack is a PDF encrypted with a new password (AES-256). It holds what "
                                  "you decided to include, with your redactions, a cover letter and the "
                                  "information the requester is entitled to.", "hint")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName("Progress")
        self.progress.setTextVisible(False)  # the step below says where it is, in words
        self.progress.hide()
        self.step = text_label("", "hint")
        self.error = text_label("", "error")
        self.error.hide()
        self.panel = SecretPanel(clipboard)
        self.panel.hide()
        self.packs = packs or []
        self.record = QComboBox()
        self.record.setAccessibleName("Record of disclosure")
        for pack in self.packs:
            self.record.addItem(f"{uk_datetime(pack.generated_at)} by {full_name(staff_names(session), pack.generated_by)}: "
                                f"{plural(pack.items, 'item')}, "
                                f"{plural(pack.redactions, 'redaction')}" + (" (sent)" if pack.sent_on else ""), pack.id)
        self.record.setVisible(bool(self.packs))
        if self.packs:
            self.setWindowTitle("Make the response pack again")
            self.heading.setText(f"Make the pack of {request.reference} again")
            self.message.setText("The pack is made again from its record of disclosure: the same words as were "
                                 "sent, even if the records have changed since. It gets a new password; the "
                                 "file's SHA-256 differs because the encryption is new each time.")

        self.buttons = QDialogButtonBox(self)
        self.start_button = self.buttons.addButton("&Choose where and generate…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setProperty("primary", True)
        self.sent_button = self.buttons.addButton("&Record as sent…", QDialogButtonBox.ButtonRole.ActionRole)
        self.sent_button.hide()
        self.cancel_button: QPushButton = self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        if self.packs:
            self.start_button.setText("&Choose where and make it again…")
        self.start_button.clicked.connect(lambda: self.start())
        self.sent_button.clicked.connect(self._mark_sent)
        self.cancel_button.clicked.connect(self.reject)

        column = QVBoxLayout(self)
        column.setSpacing(10)
        for widget in (self.heading, self.message, self.record, self.progress, self.step, self.error, self.panel):
            column.addWidget(widget)
        column.addStretch(1)
        column.addWidget(self.buttons)

    # --- generating ----------------------------------------------------------------------
    def start(self, path: Path | None = None) -> bool:
        if self.running or self.ops.busy:
            return False
        path = path or files.save_path(self, "Save the response pack",
                                       files.documents_folder() / suggested_pack_name(self.request),
                                       "PDF files (*.pdf)")
        if path is None:
            return False
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self.path = path
        self.cancel_flag.clear()
        self.running, self.outcome = True, ""
        self.error.hide()
        self.start_button.hide()
        self.progress.setValue(0)
        self.progress.show()
        self.step.setText("Starting…")
        self.cancel_button.setText("Cancel")
        self.cancel_button.setEnabled(True)
        session, sar_id, flag = self.session, self.request.id, self.cancel_flag
        if self.packs:
            record_id = self.record.currentData()
            self.record.setEnabled(False)
            self.cancel_button.setEnabled(False)  # quick, and nothing is recorded but the audit line
            self.step.setText("Making the pack again…")
            self.ops.run(lambda _p: sar_pack.regenerate_pack(session, record_id, path),
                         on_done=self._done, on_error=self._failed, changes={"sars"})
            return True
        self.ops.run(lambda progress: sar_pack.generate_pack(session, sar_id, path, progress=throttled(progress),
                                                             cancelled=flag.is_set),
                     on_done=self._done, on_error=self._failed, on_progress=self._progressed,
                     changes={"sars", "sar_review"})
        return True

    def _progressed(self, percent: int, text: str) -> None:
        self.progress.setValue(percent)
        self.step.setText(text)
        if percent >= TOO_LATE_TO_CANCEL and not self.cancel_flag.is_set():
            self.cancel_button.setEnabled(False)
            self.step.setText(f"{text} (too late to cancel)")

    def _done(self, result: PackResult) -> None:
        self.running, self.outcome, self.result = False, "done", result
        self.progress.setValue(100)
        self.step.setText(f"Saved {result.path.name} in {result.path.parent}: {plural(result.items, 'item')}, "
                          f"{plural(result.redactions, 'redaction')}.")
        self.message.setText("The pack is ready. The record of disclosure keeps what was in it and the SHA-256 "
                             "below, so the same pack can be shown again if ever disputed.")
        self.panel.set_values(result.password, result.sha256)
        self.panel.show()
        self.sent_button.setVisible(not self.packs)
        QTimer.singleShot(0, self.adjustSize)  # grow to show the whole password panel
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)
        self.generated.emit(result)

    def _failed(self, exc: Exception) -> None:
        self.running = False
        self.record.setEnabled(True)
        self.progress.hide()
        self.start_button.show()
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)
        if isinstance(exc, Cancelled):
            self.outcome = "cancelled"
            self.step.setText("Cancelled. No file was written and nothing was recorded.")
            return
        self.outcome = "failed"
        self.step.clear()
        self.error.setText(f"The pack was not made. {describe_error(exc)}")
        self.error.show()

    def cancel(self) -> None:
        """Ask the worker to stop; the dialog closes when it has."""
        if self.running:
            self.cancel_flag.set()
            self.cancel_button.setEnabled(False)
            self.step.setText("Cancelling…")

    def reject(self) -> None:
        # Esc, the close box and Cancel all stop the work first; nobody is left without an outcome.
        if self.running:
            self.cancel()
            return
        super().reject()

    def _mark_sent(self) -> None:
        self.markSentRequested.emit(self.request)
        self.accept()

    def done(self, result: int) -> None:
        self.panel.clear()  # the password goes with the dialog
        super().done(result)
