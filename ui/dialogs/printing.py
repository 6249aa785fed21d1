"""Print preview and the OS print dialog behind a seam, like messages.py: tests replace
`_exec` so no modal dialog waits for a person.

    printing.preview(parent, document)   # QPrintPreviewDialog, pages drawn by the document
    printing.print_document(parent, document)   # the OS print dialog, then print
"""

from PySide6.QtCore import QSize
from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from ui.dialogs import messages
from ui.widgets.screen_fit import fit_window

NO_PRINTER = ("No printer is set up on this computer, so nothing was printed. Add one in the "
              "computer's printer settings, then print again.")


def _exec(dialog: QDialog) -> int:
    """Tests replace this to accept (or cancel) without showing the dialog."""
    return dialog.exec()


def installed_printers() -> list[str]:
    """The printers the OS offers (none on a computer with no printer set up)."""
    return [info.printerName() for info in QPrinterInfo.availablePrinters()]


def no_printer(parent: QWidget | None, printer: QPrinter, text: str = NO_PRINTER) -> bool:
    """Say so, and return True, when this would go to a printer and there is none: the OS
    dialog would otherwise open empty, or do nothing, and the person would think it printed."""
    # Qt quietly makes a printer a PDF writer when the OS has none; only one given a file
    # name on purpose (tests, a "save as PDF") is really meant for a file.
    if printer.outputFileName() or installed_printers():
        return False
    messages.inform(parent, "No printer", text)
    return True


def new_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))  # UK paper
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setDocName("Service report")  # print queues are visible to others: no names
    return printer


def preview(parent: QWidget | None, document: QTextDocument, printer: QPrinter | None = None) -> QPrintPreviewDialog:
    printer = printer or new_printer()
    dialog = QPrintPreviewDialog(printer, parent)
    # The dialog keeps a bare pointer to the printer and the document: both must outlive it.
    dialog.keep_alive = (printer, document)
    dialog.setWindowTitle("Print preview")
    dialog.paintRequested.connect(document.print_)
    fit_window(dialog, QSize(900, 760))
    _exec(dialog)
    dialog.deleteLater()
    return dialog


def print_document(parent: QWidget | None, document: QTextDocument, printer: QPrinter | None = None) -> bool:
    """True when the person chose to print (the pages are then sent to the printer)."""
    printer = printer or new_printer()
    if no_printer(parent, printer):
        return False
    dialog = QPrintDialog(printer, parent)
    dialog.keep_alive = printer  # as above
    dialog.setWindowTitle("Print the report")
    accepted = _exec(dialog) == QDialog.DialogCode.Accepted
    dialog.deleteLater()
    if accepted:
        document.print_(printer)
    return accepted
