"""Set-up wizard, last pages: the recovery key, shown once, then one group typed back."""

import secrets

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from app.security.keyslots import recovery_groups, typed_as_read
from ui.dialogs import recovery_sheet
from ui.widgets.forms import line_edit, text_label


def normalise_group(text: str) -> str:
    """As the recovery key parser reads it (keys use Crockford's alphabet, where 0, 1 and 8
    are digits of their own; the old 0-for-O reading made such a group impossible to confirm)."""
    return typed_as_read(text)


class RecoveryKeyPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Your recovery key")
        self.setSubTitle("Shown once, now. Print it or write it down before you go on.")
        self.grid_frame = QFrame()
        self.grid_frame.setObjectName("recoveryKey")
        self.grid = QGridLayout(self.grid_frame)
        self.grid.setHorizontalSpacing(28)
        self.grid.setVerticalSpacing(4)
        self.print_button = QPushButton("&Print recovery sheet…")
        self.print_button.setVisible(recovery_sheet.available())
        self.print_button.clicked.connect(self._print)
        self.kept = QCheckBox("I &have printed or written down the recovery key")
        self.kept.setAccessibleName("I have printed or written down the recovery key")
        self.kept.toggled.connect(self.completeChanged)
        column = QVBoxLayout(self)
        column.setSpacing(12)
        column.addWidget(self.grid_frame)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(text_label(
            "It opens the vault if this computer's credential store loses the device secret, "
            "if the computer is replaced, or if a manager forgets their passphrase.", ""))
        column.addWidget(text_label(
            "Keep it locked away, apart from this computer. Anyone with the key and a copy of "
            "the vault can open it. Never photograph it, email it or save it in a file.", "warning"))
        column.addWidget(self.kept)
        column.addStretch(1)

    def initializePage(self) -> None:
        wizard = self.wizard()
        wizard.setOption(QWizard.WizardOption.NoCancelButton, True)
        while self.grid.count():
            self.grid.takeAt(0).widget().deleteLater()
        for i, group in enumerate(recovery_groups(wizard.recovery_key)):
            number = text_label(f"{i + 1}", "groupNumber")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell = text_label(group, "keyGroup")
            cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell.setAccessibleName(f"Group {i + 1}")
            row, col = divmod(i, 4)
            self.grid.addWidget(number, row * 2, col)
            self.grid.addWidget(cell, row * 2 + 1, col)
        # QWizard focuses the first button after this returns; the next step is the box.
        QTimer.singleShot(0, self.kept.setFocus)

    def isComplete(self) -> bool:
        return self.kept.isChecked()

    def _print(self) -> None:
        wizard = self.wizard()
        recovery_sheet.print_sheet(self, wizard.service_name(), wizard.recovery_key)


class ConfirmKeyPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle("Check your copy")
        self.group_index = 1 + secrets.randbelow(8)
        self.answer = line_edit("Recovery key group")
        self.answer.setObjectName("recoveryKeyInput")
        self.answer.setMaxLength(12)
        self.answer.setMaximumWidth(240)
        self.feedback = text_label("", "error")
        self.feedback.hide()
        column = QVBoxLayout(self)
        column.setSpacing(12)
        self.prompt = text_label("", "subheading")
        column.addWidget(self.prompt)
        column.addWidget(self.answer)
        column.addWidget(self.feedback)
        column.addWidget(text_label("This proves the copy you keep is readable. If you cannot "
                                    "find the group, go Back and look again.", "hint"))
        column.addStretch(1)
        self.answer.textChanged.connect(self._typed)

    def initializePage(self) -> None:
        self.setSubTitle(f"From your printed or written copy, type group {self.group_index} "
                         "of the recovery key.")
        self.prompt.setText(f"Group {self.group_index}")
        self.prompt.setBuddy(self.answer)
        self.answer.setAccessibleName(f"Group {self.group_index} of the recovery key")
        self.answer.clear()
        self.answer.setFocus()

    def expected(self) -> str:
        return recovery_groups(self.wizard().recovery_key)[self.group_index - 1]

    def _typed(self, text: str) -> None:
        typed = normalise_group(text)
        wrong = len(typed) >= len(self.expected()) and typed != self.expected()
        self.feedback.setText(f"That is not group {self.group_index}. Check your copy."
                              if wrong else "")
        self.feedback.setVisible(wrong)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return normalise_group(self.answer.text()) == self.expected()
