"""Reports (managers): choose a period, count the figures on the worker with progress, look at
them (tables and bar charts), switch between the exact internal figures and the published
ones, then export or print."""

from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.report import Report
from app.errors import ConfideError
from app.security.session import Session
from app.services.national import evaluation
from app.services.reports import figures as reports
from app.services.reports import national_return
from ui.clipboard import SecretClipboard
from ui.dialogs import files
from ui.dialogs.national_dialogs import (
    InactivePeriodDialog,
    LevelMappingDialog,
    StandardsRegisterDialog,
)
from ui.dialogs.opening import open_dialog
from ui.formatting import describe_error
from ui.operations import Operations
from ui.refresh import Refresher
from ui.report_exports import ReportExports, safe_file_name
from ui.throttle import throttled
from ui.widgets.forms import text_label
from ui.widgets.period_picker import PeriodPicker
from ui.widgets.report_figures import ReportFigures

PUBLISHED_HINT = ("As published: counts from 1 to 4 show as 'fewer than 5', a figure that would let one be "
                  "worked out from a total as 'withheld', and staff as 'Worker 1, 2…', so no family or "
                  "colleague can be identified.")
EXACT_HINT = ("Exact figures, for the service only. They can identify families: the PDF is encrypted, "
              "and CSV files keep the published figures.")


class ReportsView(QWidget):
    def __init__(self, session: Session, ops: Operations, clipboard: SecretClipboard,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.report: Report | None = None
        self.building = False
        self.opened = False  # the first count also chooses the period (opening_period)
        self.exports = ReportExports(self, ops, clipboard, session)

        self.period = PeriodPicker()
        self.build_button = QPushButton("&Show figures")
        self.build_button.setProperty("primary", True)
        choose = QHBoxLayout()
        choose.addWidget(self.period, 1)
        choose.addWidget(self.build_button)

        self.published = QRadioButton("&As published (fewer than 5)")
        self.exact = QRadioButton("E&xact figures (internal)")
        self.published.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.published)
        group.addButton(self.exact)
        self.pdf_button = QPushButton("Export &PDF…")
        self.csv_button = QPushButton("Export &CSV…")
        self.preview_button = QPushButton("Print pre&view…")
        self.print_button = QPushButton("Pri&nt…")
        # The network's terms (docs/national.md): the return, and what the figures rest on.
        self.return_pdf_button = QPushButton("National return P&DF…")
        self.return_csv_button = QPushButton("National return CS&V…")
        self.mapping_button = QPushButton("&Map old levels…")
        self.inactive_button = QPushButton("&Inactive after…")
        self.standards_button = QPushButton("Minimum S&tandards…")
        self.form_button = QPushButton("Evaluation f&orm…")
        # Rows short enough that nothing is cut short at 1366 px: what to count, which version,
        # what to do with it (the report or the national return), and the network's set-up.
        version = QHBoxLayout()
        version.addWidget(self.published)
        version.addWidget(self.exact)
        version.addStretch(1)
        actions = QHBoxLayout()
        for button in (self.pdf_button, self.csv_button, self.preview_button, self.print_button,
                       self.return_pdf_button, self.return_csv_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.version_hint = text_label(PUBLISHED_HINT, "hint")
        national = QHBoxLayout()
        for button in (self.mapping_button, self.inactive_button, self.standards_button, self.form_button):
            national.addWidget(button)
        national.addStretch(1)

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName("Counting progress")
        self.progress.hide()
        self.status = text_label("", "hint")
        self.error = text_label("", "error")
        self.error.hide()
        self.figures = ReportFigures()
        self.empty = text_label("Choose a period and press Show figures.", "hint")

        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 12)
        column.setSpacing(10)
        column.addWidget(text_label("Reports", "heading"))
        column.addLayout(choose)
        column.addLayout(version)
        column.addWidget(self.version_hint)
        column.addLayout(actions)
        column.addLayout(national)
        column.addWidget(self.progress)
        column.addWidget(self.status)
        column.addWidget(self.error)
        column.addWidget(self.empty)
        column.addWidget(self.figures, 1)

        self.build_button.clicked.connect(self.build)
        self.exact.toggled.connect(self._version_changed)
        self.period.changed.connect(self._period_changed)
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.preview_button.clicked.connect(lambda: self.preview())
        self.print_button.clicked.connect(lambda: self.print())
        self.return_pdf_button.clicked.connect(lambda: self.export_return("pdf"))
        self.return_csv_button.clicked.connect(lambda: self.export_return("csv"))
        self.mapping_button.clicked.connect(lambda: self.map_levels())
        self.inactive_button.clicked.connect(lambda: self.inactive_period())
        self.standards_button.clicked.connect(lambda: self.standards())
        self.form_button.clicked.connect(lambda: self.evaluation_form())
        # Counted once when first shown; again only when asked (figures are for a period).
        self.refresher = Refresher(self, session, ops, (), self.build)
        self._update_buttons()

    @property
    def output_buttons(self) -> tuple[QPushButton, ...]:
        return (self.pdf_button, self.csv_button, self.preview_button, self.print_button, self.return_pdf_button,
                self.return_csv_button)

    @property
    def exact_figures(self) -> bool:
        return self.exact.isChecked()

    # --- counting ------------------------------------------------------------------------
    def build(self) -> bool:
        if self.building or self.session.locked:
            return False
        try:
            period = self.period.period()
        except ConfideError as exc:
            self._show_error(exc)
            return False
        self.error.hide()
        self.building = True
        self.progress.setValue(0)
        self.progress.show()
        session, first = self.session, not self.opened
        self.status.setText("Counting the figures for the latest quarter with contacts…" if first
                            else f"Counting the figures for {period.label}…")
        self._update_buttons()

        def count(progress):
            # On the worker, like the count itself: the database is never read on the GUI thread.
            chosen = reports.opening_period(session) if first else period
            return reports.build_report(session, chosen, progress=throttled(progress))

        self.ops.run(count, on_done=self._built, on_error=self._build_failed, on_progress=self._progressed)
        return True

    def _progressed(self, percent: int, text: str) -> None:
        self.progress.setValue(percent)
        self.progress.setFormat(f"{percent}%  {text}")

    def _built(self, report: Report) -> None:
        self.building = False
        self.progress.hide()
        if self.session.locked:
            return
        self.report = report
        if not self.opened:
            self.opened = True
            self.period.blockSignals(True)
            self.period.set_period(report.period)
            self.period.blockSignals(False)
        self.status.setText(f"{report.period.label}: {report.period.start:%d/%m/%Y} to "
                            f"{report.period.end:%d/%m/%Y}, counted {report.generated_on:%d/%m/%Y}.")
        self.empty.hide()
        self.figures.show_report(report, self.exact_figures)
        self._update_buttons()

    def _build_failed(self, exc: Exception) -> None:
        self.building = False
        self.progress.hide()
        self.status.clear()
        self._show_error(exc)
        self._update_buttons()

    def _version_changed(self, exact: bool) -> None:
        self.version_hint.setText(EXACT_HINT if exact else PUBLISHED_HINT)
        self.version_hint.setProperty("kind", "warning" if exact else "hint")
        self.version_hint.style().unpolish(self.version_hint)
        self.version_hint.style().polish(self.version_hint)
        self.csv_button.setText("Export &CSV (published)…" if exact else "Export &CSV…")
        if self.report is not None:
            self.figures.show_report(self.report, exact)

    def _period_changed(self) -> None:
        if self.report is not None and not self.building:
            self.status.setText(f"Showing {self.report.period.label}. Press Show figures for the period chosen.")

    # --- output --------------------------------------------------------------------------
    def export_pdf(self) -> bool:
        return self.report is not None and self.exports.export_pdf(self.report, self.exact_figures,
                                                                   self.status.setText)

    def export_csv(self) -> bool:
        return self.report is not None and self.exports.export_csv(self.report, self.status.setText)

    def preview(self):
        return self.exports.preview(self.report, self.exact_figures) if self.report is not None else None

    def print(self) -> bool:
        return self.report is not None and self.exports.print(self.report, self.exact_figures)

    # --- the network's terms ---------------------------------------------------------------
    def export_return(self, fmt: str) -> bool:
        """The national return for the period on screen, published figures only."""
        if self.report is None:
            return False
        report, session = self.report, self.session
        name = f"National return {safe_file_name(report.period.label)}"
        path = files.save_path(self, "Save the national return", files.documents_folder() / f"{name}.{fmt}",
                               "PDF files (*.pdf)" if fmt == "pdf" else "CSV files (*.csv)")
        if path is None:
            return False
        if path.suffix.lower() != f".{fmt}":
            path = path.with_name(f"{path.name}.{fmt}")
        self.ops.run(lambda _p: national_return.export_return(session, report, path, fmt),
                     on_done=lambda written: self.status.setText(f"National return saved to {written.path}."),
                     on_error=self._show_error)
        return True

    def map_levels(self) -> LevelMappingDialog:
        return open_dialog(LevelMappingDialog(self.session, self.ops, self), delete_when_closed=True)

    def inactive_period(self) -> InactivePeriodDialog:
        dialog = open_dialog(InactivePeriodDialog(self.session, self.ops, self), delete_when_closed=True)
        dialog.accepted.connect(lambda: self.status.setText(
            f"Saved. {len(dialog.changed)} case{'s' if len(dialog.changed) != 1 else ''} became inactive."))
        return dialog

    def standards(self) -> StandardsRegisterDialog:
        return open_dialog(StandardsRegisterDialog(self.session, self.ops, self), delete_when_closed=True)

    def evaluation_form(self) -> bool:
        path = files.save_path(self, "Save the printed evaluation form",
                               files.documents_folder() / "Evaluation form.pdf", "PDF files (*.pdf)")
        if path is None:
            return False
        session = self.session
        self.ops.run(lambda _p: evaluation.export_blank_form(session, path),
                     on_done=lambda written: self.status.setText(f"Evaluation form saved to {written}."),
                     on_error=self._show_error)
        return True

    # --- state ---------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        ready = self.report is not None and not self.building and not self.ops.busy
        for button in self.output_buttons:
            button.setEnabled(ready)
        self.build_button.setEnabled(not self.building and not self.ops.busy)

    def _show_error(self, exc: BaseException) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

    def set_busy(self, busy: bool) -> None:
        self._update_buttons()

    def clear(self) -> None:
        self.report = None
        self.figures.clear()
        self.status.clear()
        self.empty.show()
        self.refresher.stale = True
        self._update_buttons()
