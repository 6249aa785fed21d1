"""Figures for a reporting period. Every figure is a plain count
computed in SQL (app.services.reports.counts); suppression of small numbers happens only when a
report leaves the service, and then secondary suppression keeps subtraction from undoing it
(app.domain.suppression)."""

from collections.abc import Callable
from datetime import date, datetime

from app import clock
from app.domain import periods
from app.domain.periods import LONDON, Period
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


@grants(Scope.MANAGER, "aggregate: the date of the latest contact, nothing about anyone")
def opening_period(session: Session, today: date | None = None) -> Period:
    """The period the Reports page opens on: the most recent complete financial quarter with
    any contact in it (a page of zeros tells a manager nothing). With no contact before the
    current quarter, the current quarter if it has any; else the quarter just ended.

    May raise: PermissionDenied (managers only)."""
    today = today or clock.now().astimezone(LONDON).date()
    current = periods.financial_quarter_of(today)
    current_lo, _hi = current.utc_bounds
    latest = session.conn.execute(
        "SELECT max(received_at) FROM enquiry WHERE deleted_at IS NULL AND received_at < ?",
        (current_lo,)).fetchone()[0]
    if latest:
        return periods.financial_quarter_of(datetime.fromisoformat(latest).astimezone(LONDON).date())
    lo, hi = current.utc_bounds
    if session.conn.execute("SELECT 1 FROM enquiry WHERE deleted_at IS NULL AND received_at >= ? "
                            "AND received_at < ? LIMIT 1", (lo, hi)).fetchone():
        return current
    return periods.latest_complete_quarter(today)
