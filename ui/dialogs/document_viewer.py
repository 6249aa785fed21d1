"""A PDF or a picture shown inside Confide, from memory (docs/documents.md, "Viewing").

The bytes come from the vault into a QByteArray; QtPdf reads the PDF through a QBuffer over
it and QImage decodes a picture from it. No file is written: not beside the vault, not in a
temporary folder (tests/security/test_document_no_temp.py scans them for canaries)."""

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.documents import Document
from app.domain.text import uk_date
from ui.widgets.forms import text_label


class DocumentViewer(QDialog):
    def __init__(self, document: Document, data: bytes | bytearray, parent: QWidget | None = None):
        super().__init__(parent)
        # Window titles reach taskbars and screen sharing: the title goes in the heading only.
        self.setWindowTitle("Document")
        self.document = document
        self.resize(900, 660)      # fits a 1366x768 laptop with its task bar
        column = QVBoxLayout(self)
        column.addWidget(text_label(document.title, "subheading"))
        column.addWidget(text_label(f"{document.kind_label} · {uk_date(document.document_date)} · {document.source} · "
                                    f"{document.size_label}" + (f"\n{document.basis}" if document.basis else ""),
                                    "hint"))
        self._bytes = QByteArray(data)
        self.pdf: QPdfDocument | None = None
        self.image: QImage | None = None
        if document.media_type == "application/pdf":
            self._buffer = QBuffer(self._bytes, self)
            self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self.pdf = QPdfDocument(self)
            self.pdf.load(self._buffer)
            self.view = QPdfView(self)
            self.view.setDocument(self.pdf)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.view.setAccessibleName("The document's pages")
            column.addWidget(self.view, 1)
            bar = QHBoxLayout()
            self.pages = text_label(f"{self.pdf.pageCount()} pages" if self.pdf.pageCount() != 1 else "1 page", "hint")
            bar.addWidget(self.pages)
            bar.addStretch(1)
            for text, mode in (("Fit &width", QPdfView.ZoomMode.FitToWidth), ("Whole &page", QPdfView.ZoomMode.FitInView)):
                button = QPushButton(text)
                button.setAutoDefault(False)
                button.clicked.connect(lambda _c=False, m=mode: self.view.setZoomMode(m))
                bar.addWidget(button)
            column.addLayout(bar)
        else:
            self.image = QImage.fromData(self._bytes)
            self.picture = QLabel()
            self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.picture.setAccessibleName("The picture")
            self.scroll = QScrollArea()
            self.scroll.setWidget(self.picture)
            self.scroll.setWidgetResizable(True)
            column.addWidget(self.scroll, 1)
            self.fit = True     # a phone's photo is thousands of pixels wide: whole by default
            if self.image.isNull():
                self.picture.setText("This picture cannot be shown: its file may be damaged.")
            else:
                bar = QHBoxLayout()
                bar.addWidget(text_label(f"{self.image.width()} × {self.image.height()} pixels", "hint"))
                bar.addStretch(1)
                for text, fit in (("&Fit the window", True), ("&Actual size", False)):
                    button = QPushButton(text)
                    button.setAutoDefault(False)
                    button.clicked.connect(lambda _c=False, f=fit: self.set_fit(f))
                    bar.addWidget(button)
                column.addLayout(bar)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def set_fit(self, fit: bool) -> None:
        self.fit = fit
        self._show_picture()

    def _show_picture(self) -> None:
        if self.image is None or self.image.isNull():
            return
        picture = QPixmap.fromImage(self.image)
        room = self.scroll.viewport().size()
        if self.fit and (picture.width() > room.width() or picture.height() > room.height()):
            picture = picture.scaled(room, Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
        self.picture.setPixmap(picture)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._show_picture()

    def page_count(self) -> int:
        return self.pdf.pageCount() if self.pdf is not None else 1

    def done(self, result: int) -> None:
        # The decrypted bytes go as the window goes.
        if self.pdf is not None:
            self.pdf.close()
        self._bytes.clear()
        super().done(result)
