"""Every window fits the screen it opens on (a 1366x768 laptop loses about 40 px to the
panel and 30 px to the title bar): a window is never taller or wider than the available
area, and it sits inside it."""

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# The window manager's title bar and borders lie outside a widget's own geometry.
FRAME_HEIGHT = 32
FRAME_WIDTH = 8
# Tests set this to check every window against a 1366x768 laptop on any screen.
forced_area: QRect | None = None


def available_area(widget: QWidget | None = None) -> QRect:
    """The part of the screen a window may use (no task bar or panel)."""
    if forced_area is not None:
        return QRect(forced_area)
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def room(widget: QWidget | None = None) -> QSize:
    """The largest size a window's contents may have and still fit with its frame."""
    area = available_area(widget)
    return QSize(area.width() - FRAME_WIDTH, area.height() - FRAME_HEIGHT)


def fit_window(window: QWidget, wanted: QSize | None = None) -> None:
    """Resize `window` to `wanted` (default: its current size), but no larger than the room
    on its screen, lower its minimum size if that alone would not fit, and move it inside."""
    space = room(window)
    wanted = wanted or window.size()
    minimum = window.minimumSize()
    window.setMinimumSize(min(minimum.width(), space.width()), min(minimum.height(), space.height()))
    window.setMaximumSize(space)
    window.resize(min(wanted.width(), space.width()), min(wanted.height(), space.height()))
    area = available_area(window)
    frame = window.frameGeometry()
    x = min(max(frame.x(), area.x()), area.right() - window.width() - FRAME_WIDTH + 1)
    y = min(max(frame.y(), area.y()), area.bottom() - window.height() - FRAME_HEIGHT + 1)
    if (x, y) != (frame.x(), frame.y()):
        window.move(max(x, area.x()), max(y, area.y()))


def fits(window: QWidget) -> bool:
    """The window's frame lies inside the available area of its screen."""
    area = available_area(window)
    frame = window.frameGeometry()
    height = max(frame.height(), window.height() + FRAME_HEIGHT)
    width = max(frame.width(), window.width())
    return width <= area.width() and height <= area.height()
