"""A box to sign in with a mouse, a pen (tablet) or a finger (touch screen). It keeps the
strokes as point lists, which the service stores inside the database; no image is saved.

Pen and touch events are accepted here, so Qt does not also synthesise mouse events from
them; a stroke in progress from one device ignores the others, so nothing is drawn twice.
"""

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.domain.signature import Signature

INK = QColor("#102a43")
BORDER = QColor("#7b8794")
GUIDE = QColor("#9aa5b1")
PEN_WIDTH = 2.6


class SignaturePad(QWidget):
    changed = Signal()  # a stroke finished, or the pad was cleared

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setMinimumSize(420, 170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(190)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("Signature box")
        self.setAccessibleDescription("Sign here with the mouse, a pen or a finger.")
        self._strokes: list[list[QPointF]] = []
        self._current: list[QPointF] | None = None
        self._device: str | None = None  # "mouse", "tablet" or "touch" while a stroke is drawn
        self._invalid = False

    # --- what the form reads -----------------------------------------------------------
    def strokes(self) -> list[list[tuple[float, float]]]:
        return [[(p.x(), p.y()) for p in stroke] for stroke in self._strokes]

    def is_empty(self) -> bool:
        return not self._strokes

    def form_value(self) -> tuple:
        """What the discard question compares: the strokes drawn. Drafts never keep it (see
        ui/drafts.py): a signature stored apart from its consent could be put under words
        the person never saw."""
        return tuple(len(stroke) for stroke in self._strokes)

    def signature(self) -> Signature:
        """The strokes in this pad's coordinates; the service decides whether it is enough."""
        return Signature.from_points(self.strokes(), self.width(), self.height())

    def clear(self) -> None:
        self._strokes.clear()
        self._current, self._device = None, None
        self.update()
        self.changed.emit()

    def set_invalid(self, invalid: bool) -> None:
        """Draw the border in the error colour (the message sits underneath)."""
        self._invalid = invalid
        self.update()

    # --- strokes -------------------------------------------------------------------------
    def _begin(self, device: str, pos: QPointF) -> bool:
        if self._device is not None or not self.isEnabled():
            return False
        self._device = device
        self._current = [QPointF(pos)]
        self._strokes.append(self._current)
        self.update()
        return True

    def _extend(self, device: str, pos: QPointF) -> None:
        if self._device == device and self._current is not None:
            self._current.append(QPointF(pos))
            self.update()

    def _end(self, device: str, pos: QPointF | None = None) -> None:
        if self._device != device:
            return
        if pos is not None and self._current is not None:
            self._current.append(QPointF(pos))
        self._current, self._device = None, None
        self.update()
        self.changed.emit()

    def mousePressEvent(self, event):  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton and self._begin("mouse", event.position()):
            event.accept()
        else:
            event.ignore()

    def mouseMoveEvent(self, event):  # noqa: N802
        self._extend("mouse", event.position())

    def mouseReleaseEvent(self, event):  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._end("mouse", event.position())

    def tabletEvent(self, event):  # noqa: N802
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin("tablet", event.position())
        elif kind == QEvent.Type.TabletMove:
            self._extend("tablet", event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._end("tablet", event.position())
        event.accept()

    def event(self, event):
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel):
            points = event.points()
            pos = points[0].position() if points else None
            if kind == QEvent.Type.TouchBegin and pos is not None:
                self._begin("touch", pos)
            elif kind == QEvent.Type.TouchUpdate and pos is not None:
                self._extend("touch", pos)
            else:
                self._end("touch", pos)
            event.accept()
            return True
        return super().event(event)

    # --- drawing -------------------------------------------------------------------------
    def paintEvent(self, _event):  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.fillRect(box, QColor("white") if self.isEnabled() else QColor("#eef0f2"))
        painter.setPen(QPen(QColor("#a61b1b") if self._invalid else BORDER, 2 if self._invalid else 1.2))
        painter.drawRoundedRect(box, 6, 6)
        baseline = box.bottom() - 42
        painter.setPen(QPen(GUIDE, 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(box.left() + 24, baseline), QPointF(box.right() - 24, baseline))
        painter.setPen(GUIDE)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        painter.setFont(font)
        painter.drawText(QPointF(box.left() + 26, baseline - 8), "×")
        if not self._strokes and self.isEnabled():
            small = painter.font()
            small.setPointSizeF(small.pointSizeF() / 1.6)
            painter.setFont(small)
            painter.drawText(QRectF(box.left(), baseline + 6, box.width(), 28), Qt.AlignmentFlag.AlignCenter,
                             "Sign here with the mouse, a pen or a finger")
        pen = QPen(INK, PEN_WIDTH, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for stroke in self._strokes:
            if len(stroke) == 1:
                painter.drawPoint(stroke[0])
                continue
            path = QPainterPath(stroke[0])
            for point in stroke[1:]:
                path.lineTo(point)
            painter.drawPath(path)
        painter.end()
