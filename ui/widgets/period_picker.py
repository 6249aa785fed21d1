"""Choose a reporting period: a financial year (April to March), an academic year (September
to August), a quarter of the financial year (April to June is Q1, as the service reports them),
a month, or any two dates. The Reports page sets where it starts (app.services.reports.figures
opening_period)."""

import calendar
from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from app.domain import periods
from app.domain.periods import Period
from ui.widgets.choices import date_edit, date_of

KINDS = [("financial", "Financial year"), ("academic", "Academic year"), ("quarter", "Quarter of the financial year"),
         ("month", "Month"), ("custom", "Custom dates")]
YEARS_BACK = 10


class PeriodPicker(QWidget):
    changed = Signal()

    def __init__(self, today: date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.today = today or date.today()
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of period")
        for value, label in KINDS:
            self.kind.addItem(label, value)
        self.year = QComboBox()
        self.year.setAccessibleName("Year")
        self.part = QComboBox()  # the quarter or the month
        self.part.setAccessibleName("Quarter or month")
        self.start = date_edit("From", self.today.replace(day=1))
        self.end = date_edit("To", self.today)
        self.to_label = QLabel("to")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.kind, self.year, self.part, self.start, self.to_label, self.end):
            row.addWidget(widget)
        row.addStretch(1)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for combo in (self.year, self.part):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        for edit in (self.start, self.end):
            edit.dateChanged.connect(lambda _d: self.changed.emit())
        self._kind_changed()
        self.set_period(periods.latest_complete_quarter(self.today))

    # --- what is chosen --------------------------------------------------------------------
    def period(self) -> Period:
        """May raise: ValidationError (custom dates the wrong way round)."""
        kind, year = self.kind.currentData(), self.year.currentData()
        if kind == "financial":
            return periods.financial_year(year)
        if kind == "academic":
            return periods.academic_year(year)
        if kind == "quarter":
            return periods.financial_quarter(year, self.part.currentData())
        if kind == "month":
            return periods.month(year, self.part.currentData())
        return periods.custom(date_of(self.start), date_of(self.end))

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def set_period(self, period: Period) -> None:
        """Show a financial year or one of its quarters, or else the dates as custom."""
        if (period.start.month, period.start.day) == (4, 1) and period.end == date(period.start.year + 1, 3, 31):
            self.set_kind("financial")
            self.year.setCurrentIndex(max(self.year.findData(period.start.year), 0))
            return
        in_quarter = periods.financial_quarter_of(period.start)
        if (in_quarter.start, in_quarter.end) == (period.start, period.end):
            self.set_kind("quarter")
            starting = period.start.year if period.start.month >= 4 else period.start.year - 1
            self.year.setCurrentIndex(max(self.year.findData(starting), 0))
            self.part.setCurrentIndex((period.start.month - 4) % 12 // 3)
            return
        self.set_kind("custom")
        self.start.setDate(QDate(period.start.year, period.start.month, period.start.day))
        self.end.setDate(QDate(period.end.year, period.end.month, period.end.day))

    # --- the fields each kind needs ---------------------------------------------------------
    def _kind_changed(self, *_args) -> None:
        kind = self.kind.currentData()
        keep = self.year.currentData()
        self.year.blockSignals(True)
        self.year.clear()
        if kind in ("financial", "academic", "quarter"):
            first_month = 9 if kind == "academic" else 4
            latest = self.today.year if self.today.month >= first_month else self.today.year - 1
            for y in range(latest, latest - YEARS_BACK, -1):
                self.year.addItem(f"{y}-{str(y + 1)[2:]}", y)
        else:
            for y in range(self.today.year, self.today.year - YEARS_BACK, -1):
                self.year.addItem(str(y), y)
        self.year.setCurrentIndex(max(self.year.findData(keep), 0))
        self.year.blockSignals(False)
        self.part.blockSignals(True)
        self.part.clear()
        if kind == "quarter":
            for n, months in enumerate(periods.FINANCIAL_QUARTER_MONTHS, start=1):
                self.part.addItem(f"Q{n} ({months})", n)
            self.part.setCurrentIndex((self.today.month - 4) % 12 // 3)
        elif kind == "month":
            for n in range(1, 13):
                self.part.addItem(calendar.month_name[n], n)
            self.part.setCurrentIndex(self.today.month - 1)
        self.part.blockSignals(False)
        custom = kind == "custom"
        self.year.setVisible(not custom)
        self.part.setVisible(kind in ("quarter", "month"))
        for widget in (self.start, self.to_label, self.end):
            widget.setVisible(custom)
        self.changed.emit()
