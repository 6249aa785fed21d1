"""One field of a SAR item, read-only, where the manager selects the words to redact.

Redactions already marked show as black bars (the words stay faintly legible so the
reviewer can check them); suggested names are underlined in amber.

Positions: the services count Python characters in the record's text; Qt counts UTF-16
code units in the text as shown, where "\\r\\n" and "\\r" become one line break. TextMap
converts both ways so a redaction always covers exactly the words selected.
"""

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QTextEdit, QWidget

from ui import theme

REDACTED_BACKGROUND = QColor("#111111")
REDACTED_TEXT = QColor("#9aa5b1")
SUGGESTED_UNDERLINE = QColor("#c2410c")
MAX_LINES = 14
CHROME = 14  # border and padding of the style sheet, until the widget is shown


class TextMap:
    """Maps positions between the original text and the text as Qt shows it."""

    def __init__(self, text: str):
        shown, spans = [], []  # spans[i]: the original [start, end) of shown character i
        i = 0
        while i < len(text):
            if text[i] == "\r":
                end = i + 2 if text[i + 1:i + 2] == "\n" else i + 1
                shown.append("\n")
                spans.append((i, end))
                i = end
                continue
            shown.append(text[i])
            spans.append((i, i + 1))
            i += 1
        self.original = text
        self.shown = "".join(shown)
        self._spans = spans
        self._qt = [0]  # Qt position of each shown character, and of the end
        for ch in shown:
            self._qt.append(self._qt[-1] + (2 if ord(ch) > 0xFFFF else 1))
        self._from_original = {}
        for n, (start, _end) in enumerate(spans):
            self._from_original.setdefault(start, n)
        self._from_original[len(text)] = len(shown)

    def _shown_index(self, qt_pos: int) -> int:
        # The first shown character starting at or after qt_pos (a position inside a
        # surrogate pair cannot be selected in Qt, so this is exact in practice).
        lo, hi = 0, len(self._qt) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self._qt[mid] < qt_pos:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def to_original(self, qt_start: int, qt_end: int) -> tuple[int, int]:
        first, last = self._shown_index(qt_start), self._shown_index(qt_end)
        if first >= last:
            return (0, 0)
        return self._spans[first][0], self._spans[last - 1][1]

    def to_qt(self, start: int, end: int) -> tuple[int, int]:
        first = self._from_original.get(start, self._nearest(start))
        last = self._from_original.get(end, self._nearest(end))
        return self._qt[first], self._qt[last]

    def _nearest(self, index: int) -> int:
        # An index inside a "\r\n" pair: the line break it belongs to.
        return next((n for n, (s, e) in enumerate(self._spans) if s <= index < e), len(self._spans))


class RedactableText(QPlainTextEdit):
    def __init__(self, field_name: str, label: str, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.field_name = field_name
        self.map = TextMap(text)
        self.setReadOnly(True)
        self.setAccessibleName(label)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # Read-only still lets the keyboard select: Shift+arrows, as well as the mouse.
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setPlainText(self.map.shown)
        self._redactions: list[tuple[int, int]] = []
        self._suggestions: list[tuple[int, int]] = []
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as the text at the current width (up to MAX_LINES), so short fields take
        one line and the item reads like a page, not a stack of scroll boxes."""
        metrics = QFontMetrics(self.font())
        width = max(self.viewport().width() - 2 * int(self.document().documentMargin()), 200)
        bounds = metrics.boundingRect(QRect(0, 0, width, 1_000_000), Qt.TextFlag.TextWordWrap,
                                      self.map.shown or " ")
        lines = min(max(round(bounds.height() / metrics.lineSpacing()), 1), MAX_LINES)
        chrome = self.height() - self.viewport().height() if self.isVisible() else CHROME
        # Scrolling only for a long note; a field that fits shows no scroll bar at all.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if lines >= MAX_LINES
                                        else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(lines * metrics.lineSpacing() + 2 * int(self.document().documentMargin()) + chrome + 4)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_height()

    # --- selection, in the original text's positions -----------------------------------------
    def selected_span(self) -> tuple[int, int]:
        cursor = self.textCursor()
        return self.map.to_original(cursor.selectionStart(), cursor.selectionEnd())

    def select_span(self, start: int, end: int) -> None:
        """Select original text [start, end) as a person would (tests and 'find' use this)."""
        qt_start, qt_end = self.map.to_qt(start, end)
        cursor = self.textCursor()
        cursor.setPosition(qt_start)
        cursor.setPosition(qt_end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def has_selection(self) -> bool:
        start, end = self.selected_span()
        return end > start

    # --- marks -----------------------------------------------------------------------------
    def set_marks(self, redactions: list[tuple[int, int]], suggestions: list[tuple[int, int]]) -> None:
        self._redactions, self._suggestions = list(redactions), list(suggestions)
        selections = []
        for (start, end), is_redaction in [(s, False) for s in self._suggestions] + [(r, True) for r in self._redactions]:
            qt_start, qt_end = self.map.to_qt(start, end)
            cursor = QTextCursor(self.document())
            cursor.setPosition(qt_start)
            cursor.setPosition(qt_end, QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            if is_redaction:
                fmt.setBackground(REDACTED_BACKGROUND)
                fmt.setForeground(REDACTED_TEXT)
            else:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                fmt.setUnderlineColor(SUGGESTED_UNDERLINE)
                fmt.setBackground(theme.painted("#fff4e0", "background"))
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format = fmt
            selections.append(selection)
        self.setExtraSelections(selections)

    @property
    def redacted_spans(self) -> list[tuple[int, int]]:
        return list(self._redactions)
