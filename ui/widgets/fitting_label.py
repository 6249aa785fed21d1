"""A one-line label with a long and a short wording (the status bar's notices): the long one when
it fits, the short one when it does not. At 200% text a status bar cannot hold every long
wording on a 1366-pixel screen, and a label then showed only "Weaker protection: device secret
ke"; its minimum width is now its short wording's, so the bar shrinks it to a whole phrase. The
long wording stays its tooltip and its accessible description."""

from collections.abc import Sequence

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class FittingLabel(QLabel):
    def __init__(self, wordings: Sequence[str], parent: QWidget | None = None):
        super().__init__(wordings[0], parent)
        self._wordings: tuple[str, ...] = ()
        # Never wider than the long wording: room left over goes to the passing message.
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        self.set_wordings(wordings)

    def set_wordings(self, wordings: Sequence[str]) -> None:
        """Longest first, shortest last."""
        self._wordings = tuple(wordings)
        self.setAccessibleName(self._wordings[0])
        self._choose(self.width() if self.isVisible() else None)
        self.updateGeometry()

    def wordings(self) -> tuple[str, ...]:
        return self._wordings

    def _chrome(self) -> int:
        # Padding and border from the style sheet: what a wording needs beyond its letters.
        return super().sizeHint().width() - self.fontMetrics().horizontalAdvance(self.text())

    def _need(self, wording: str) -> int:
        return self.fontMetrics().horizontalAdvance(wording) + self._chrome()

    def sizeHint(self) -> QSize:
        return QSize(self._need(self._wordings[0]), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self._need(self._wordings[-1]), super().minimumSizeHint().height())

    def _choose(self, width: int | None) -> None:
        chosen = self._wordings[0] if width is None else next(
            (w for w in self._wordings if self._need(w) <= width), self._wordings[-1])
        if chosen != self.text():
            self.setText(chosen)

    def resizeEvent(self, event) -> None:
        self._choose(event.size().width())
        super().resizeEvent(event)
