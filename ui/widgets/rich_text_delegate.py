"""Draws a list row from the rich text in its HtmlRole (bold matches, a grey date), falling
back to the plain DisplayRole, which stays what screen readers and tests read.

Laying out a row's rich text takes a millisecond or two, and a list asks a row's size several
times and then paints it: each row's layout is kept (by its text, font and width) until the
list's rows are reset or removed, so a hundred results are laid out once, not three times
over. Nothing is kept past the list's own rows (a lock clears the list, and with it this)."""

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

HtmlRole = Qt.ItemDataRole.UserRole + 20
PADDING = 6
MAX_KEPT = 1000     # rows' layouts kept at most (a search shows at most a few hundred)


class RichTextDelegate(QStyledItemDelegate):
    def __init__(self, view: QAbstractItemView):
        super().__init__(view)
        self._laid_out: dict[tuple, QTextDocument] = {}
        self._watched = None
        self._watch(view.model())

    def _watch(self, model) -> None:
        if model is None or model is self._watched:
            return
        self._watched = model
        for signal in (model.modelAboutToBeReset, model.rowsAboutToBeRemoved, model.layoutAboutToBeChanged,
                       model.dataChanged):
            signal.connect(self.forget)

    def forget(self, *_args) -> None:
        self._laid_out.clear()

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QTextDocument:
        self._watch(index.model())
        html = index.data(HtmlRole) or ""
        width = max(option.rect.width(), 200)
        key = (html, width, option.font.key())
        document = self._laid_out.get(key)
        if document is None:
            if len(self._laid_out) >= MAX_KEPT:
                self._laid_out.clear()
            document = self._laid_out[key] = QTextDocument()
            document.setDefaultFont(option.font)
            document.setDocumentMargin(PADDING)
            document.setHtml(html)
            document.setTextWidth(width)
        return document

    def paint(self, painter, option, index) -> None:
        if not index.data(HtmlRole):
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else QApplication.style()
        document = self._document(option, index)
        text = option.text
        option.text = ""  # the style draws the background, selection and focus; we draw the words
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        option.text = text
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        painter.save()
        painter.translate(option.rect.topLeft())
        painter.setClipRect(option.rect.translated(-option.rect.topLeft()))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 (Qt's name)
        if not index.data(HtmlRole):
            return super().sizeHint(option, index)
        self.initStyleOption(option, index)
        document = self._document(option, index)
        return QSize(int(document.idealWidth()), int(document.size().height()))
