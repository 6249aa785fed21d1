"""A passphrase strength meter: a five-step bar, a word and a hint (app.domain.passphrase)."""

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QVBoxLayout, QWidget

from app.domain import passphrase as rules
from ui.widgets.forms import restyle, text_label


class StrengthMeter(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 4)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.bar.setAccessibleName("Passphrase strength")
        self.word = text_label("", "strength")
        self.word.setWordWrap(False)
        self.hint = text_label("", "hint")
        # The hint's text comes and goes as the strength changes; its room (two lines) stays,
        # so the rows under the meter do not jump while someone types.
        # (A wrapped label's height-for-width otherwise stretches the row above it.)
        line = self.hint.fontMetrics().lineSpacing()
        self.hint.setFixedHeight(2 * line + 2)
        self.word.setFixedHeight(line + 2)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.bar, 1)
        top.addWidget(self.word)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(top)
        column.addWidget(self.hint)
        self.update_for("")

    def update_for(self, text: str) -> None:
        strength = rules.estimate(text)
        # An empty bar at score 0 says nothing; show one sliver so "very weak" is visible.
        self.bar.setValue(max(strength.score, 1) if text else 0)
        self.bar.setProperty("strength", strength.score)
        restyle(self.bar)
        self.word.setText(strength.label if text else "")
        # "Good." under the word "Good" says nothing more; hints are for weaker ones.
        self.hint.setText(strength.hint if strength.score < 3 else "")
        self.bar.setAccessibleDescription(strength.label)
        self.score = strength.score
