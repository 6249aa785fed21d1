"""A plain horizontal bar chart drawn with QPainter (QtCharts is not part of PySide6-Essentials).

One bar per row, its label on the left and its value on the right. A figure suppressed as
"fewer than 5" is drawn as a hatched stub labelled "<5", so the chart never shows a number
the table does not. The same painting makes the images in the printed report.
"""

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui import theme

BAR = QColor("#1b6396")
SUPPRESSED_BAR = QColor("#8a96a3")
TEXT = QColor("#1f2933")
GRID = QColor("#d5dbe1")
ROW_HEIGHT = 24
PADDING = 6

Rows = list[tuple[str, int | str]]


def _numeric(value) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def preferred_height(rows: Rows, row_height: int = ROW_HEIGHT) -> int:
    return max(len(rows), 1) * row_height + 2 * PADDING


def paint_bars(painter: QPainter, area: QRectF, rows: Rows, font: QFont, row_height: float = ROW_HEIGHT,
               themed: bool = False) -> None:
    """Draw the rows into `area`. Labels take up to 40% of the width, values their own space.
    `themed`: in the theme on screen (a printed chart keeps the standard colours, on paper)."""
    text, grid, bar = ((theme.painted(TEXT), theme.painted(GRID, "border"), theme.painted(BAR, "background"))
                       if themed else (TEXT, GRID, BAR))
    painter.save()
    painter.setFont(font)
    metrics = QFontMetrics(font)
    labels_width = min(max((metrics.horizontalAdvance(str(r[0])) for r in rows), default=0) + 12,
                       area.width() * 0.4)
    value_width = max((metrics.horizontalAdvance(_value_text(r[1])) for r in rows), default=0) + 12
    bar_left = area.left() + labels_width
    bar_space = max(area.width() - labels_width - value_width, 10)
    top_value = max((_numeric(r[1]) for r in rows), default=0) or 1
    painter.setPen(QPen(grid, 1))
    painter.drawLine(int(bar_left), int(area.top()), int(bar_left), int(area.top() + len(rows) * row_height))
    for i, (label, value) in enumerate(rows):
        y = area.top() + i * row_height
        text_rect = QRectF(area.left(), y, labels_width - 8, row_height)
        painter.setPen(text)
        elided = metrics.elidedText(str(label), Qt.TextElideMode.ElideRight, int(text_rect.width()))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, elided)
        bar_height = row_height * 0.62
        bar_top = y + (row_height - bar_height) / 2
        if isinstance(value, int | float):
            width = bar_space * _numeric(value) / top_value
            painter.fillRect(QRectF(bar_left, bar_top, width, bar_height), bar)
        else:  # suppressed: a short hatched stub, not a length that would reveal the count
            width = max(bar_space * 0.02, 6)
            painter.fillRect(QRectF(bar_left, bar_top, width, bar_height),
                             QBrush(SUPPRESSED_BAR, Qt.BrushStyle.BDiagPattern))
        painter.setPen(text)
        painter.drawText(QRectF(bar_left + width + 6, y, value_width, row_height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, _value_text(value))
    painter.restore()


def _value_text(value) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return "<5" if value == "fewer than 5" else str(value)


def chart_image(rows: Rows, width: int, font: QFont, scale: float = 2.0) -> QImage:
    """The chart as an image (for the printed report); `scale` keeps it sharp on paper."""
    height = preferred_height(rows)
    image = QImage(int(width * scale), int(height * scale), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(scale, scale)
    paint_bars(painter, QRectF(PADDING, PADDING, width - 2 * PADDING, height - 2 * PADDING), rows, font)
    painter.end()
    return image


NO_FIGURES = "No figures to show."


class BarChart(QWidget):
    def __init__(self, accessible_name: str = "Chart", parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setAccessibleDescription(NO_FIGURES)
        self.rows: Rows = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: Rows) -> None:
        self.rows = list(rows)
        # Screen readers get the figures as words; the table beside it has them too.
        self.setAccessibleDescription("; ".join(f"{label}: {_value_text(v)}" for label, v in self.rows)
                                      or NO_FIGURES)
        self.setFixedHeight(preferred_height(self.rows))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(360, preferred_height(self.rows))

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self.rows:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(PADDING, PADDING, -PADDING, -PADDING)
        paint_bars(painter, area, self.rows, self.font(), themed=True)
        painter.end()
