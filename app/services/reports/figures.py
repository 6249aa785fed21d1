"""Figures for a reporting period. Every figure is a plain count
computed in SQL (app.services.reports.counts); suppression of small numbers happens only when a
report leaves the service, and then secondary suppression keeps subtraction from undoing it
(app.domain.suppression)."""

from collections.abc import Callable
from datetime import date

from app.domain.periods import Period
from app.domain.report import SMALL_NUMBER_LIMIT, SUPPRESSED, Report  # noqa: F401  (the screens' names)
from app.domain.role_matrix import Scope, grants
from app.security.session import Session
from app.services.reports import counts as report_counts

TABLE_COUNT = report_counts.TABLE_COUNT
table_count = report_counts.table_count


@grants(Scope.MANAGER,
        "aggregate counts: firewalled cases count in statistics (R1), never by person")
def build_report(session: Session, period: Period, today: date | None = None,
                 progress: Callable[[int, str], None] | None = None) -> Report:
    """`progress(percent, title)` is called as each table is counted (a long period over a large
    database takes a few seconds).

    May raise: PermissionDenied (managers only)."""
    report = Report(period, session.vault.service_name, today or date.today())
    report_counts.count_all(session.conn, report, progress)
    report.protect()
    return report
