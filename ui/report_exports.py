"""What leaves the service from the Reports page: PDF, a CSV folder, and paper.

- Every file goes through app/services/exports.py, whose POLICY table decides: the published
  version (counts under 5 suppressed, staff as "Worker 1..") is plain; the exact version can
  identify families and names staff, so it is always encrypted (AES-256) under a new password
  that is shown once (docs/security.md).
- CSV from this page carries the published figures.
- Printing uses the version on screen (ui/report_document.py explains how).
Rendering runs on the worker; the report itself is data already counted.
"""

from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.domain.report import Report
from app.security.session import Session
from app.services.reports import export as report_export
from ui.clipboard import SecretClipboard
from ui.dialogs import files, messages, printing
from ui.formatting import describe_error
from ui.operations import Operations
from ui.report_document import report_document
from ui.widgets.secret_panel import PasswordDialog


def safe_file_name(text: str) -> str:
    """A period's label as part of a file name: only what no system allows in one becomes "-"
    (a date's slashes); brackets stay, so "Q3 2026-27 (October to December 2026)" reads as it is."""
    return "".join("-" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in text).strip()


def suggested_pdf_name(report: Report, exact: bool) -> str:
    return f"Service report {safe_file_name(report.period.label)} ({'internal' if exact else 'published'}).pdf"


class ReportExports:
    def __init__(self, parent: QWidget, ops: Operations, clipboard: SecretClipboard, session: Session):
        self.parent, self.ops, self.clipboard, self.session = parent, ops, clipboard, session
        self.password_dialog: PasswordDialog | None = None

    def export_pdf(self, report: Report, exact: bool, on_status) -> bool:
        """Ask where, then render and write on the worker. False if the person cancelled."""
        path = files.save_path(self.parent, "Export the report as PDF",
                               files.documents_folder() / suggested_pdf_name(report, exact), "PDF files (*.pdf)")
        if path is None:
            return False
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")

        session = self.session

        def work(progress):
            progress(10, "Laying out the report")
            return report_export.export_report(session, report, path, "pdf", exact).password

        def done(password: str | None) -> None:
            on_status(f"Report saved to {path}.")
            if password:
                self.show_password(path, password)

        self.ops.run(work, on_done=done, on_error=lambda exc: self._failed("The PDF was not saved.", exc),
                     on_progress=lambda _p, text: on_status(text + "…"))
        return True

    def show_password(self, path: Path, password: str) -> PasswordDialog:
        dialog = PasswordDialog(self.clipboard, "Internal report saved",
                                f"The exact figures are encrypted in {path.name}, in {path.parent}. "
                                "Anyone opening it needs this password.", password, parent=self.parent)
        dialog.finished.connect(dialog.deleteLater)
        self.password_dialog = dialog
        dialog.open()
        return dialog

    def export_csv(self, report: Report, on_status) -> bool:
        folder = files.folder_path(self.parent, "Choose a folder for the CSV files", files.documents_folder())
        if folder is None:
            return False
        target = folder / f"Service report {safe_file_name(report.period.label)} (published)"
        session, count = self.session, len(report.tables)
        self.ops.run(lambda _p: report_export.write_csv_dir(session, report, target, exact=False),
                     on_done=lambda _written: on_status(f"{count} CSV files saved in {target}."),
                     on_error=lambda exc: self._failed("The CSV files were not saved.", exc))
        return True

    def preview(self, report: Report, exact: bool):
        return printing.preview(self.parent, report_document(report, exact, self.parent.font()))

    def print(self, report: Report, exact: bool) -> bool:
        return printing.print_document(self.parent, report_document(report, exact, self.parent.font()))

    def _failed(self, what: str, exc: Exception) -> None:
        messages.warn(self.parent, "Export failed", f"{what} {describe_error(exc)}")
