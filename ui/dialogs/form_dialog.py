"""The base of every small form dialog: fields with their errors beside them, an OK button
that runs the change off the GUI thread, and a busy state while it runs.

Subclasses build rows on `self.form` and implement `submit()`, which checks what it can at
once (raising ValidationError) and then calls `self.run(work, on_done)`.
"""

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConfideError
from ui.operations import Operations, Work
from ui.widgets.forms import FieldErrors, text_label


class FormDialog(QDialog):
    def __init__(self, ops: Operations, title: str, intro: str = "", *, ok_text: str = "OK",
                 cancel_text: str = "Cancel", heading: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ops = ops
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(620)
        self._busy = False
        self.initial_focus: QWidget | None = None  # default: the first text field

        column = QVBoxLayout(self)
        column.setSpacing(10)
        # Window titles reach taskbars and screen sharing: names go in the heading only.
        self.heading = text_label(heading or title, "subheading")
        column.addWidget(self.heading)
        if intro:
            self.intro = text_label(intro, "hint")
            column.addWidget(self.intro)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setVerticalSpacing(8)
        column.addLayout(self.form)
        general = text_label("", "error")
        general.setAccessibleName("Error")
        column.addWidget(general)
        # A dialog does not grow by itself when a wrapped error line appears; ask it to.
        self.errors = FieldErrors(general, lambda: QTimer.singleShot(0, self.adjustSize))
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedHeight(8)
        self.busy_bar.hide()
        column.addWidget(self.busy_bar)
        column.addStretch(1)
        # Parented now: setDefault() only reaches the dialog if the button is already inside it.
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.ok_button.setProperty("primary", True)
        self.ok_text = ok_text
        self.cancel_button = self.buttons.addButton(cancel_text, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)

    # --- subclasses ----------------------------------------------------------------------
    def submit(self) -> None:
        raise NotImplementedError

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.ok_button.setDefault(True)
        # Otherwise the OK button starts with the focus, and a typed space would press it.
        target = self.initial_focus or next(
            (edit for edit in self.findChildren(QLineEdit) if edit.isEnabled()), None)
        if target is not None:
            QTimer.singleShot(0, target.setFocus)

    # --- running the change ------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._busy

    def accept(self) -> None:
        if self._busy:
            return
        self.errors.clear()
        try:
            self.submit()
        except ConfideError as exc:
            self.errors.show(exc)

    def run(self, work: Work, on_done, changes=()) -> None:
        self._set_busy(True)

        def done(result):
            self._set_busy(False)
            on_done(result)

        def failed(exc):
            self._set_busy(False)
            self.errors.show(exc)

        self.ops.run(work, on_done=done, on_error=failed, changes=changes)

    def finish(self) -> None:
        """Close as accepted; subclasses call this from their on_done."""
        super().accept()

    def reject(self) -> None:
        # Closing mid-change would leave nobody to show its outcome.
        if not self._busy:
            super().reject()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_bar.setVisible(busy)
        for i in range(self.form.count()):
            item = self.form.itemAt(i)
            if item is not None and item.widget() is not None:
                item.widget().setEnabled(not busy)
        self.ok_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.ok_button.setText("Working…" if busy else self.ok_text)
