"""A stored signature redrawn from its strokes, scaled to fit, for reading a consent record."""

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.domain.signature import Signature


class SignatureView(QWidget):
    def __init__(self, signature: Signature, parent: QWidget | None = None):
        super().__init__(parent)
        self.signature = signature
        self.setAccessibleName("Signature")
        self.setAccessibleDescription("The signature drawn on screen when consent was given.")
        self.setFixedHeight(120)
        self.setMinimumWidth(300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(6, 6, -6, -6)
        painter.setPen(QPen(QColor("#c4cdd5"), 1))
        painter.drawRect(area)
        sig = self.signature
        scale = min(area.width() / max(sig.width, 1), area.height() / max(sig.height, 1))
        left = area.left() + (area.width() - sig.width * scale) / 2
        top = area.top() + (area.height() - sig.height * scale) / 2
        painter.setPen(QPen(QColor("#1f2933"), 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        for stroke in sig.strokes:
            points = [QPointF(left + x * scale, top + y * scale) for x, y in stroke]
            if len(points) == 1:
                painter.drawPoint(points[0])
            for a, b in zip(points, points[1:], strict=False):
                painter.drawLine(a, b)
        painter.end()
