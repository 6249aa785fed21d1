"""Print the recovery sheet on paper (QtPrintSupport, when this Qt build has it)."""

from datetime import date
from html import escape

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QDialog, QWidget

try:
    from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter

    from ui.dialogs import printing
except ImportError:  # a Qt build without print support: the button is simply not offered
    QAbstractPrintDialog = QPrintDialog = QPrinter = printing = None


NO_PRINTER = ("No printer is set up on this computer, so the recovery sheet was not printed. Write "
              "the key down by hand, check it twice, and keep the paper locked away from the computer.")


def available() -> bool:
    return QPrinter is not None


def sheet_html(service_name: str, recovery_key: str) -> str:
    groups = " ".join(escape(g) for g in recovery_key.split("-"))
    return f"""
<h1>Confide recovery sheet</h1>
<p><b>Service:</b> {escape(service_name)}<br><b>Printed:</b> {date.today():%d/%m/%Y}</p>
<p style="font-family: monospace; font-size: 22pt; letter-spacing: 2px;">{groups}</p>
<p>This key opens the Confide vault if this computer's credential store loses the device
secret, or the computer is replaced, or a manager forgets their passphrase.</p>
<p><b>Keep this sheet locked away, apart from the computer.</b> Anyone holding it and a copy
of the vault can read everything in it. Do not photograph it, scan it or save it as a file.</p>
"""


def print_sheet(parent: QWidget, service_name: str, recovery_key: str) -> bool:
    """Show the print dialog; True when the sheet was sent to a printer."""
    if QPrinter is None:
        return False
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if printing.no_printer(parent, printer, NO_PRINTER):
        return False
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print the recovery sheet")
    # Paper only: a PDF of the recovery key on disk would sit beside the vault it opens.
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    if printer.outputFileName() or printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
        return False
    document = QTextDocument()
    document.setHtml(sheet_html(service_name, recovery_key))
    document.print_(printer)
    return True
