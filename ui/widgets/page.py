"""The parts screens are put together from: a column or a row of widgets and layouts, a page
whose body scrolls, a grid of cards two wide, a card holding a list of records, and a form of
facts filled afresh at each showing.

    column = scroll_page(self, (28, 20, 28, 20), spacing=10)
    add(column, self.heading, button_row(self.edit_button), grid, STRETCH)
"""

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.widgets.card import card
from ui.widgets.forms import text_label
from ui.widgets.record_list import RecordList

STRETCH = "stretch"  # in add(): an empty space that takes what is left


def add(layout: QBoxLayout, *parts) -> QBoxLayout:
    """parts: widgets, layouts, (widget, stretch) pairs, or STRETCH."""
    for part in parts:
        if part is STRETCH:
            layout.addStretch(1)
        elif isinstance(part, tuple):
            layout.addWidget(*part)
        elif isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part)
    return layout


def column(owner: QWidget | None, margins: tuple[int, int, int, int] | None, spacing: int | None,
           *parts) -> QVBoxLayout:
    """A vertical layout (of `owner`, when given) holding `parts`; None keeps Qt's margins or spacing."""
    layout = QVBoxLayout(owner) if owner is not None else QVBoxLayout()
    if margins is not None:
        layout.setContentsMargins(*margins)
    if spacing is not None:
        layout.setSpacing(spacing)
    return add(layout, *parts)


def row(*parts) -> QHBoxLayout:
    return add(QHBoxLayout(), *parts)


def button_row(*buttons: QPushButton, after=()) -> QHBoxLayout:
    """Buttons from the left, then space, then `after` (a filter, a check box). On a screen,
    not a dialog, Enter never presses a button by default."""
    for button in buttons:
        button.setAutoDefault(False)
    return row(*buttons, STRETCH, *after)


class FocusFollower(QObject):
    """Scrolls a page so the field that takes the keyboard focus is in view: a manager who
    reached a field by its Alt key below the fold typed into what they could not see."""

    def __init__(self, scroll: QScrollArea):
        super().__init__(scroll)
        self.scroll = scroll
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self.follow)

    def follow(self, _old: QWidget | None, now: QWidget | None) -> None:
        body = self.scroll.widget()
        if now is not None and body is not None and body.isAncestorOf(now):
            self.scroll.ensureWidgetVisible(now, 24, 24)


def scroll_page(owner: QWidget, margins: tuple[int, int, int, int], spacing: int | None = None,
                name: str = "") -> QVBoxLayout:
    """Fills `owner` with a frameless scroll area; returns the column of its body. The scroll
    area takes focus (the arrow keys scroll it), so a screen reader needs its `name`."""
    body = QWidget()
    layout = column(body, margins, spacing)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(body)
    scroll.setAccessibleName(name)
    FocusFollower(scroll)
    column(owner, (0, 0, 0, 0), None, scroll)
    return layout


ONE_COLUMN_FROM = 175  # per cent of text size


class CardGrid(QGridLayout):
    """Cards two wide, the columns sharing the width equally; at large text (175% and up) one
    wide, in reading order (row by row, left then right), since two cards side by side on a
    1366-pixel laptop cut their fields ("CAS-2026-000") at 200%. Positions are given as for
    two columns either way."""

    def __init__(self, one_column: bool):
        super().__init__()
        self.one_column = one_column
        self.setSpacing(14)
        self.setColumnStretch(0, 1)
        if not one_column:
            self.setColumnStretch(1, 1)

    def addWidget(self, widget, row: int = 0, column: int = 0, row_span: int = 1,  # noqa: N802 (Qt's name)
                  column_span: int = 1, *args) -> None:
        if self.one_column:
            super().addWidget(widget, 2 * row + column, 0, 1, 1, *args)
        else:
            super().addWidget(widget, row, column, row_span, column_span, *args)


def card_grid() -> CardGrid:
    return CardGrid(theme.current.text_size >= ONE_COLUMN_FROM)


def list_card(title: str, accessible_name: str, empty_text: str, max_rows: int = 8) -> tuple[QFrame, QVBoxLayout, RecordList]:
    """A card whose body is a list of records (opened by Enter or double-click)."""
    frame, body = card(title)
    records = RecordList(accessible_name, empty_text, max_rows=max_rows)
    body.addWidget(records)
    return frame, body, records


def clear_form(form: QFormLayout) -> None:
    while form.rowCount():
        form.removeRow(0)


def fill_form(form: QFormLayout, rows) -> None:
    """Replaces the form's rows with (name, value) pairs; each value's label is named for
    screen readers by its row."""
    clear_form(form)
    for name, value in rows:
        label = text_label(value)
        label.setAccessibleName(name)
        form.addRow(text_label(name, "hint"), label)
