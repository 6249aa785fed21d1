"""Period boundaries in UK local time: enquiries at 23:30 and 00:30 local either side of every
day boundary around the clock changes (last Sunday of March and of October), and at month and
quarter ends in summer time, are counted in the right period whatever offset they were saved
with. Older rows saved with an offset are converted by schema 8."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.domain import periods
from app.domain.periods import LONDON
from app.services.casework import enquiries
from app.services.casework.enquiries import EnquiryInput
from app.services.reports import figures as reports
from app.storage import migrations

NOW = datetime(2027, 1, 1, 12, tzinfo=UTC)
# Last Sundays: BST starts 29/03/2026, ends 25/10/2026.
BOUNDARIES = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30),
              date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26),
              date(2026, 3, 31), date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 1),
              date(2026, 9, 30), date(2026, 10, 1), date(2026, 12, 31)]


def _record(session, moment: datetime):
    return enquiries.record_enquiry(session, EnquiryInput(channel="phone", caller_role="anonymous", anonymous=True,
                                                          topics=[], received_at=moment), now=NOW)


def _contacts(session, start: date, end: date) -> int:
    report = reports.build_report(session, periods.custom(start, end))
    return report.table("contacts_by_channel").rows[-1][1]


@pytest.mark.parametrize("day", BOUNDARIES, ids=str)
def test_23_30_and_00_30_local_fall_on_their_own_side_of_midnight(session, day):
    late = datetime.combine(day, time(23, 30), LONDON)  # the last half hour of `day`
    early = datetime.combine(day + timedelta(days=1), time(0, 30), LONDON)  # the first of the next
    _record(session, late)
    _record(session, early)
    assert _contacts(session, day, day) == 1
    assert _contacts(session, day + timedelta(days=1), day + timedelta(days=1)) == 1
    assert _contacts(session, day - timedelta(days=1), day - timedelta(days=1)) == 0
    stored = [r[0] for r in session.conn.execute("SELECT received_at FROM enquiry ORDER BY received_at")]
    assert all(s.endswith("+00:00") for s in stored)  # one form: UTC


def test_the_issue_examples_quarter_and_month_ends_in_summer_time(session):
    _record(session, datetime(2026, 3, 31, 23, 30, tzinfo=LONDON))  # BST: March, not April
    _record(session, datetime(2026, 6, 30, 23, 59, tzinfo=LONDON))  # BST: June, not dropped
    _record(session, datetime(2026, 7, 1, 0, 30, tzinfo=LONDON))   # BST: July
    q1, q2, q3 = (reports.build_report(session, periods.quarter(2026, n)) for n in (1, 2, 3))
    assert [q.table("contacts_by_channel").rows[-1][1] for q in (q1, q2, q3)] == [1, 1, 1]
    months = {r[0]: r[1] for r in q2.table("contacts_by_month").rows}
    assert months["Jun 2026"] == 1 and months["Apr 2026"] == 0


def test_a_naive_time_is_taken_as_this_computers_local_time_and_stored_in_utc(session, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/London")
    import time as _time

    _time.tzset()
    try:
        result = _record(session, datetime(2026, 6, 30, 23, 59))
        stored = session.conn.execute("SELECT received_at FROM enquiry WHERE id = ?", (result.enquiry.id,)).fetchone()[0]
        assert stored == "2026-06-30T22:59:00+00:00"
    finally:
        monkeypatch.delenv("TZ")
        _time.tzset()


def test_schema_7_converts_times_saved_with_an_offset(session, data_dir):
    result = _record(session, datetime(2026, 6, 30, 23, 59, tzinfo=LONDON))
    conn = session.conn
    # As an older version saved it: local time with its offset.
    conn.execute("UPDATE enquiry SET received_at = '2026-06-30T23:59:00+01:00' WHERE id = ?", (result.enquiry.id,))
    assert _contacts(session, date(2026, 6, 1), date(2026, 6, 30)) == 0  # text against UTC bounds: dropped
    # Run this branch's step itself (its version number is settled when branches merge).
    [step] = [s for _v, s in migrations.MIGRATIONS if s.__name__ == "_v008_complaints_and_utc"]
    conn.execute("DROP TABLE dp_complaint")
    conn.execute("BEGIN IMMEDIATE")
    step(conn)
    conn.execute("COMMIT")
    assert conn.execute("SELECT received_at FROM enquiry").fetchone()[0] == "2026-06-30T22:59:00+00:00"
    assert _contacts(session, date(2026, 6, 1), date(2026, 6, 30)) == 1
