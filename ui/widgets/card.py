"""A white card with a title: how record screens group what they show."""

from PySide6.QtWidgets import QFrame, QVBoxLayout

from ui.widgets.forms import text_label


def card(title: str = "") -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    column = QVBoxLayout(frame)
    column.setContentsMargins(18, 14, 18, 14)
    column.setSpacing(8)
    if title:
        heading = text_label(title, "subheading")
        heading.setAccessibleName(title)
        column.addWidget(heading)
    return frame, column
