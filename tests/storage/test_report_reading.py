"""How the period report reads its cases (app/services/reports/period_cases.py, docs/national.md
"What a report reads"): through indexes, so its cost follows the period's cases and not every
case ever held; and the rows it reads are exactly the ones a table scan found, whichever range it
reads by, for any status and for dates typed the wrong way round."""

import json
from datetime import date

import pytest

from app.domain import periods
from app.services.casework import cases
from app.services.national import levels, states
from app.services.reports import counts, national_counts, period_cases
from app.services.reports import figures as reports
from tests.unit.casework_helpers import family

WHOLE_TABLES = {"c", "h", "casefile", "case_level_change", "case_state_change"}
# The table scans the report ran before it read through indexes: the reference for its rows.
SCAN_TOUCHING = ("SELECT c.child_id, c.worker, c.opened_on, c.closed_on, c.closure_reason, c.outcomes, c.id, c.level "
                 "FROM casefile c NOT INDEXED WHERE c.deleted_at IS NULL AND (c.opened_on <= :end AND "
                 "(c.closed_on IS NULL OR c.closed_on >= :start) OR c.opened_on BETWEEN :start AND :end "
                 "OR c.closed_on BETWEEN :start AND :end)")
SCAN_ACTIVE = ("FROM casefile c NOT INDEXED WHERE c.deleted_at IS NULL AND c.opened_on <= :end "
               "AND (c.closed_on IS NULL OR c.closed_on >= :start)")
SCAN_HISTORY = ("SELECT h.case_id, h.{column}, h.changed_on, h.created_at, h.rowid FROM casefile c NOT INDEXED "
                "JOIN {table} h NOT INDEXED ON h.case_id = c.id " + SCAN_ACTIVE.split("WHERE", 1)[1].join(
                    ("WHERE", "")) + " AND h.deleted_at IS NULL AND h.changed_on <= :end")


def _case(session, opened, level="level_2"):
    parent, kid = family(session)
    return cases.open_case(session, parent.id, kid.id, level=level, opened_on=opened).id


def _set(session, case_id, **columns):
    conn = session.conn
    conn.execute("BEGIN IMMEDIATE")
    for column, value in columns.items():
        conn.execute(f"UPDATE casefile SET {column} = ? WHERE id = ?", (value, case_id))
    conn.execute("COMMIT")


@pytest.fixture
def history(session):
    """Ten years of cases, with the odd ones a migration or a sync can bring."""
    s = session
    for year in range(2016, 2027):
        old = _case(s, date(year, 5, 1))
        cases.close_case(s, old, "resolved", ["better_informed"], closed_on=date(year, 9, 1))
        long = _case(s, date(year, 6, 1), level="level_1")
        levels.change_level(s, long, "level_3", on=date(year + 1, 2, 1))
        levels.change_level(s, long, "level_4", on=date(year, 7, 1))   # backdated, written last
        if year < 2025:
            cases.close_case(s, long, "resolved", [], closed_on=date(year + 2, 1, 15))
    idle = _case(s, date(2021, 3, 1))
    states.make_inactive(s, idle, on=date(2021, 8, 1))
    odd = _case(s, date(2020, 1, 10))
    _set(s, odd, status="Closed ", closed_on="2020-06-01")                # a status spelt otherwise
    wrong_way = _case(s, date(2022, 6, 1))
    _set(s, wrong_way, status="closed", closed_on="2021-12-01")           # closed before it opened
    later = _case(s, date(2024, 11, 1))
    _set(s, later, status="closed", closed_on="2023-10-01")               # opened after, closed in a year
    gone = _case(s, date(2023, 6, 1))
    _set(s, gone, deleted_at="2024-01-01T00:00:00+00:00")
    return s


PERIODS = [periods.financial_year(y) for y in range(2015, 2027)] + [
    periods.quarter(2020, 2), periods.month(2021, 12), periods.academic_year(2023),
    periods.custom(date(2016, 1, 1), date(2026, 12, 31))]


def _rows(conn, sql, q):
    return sorted((tuple(row) for row in conn.execute(sql, q)), key=repr)


def _q(period):
    lo, hi = period.utc_bounds
    return {"lo": lo, "hi": hi, "start": period.start.isoformat(), "end": period.end.isoformat()}


def test_the_cases_read_by_either_range_are_the_table_scans_own(history):
    conn = history.conn
    for period in PERIODS:
        q = _q(period)
        touching = _rows(conn, SCAN_TOUCHING, q)
        active = _rows(conn, "SELECT c.id, c.level, c.closed_on " + SCAN_ACTIVE, q)
        level_history = _rows(conn, SCAN_HISTORY.format(column="level", table="case_level_change"), q)
        state_history = _rows(conn, SCAN_HISTORY.format(column="state", table="case_state_change"), q)
        for by in (False, True):
            assert _rows(conn, counts.TOUCHING[by], q) == touching, (period.label, by)
            assert _rows(conn, national_counts.ACTIVE_CASES[by], q) == active, (period.label, by)
            ids = {"ids": json.dumps([row[0] for row in conn.execute(national_counts.ACTIVE_CASES[by], q)])}
            assert _rows(conn, national_counts.LEVEL_HISTORY, q | ids) == level_history, (period.label, by)
            assert _rows(conn, national_counts.STATE_HISTORY, q | ids) == state_history, (period.label, by)
    assert touching and active and level_history and state_history  # the last period holds every case


def test_an_early_period_reads_by_opening_and_a_recent_one_by_closing(history):
    assert period_cases.early(history.conn, _q(periods.financial_year(2016)))
    assert not period_cases.early(history.conn, _q(periods.financial_year(2025)))


def test_no_report_statement_reads_every_case_or_every_history_entry(history):
    """Every statement the report runs, for a recent year and an early one: none scans casefile
    or a history table (before: three scans of casefile and one of case_level_change)."""
    conn = history.conn
    for period in (periods.financial_year(2025), periods.financial_year(2016)):
        ran = []
        conn.set_trace_callback(ran.append)
        try:
            reports.build_report(history, period, today=date(2026, 7, 15))
        finally:
            conn.set_trace_callback(None)
        selects = [sql for sql in ran if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
        assert any("casefile" in sql for sql in selects)
        for sql in selects:
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
            scans = {step.split()[1] for step in plan if step.startswith("SCAN ")}
            assert not scans & WHOLE_TABLES, (period.label, sql, plan)


def test_the_report_reads_the_periods_cases_once(history):
    """The levels table counts the active cases from the rows the other case tables read
    (counts._case_figures): a second read of the period's cases cost 130-210 ms of CPU at
    200,000 cases. The figures are the ones the first test proves against table scans."""
    conn = history.conn
    for period in (periods.financial_year(2025), periods.financial_year(2016)):
        ran = []
        conn.set_trace_callback(ran.append)
        try:
            report = reports.build_report(history, period, today=date(2026, 7, 15))
        finally:
            conn.set_trace_callback(None)
        reads = [sql for sql in ran if "FROM casefile c INDEXED BY" in sql]
        assert len(reads) == 1, (period.label, reads)
        active = _rows(conn, "SELECT c.id, c.level, c.closed_on " + SCAN_ACTIVE, _q(period))
        assert report.value(report.cell(national_counts.LEVELS, national_counts.ALL_ACTIVE)) == len(active)
        assert national_counts.level_state_counts(conn, _q(period)) == \
            national_counts.level_state_counts(conn, _q(period), active), period.label
