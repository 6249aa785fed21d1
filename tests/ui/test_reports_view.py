"""The Reports page: count a period on the worker, show the figures in either version, export
(published PDF plain, exact PDF encrypted with its password shown, CSV), print."""

import io
from datetime import UTC, date, datetime, time, timedelta

from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QPushButton

from app.config import Appearance
from app.domain import periods
from app.services.casework import enquiries
from app.services.casework.enquiries import EnquiryInput
from tests.ui.casework_support import make_workspace, wait_idle
from ui import theme
from ui.dialogs import files, printing
from ui.report_document import report_html
from ui.report_exports import safe_file_name
from ui.widgets.report_figures import FIRST_CARDS


def contacts(session, phone: int = 6, letters: int = 2):
    """Enquiries in May of last financial year: many by phone, a few (under 5) by letter. Returns
    the quarter they fall in (Q1 of that year), where the page opens when nothing is later."""
    period = periods.last_financial_year(date.today())
    when = datetime.combine(period.start + timedelta(days=40), time(10), UTC)
    for n in range(phone + letters):
        enquiries.record_enquiry(session, EnquiryInput(
            channel="phone" if n < phone else "letter", caller_role="parent_carer", topics=["sen_support"],
            summary="Asked about SEN support.", received_at=when + timedelta(hours=n)))
    return periods.financial_quarter(period.start.year, 1)


def pdf_words(path) -> str:
    """Qt's PDF writer separates words with tabs when extracted: compare words only."""
    return " ".join(" ".join(p.extract_text() for p in PdfReader(str(path)).pages).split())


def reports_page(qtbot, session, ops, data_dir):
    """The workspace and the page, counted. Tests hold the workspace: a parentless widget
    nobody references is deleted, with all its pages, when the garbage collector runs."""
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.show_page("Reports")
    qtbot.waitUntil(lambda: view.report is not None and not ops.busy, timeout=5000)
    return workspace, view


def channel_figures(view):
    model = view.figures.model("contacts_by_channel")
    return {model.index(r, 0).data(): model.index(r, 1).data() for r in range(model.rowCount())}


def test_the_report_is_counted_on_the_worker_and_shown_in_either_version(qtbot, session, ops, data_dir):
    period = contacts(session)
    # The latest complete quarter with contacts, counted when the page is first shown.
    _workspace, view = reports_page(qtbot, session, ops, data_dir)
    assert view.report.period == period
    assert period.label in view.status.text()
    figures = channel_figures(view)
    # Phone (6) would be All contacts (8) less Letter: withheld, so "fewer than 5" stays hidden.
    assert figures["Phone"] == "withheld" and figures["Letter"] == "fewer than 5" and figures["All contacts"] == "8"
    assert ("Letter", "fewer than 5") in view.figures.chart("contacts_by_channel").rows
    assert all(button.isEnabled() for button in view.output_buttons)

    view.exact.setChecked(True)  # no counting again: the same report, shown exactly
    assert channel_figures(view)["Letter"] == "2"
    assert "encrypted" in view.version_hint.text() and "(published)" in view.csv_button.text()

    seen = []
    view.period.set_kind("month")
    view.period.year.setCurrentIndex(view.period.year.findData(period.start.year))
    view.period.part.setCurrentIndex(period.start.month - 1)
    view.build()
    view.progress.valueChanged.connect(seen.append)
    assert view.progress.isVisible() and not view.build_button.isEnabled()
    wait_idle(qtbot, ops)
    assert view.report.period == periods.month(period.start.year, period.start.month)
    assert not view.progress.isVisible()


def test_custom_dates_the_wrong_way_round_are_refused(qtbot, session, ops, data_dir):
    _workspace, view = reports_page(qtbot, session, ops, data_dir)
    view.period.set_kind("custom")
    view.period.start.setDate(view.period.end.date().addDays(-1))
    view.period.end.setDate(view.period.start.date().addDays(-5))
    assert not view.build()
    assert "ends before it starts" in view.error.text()


def test_the_exact_pdf_is_encrypted_and_its_password_shown(qtbot, session, ops, data_dir, tmp_path):
    contacts(session)
    _workspace, view = reports_page(qtbot, session, ops, data_dir)
    view.exact.setChecked(True)
    target = tmp_path / "internal.pdf"
    files.set_next_path(target)
    assert view.export_pdf()
    wait_idle(qtbot, ops)
    dialog = view.exports.password_dialog
    password = dialog.panel.password.text()
    assert len(password) == 19 and dialog.isVisible()
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    assert reader.is_encrypted
    assert reader.trailer["/Encrypt"]["/V"] == 5 and reader.trailer["/Encrypt"]["/R"] == 6
    assert reader.decrypt("not the password") == 0 and reader.decrypt(password) != 0
    assert "Phone" in reader.pages[1].extract_text() + reader.pages[2].extract_text()
    dialog.panel.copy_password.click()
    assert "clipboard" in dialog.panel.copied.text()
    dialog.reject()
    assert dialog.panel.password.text() == ""  # gone with the dialog

    view.published.setChecked(True)
    plain = tmp_path / "published"  # ".pdf" is added
    files.set_next_path(plain)
    view.export_pdf()
    wait_idle(qtbot, ops)
    published = PdfReader(io.BytesIO(plain.with_name("published.pdf").read_bytes()))
    assert not published.is_encrypted
    assert "fewer than 5" in "".join(p.extract_text() for p in published.pages)


def test_csv_files_carry_the_published_figures(qtbot, session, ops, data_dir, tmp_path):
    contacts(session)
    _workspace, view = reports_page(qtbot, session, ops, data_dir)
    view.exact.setChecked(True)  # CSV cannot be encrypted: still the published figures
    (tmp_path / "exports").mkdir()
    files.set_next_path(tmp_path / "exports")
    assert view.export_csv()
    wait_idle(qtbot, ops)
    [folder] = list((tmp_path / "exports").iterdir())
    text = (folder / "contacts_by_channel.csv").read_text()
    assert "Letter,fewer than 5" in text and "Phone,withheld" in text and "All contacts,8" in text
    assert "CSV files saved" in view.status.text()


def test_print_preview_and_print_render_the_version_on_screen(qtbot, session, ops, data_dir, tmp_path, monkeypatch):
    contacts(session)
    _workspace, view = reports_page(qtbot, session, ops, data_dir)
    out = tmp_path / "printed.pdf"

    a4_printer = printing.new_printer

    def pdf_printer():
        printer = a4_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return printer

    painted = []

    def fake_exec(dialog):  # as if the person looked at the preview, or pressed Print
        if hasattr(dialog, "paintRequested"):
            printer = pdf_printer()
            dialog.paintRequested.emit(printer)
            painted.append(printer)
        return 1

    monkeypatch.setattr(printing, "_exec", fake_exec)
    view.preview()
    assert painted and out.exists()
    assert "Contacts by channel" in pdf_words(out)

    out.unlink()
    monkeypatch.setattr(printing, "new_printer", pdf_printer)
    assert view.print()
    text = pdf_words(out)
    assert "As published" in text and "fewer than 5" in text


def test_the_printed_version_names_itself(qtbot, session):
    contacts(session)
    from app.services.reports import figures as reports

    report = reports.build_report(session, periods.last_financial_year(date.today()))
    assert "INTERNAL" in report_html(report, exact=True) and "<img src='chart://topics'" in report_html(report, True)
    assert "Worker 1" in report_html(report, exact=False) or "workload" in report_html(report, False).lower()


def test_the_page_opens_on_the_latest_complete_quarter_with_contacts(qtbot, session, ops, data_dir):
    """It opened on last financial year, all zeros when the contacts were more recent; and its
    quarters were calendar quarters, not the financial year's (April to June is Q1)."""
    today = date.today()
    wanted = periods.latest_complete_quarter(today)
    wanted = periods.financial_quarter_of(wanted.start - timedelta(days=1))  # two quarters back
    when = datetime.combine(wanted.start + timedelta(days=3), time(11), UTC)
    for n in range(3):
        enquiries.record_enquiry(session, EnquiryInput(
            channel="email", caller_role="parent_carer", topics=["sen_support"],
            summary="Asked about EHC needs assessment.", received_at=when + timedelta(hours=n)))
    _workspace, view = reports_page(qtbot, session, ops, data_dir)
    assert view.report.period == wanted
    assert view.period.kind.currentData() == "quarter" and view.period.period() == wanted
    assert view.period.kind.currentText() == "Quarter of the financial year"
    assert "fewer than 5" in channel_figures(view).values()
    # The financial year's quarters: Q1 is April to June.
    view.period.part.setCurrentIndex(view.period.part.findData(1))
    assert view.period.part.currentText() == "Q1 (April to June)"
    chosen = view.period.period()
    assert (chosen.start.month, chosen.start.day, chosen.end.month, chosen.end.day) == (4, 1, 6, 30)
    assert chosen.start.year == view.period.year.currentData()


def test_no_button_of_the_page_is_cut_short_at_laptop_width(qtbot, session, ops, data_dir):
    """Seen at 1366x768: the six buttons of the national row were squeezed ("lational return PDF..")."""
    app = QApplication.instance()
    before_font, before_sheet = app.font(), app.styleSheet()
    try:
        theme.apply(app, Appearance())          # the text size Confide runs with
        workspace, view = reports_page(qtbot, session, ops, data_dir)
        workspace.resize(1366, 660)
        workspace.show()
        qtbot.waitExposed(workspace)
        QApplication.processEvents()
        room = 1366 - workspace.nav.width()
        need = view.minimumSizeHint().width()
        cut = [(b.text(), b.width(), b.sizeHint().width()) for b in view.findChildren(QPushButton)
               if b.isVisible() and b.width() < b.sizeHint().width()]
    finally:
        theme.current = Appearance()
        app.setFont(before_font)
        app.setStyleSheet(before_sheet)
    assert need <= room, f"the page needs {need} px, has {room}"
    assert cut == []


def test_suggested_file_names_keep_the_periods_own_words():
    """Seen in the walk: "National return Q3 2026-27 -October to December 2026-.pdf"."""
    quarter = periods.financial_quarter(2026, 3)
    assert safe_file_name(quarter.label) == quarter.label == "Q3 2026-27 (October to December 2026)"
    assert safe_file_name("01/04/2026 to 30/06/2026") == "01-04-2026 to 30-06-2026"
    assert safe_file_name('a:b*c?"d<e>f|g\\h') == "a-b-c--d-e-f-g-h"


def test_a_report_shows_its_first_tables_at_once_and_the_rest_between_events(qtbot, session, ops, data_dir):
    contacts(session)
    _workspace, view = reports_page(qtbot, session, ops, data_dir)
    tables = view.report.tables
    assert len(tables) > FIRST_CARDS
    view.figures.show_report(view.report, False)
    shown = [key for key, card in view.figures.cards.items() if not card.frame.isHidden()]
    assert shown == [t.key for t in tables[:FIRST_CARDS]] and view.figures.filling
    qtbot.waitUntil(lambda: not view.figures.filling, timeout=5000)
    assert all(not view.figures.cards[t.key].frame.isHidden() for t in tables)
