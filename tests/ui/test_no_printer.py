"""Printing with no printer set up says so, instead of silently doing nothing."""

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QWidget

from ui.dialogs import messages, printing, recovery_sheet


def _opened_print_dialog(_dialog):
    raise AssertionError("the print dialog opened although there is no printer")


def test_no_printer_is_said_plainly(qtbot, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    monkeypatch.setattr(printing, "installed_printers", lambda: [])
    monkeypatch.setattr(printing, "_exec", _opened_print_dialog)
    messages.set_next_answer(True)
    assert printing.print_document(parent, QTextDocument()) is False
    assert messages.last_shown == ("No printer", printing.NO_PRINTER)

    messages.set_next_answer(True)
    assert recovery_sheet.print_sheet(parent, "Northshire SENDIASS", "AAAAA-BBBBB") is False
    assert messages.last_shown[0] == "No printer" and "Write the key down by hand" in messages.last_shown[1]


def test_a_file_printer_needs_no_printer(qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(printing, "installed_printers", lambda: [])
    printer = printing.new_printer()
    printer.setOutputFormat(printer.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    assert printing.no_printer(None, printer) is False
