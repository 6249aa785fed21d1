"""The status bar, with its messages never cut short: QStatusBar's own temporary message is
clipped by the permanent items on its right ("Note saved a"), so the message here is a label
that wraps onto another line instead, and the bar grows to hold it. Every message is also
kept, with its time, in a history the Messages button opens (in memory only, and emptied when
Confide locks: a message may name a computer or a colleague)."""

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

HISTORY_LIMIT = 200
MESSAGE_LETTERS = 20


@dataclass(frozen=True)
class Message:
    at: datetime
    text: str

    def line(self) -> str:
        return f"{self.at:%H:%M:%S}  {self.text}"


class MessageBar(QStatusBar):
    messageShown = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.history: list[Message] = []
        self.label = QLabel()
        self.label.setObjectName("statusMessage")
        self.label.setAccessibleName("Status message")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        # Ignored: the message takes whatever width is left, and wraps within it rather than
        # pushing the permanent items off the bar.
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.addWidget(self.label, 1)
        self.history_button = QPushButton("Messages")
        self.history_button.setFlat(True)
        self.history_button.setAutoDefault(False)
        self.history_button.setAccessibleName("Earlier messages")
        self.history_button.setToolTip("Every message shown here since Confide was unlocked")
        self.history_button.clicked.connect(self.open_history)
        self.addPermanentWidget(self.history_button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.clearMessage)
        self.history_window: MessageHistory | None = None

    # QStatusBar's own names, so every caller keeps working.
    def showMessage(self, text: str, timeout: int = 0) -> None:  # noqa: N802 (Qt's name)
        self.label.setText(text)
        self._fit()
        if text:
            self.history.append(Message(datetime.now(), text))  # this computer's time, as "saved at" is
            del self.history[:-HISTORY_LIMIT]
            self.messageShown.emit(text)
        self.timer.stop()
        if timeout > 0:
            self.timer.start(timeout)

    def currentMessage(self) -> str:  # noqa: N802 (Qt's name)
        return self.label.text()

    def clearMessage(self) -> None:  # noqa: N802 (Qt's name)
        self.timer.stop()
        self.label.clear()
        self._fit()

    def forget(self) -> None:
        """Confide locked: the history goes with the rest of what was on screen."""
        self.history.clear()
        if self.history_window is not None:
            self.history_window.close()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        QTimer.singleShot(0, self, self._fit)

    def _fit(self) -> None:
        """Room for every line of the message at the width it has now. While a message shows
        it keeps some twenty letters' width: at 200% text the items on the right took the whole
        bar, and the message stood a letter or two a line in a bar grown tall."""
        least = self.label.fontMetrics().averageCharWidth() * MESSAGE_LETTERS if self.label.text() else 0
        if self.label.minimumWidth() != least:
            self.label.setMinimumWidth(least)
        width = self.label.width()
        needed = self.label.heightForWidth(width) if width > 0 and self.label.text() else 0
        line = self.label.fontMetrics().lineSpacing()
        height = max(needed, line)
        if self.label.minimumHeight() != height:
            self.label.setMinimumHeight(height)

    def open_history(self) -> "MessageHistory":
        if self.history_window is None:
            self.history_window = MessageHistory(self, self.window())
        self.history_window.load()
        self.history_window.show()
        self.history_window.raise_()
        return self.history_window


class MessageHistory(QDialog):
    def __init__(self, bar: MessageBar, parent: QWidget | None = None):
        super().__init__(parent)
        self.bar = bar
        self.setWindowTitle("Messages")
        self.setModal(False)
        self.list = QListWidget()
        self.list.setAccessibleName("Messages, newest first")
        self.list.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(QLabel("Messages shown in the status bar since Confide was unlocked, newest first."))
        column.addWidget(self.list, 1)
        column.addWidget(buttons)
        self.resize(620, 420)
        bar.messageShown.connect(lambda _t: self.load() if self.isVisible() else None)

    def load(self) -> None:
        self.list.clear()
        lines = [m.line() for m in reversed(self.bar.history)]
        self.list.addItems(lines or ["No messages yet."])
