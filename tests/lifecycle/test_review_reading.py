"""How the retention review reads the database (docs/lifecycle.md "The review"): the
dashboard's count and oldest records are exactly the full list's, yet only the records it
shows are dated and no table is read in full, so its cost follows the records past their date
and not every case ever held."""

from datetime import UTC, date, datetime, timedelta

from app.domain import retention
from app.services.casework import enquiries
from app.services.lifecycle import decisions, review
from app.services.sar import register as sar_register
from tests.lifecycle.support import closed_case
from tests.unit.casework_helpers import phone_enquiry


def _general_enquiry(session, received: datetime) -> str:
    return enquiries.record_enquiry(session, phone_enquiry(anonymous=True, anonymous_first_name="Sam",
                                                           received_at=received)).enquiry.id


def _case(session, born: str, closed: str, last: str = "Hartley") -> tuple[str, str]:
    """A closed case whose child was born on `born`, written as a record migrated from a
    previous system would have it (the people service refuses a child over 25 today)."""
    case_id, _, child = closed_case(session, born="2010-01-01", opened="2000-01-01", closed=closed, last=last)
    conn = session.conn
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE person SET date_of_birth = ? WHERE id = ?", (born, child))
    conn.execute("COMMIT")
    return case_id, child


def _shown(found):
    return [(d.kind, d.record_id, d.reference, d.due_on, d.basis, d.blocked_by) for d in found]


def test_the_oldest_and_the_count_are_the_full_lists_own(session):
    conn = session.conn
    _case(session, "2008-03-15", "2015-01-01", "Young")      # due at 25: 2033
    _case(session, "2000-01-01", "2014-06-01", "Later")      # due at 25: 2025
    _case(session, "2004-02-29", "2016-01-01", "Leapling")   # due at 25: 2029-03-01
    _case(session, "1990-05-05", "2016-01-01", "Plain")      # due 2022
    feb, _ = _case(session, "1990-05-05", "2018-02-28", "Feb")      # due 2024-02-28
    march, _ = _case(session, "1990-05-05", "2018-03-01", "March")  # due 2024-03-01
    leap, _ = _case(session, "1990-05-05", "2020-02-29", "Leap")    # due 2026-03-01
    extended, _ = _case(session, "1990-05-05", "2013-01-01", "Kept")
    decisions.extend(session, "case", extended, "2028-06-01", "Tribunal appeal")     # due 2028-06-01
    unread, child = _case(session, "1990-05-05", "2017-07-07", "Unread")
    # A date of birth SQLite cannot read counts as unknown (the closure rule alone), as before.
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE person SET date_of_birth = 'not known' WHERE id = ?", (child,))
    conn.execute("COMMIT")
    _general_enquiry(session, datetime(2020, 2, 29, 15, 0, tzinfo=UTC))                # due 2022-03-01
    _general_enquiry(session, datetime(2021, 6, 1, 9, 0, tzinfo=UTC))                  # due 2023-06-01
    for on in (date(2022, 3, 1), date(2024, 2, 29), date(2024, 3, 1), date(2026, 2, 28), date(2026, 3, 1),
               date(2028, 6, 1), date(2029, 2, 28), date(2029, 3, 1), date(2034, 1, 1)):
        full = review.due_records(conn, on)
        assert [d.due_on for d in full] == sorted(d.due_on for d in full)
        for limit in range(1, len(full) + 2):
            total, oldest = review.oldest_due(conn, on, limit)
            assert total == len(full)
            assert _shown(oldest) == _shown(full[:limit]), (on, limit)
    assert [d.kind for d in review.due_records(conn, date(2023, 6, 1))].count("enquiry") == 2

    def due_ids(on):
        return {d.record_id for d in review.due_records(conn, on)}

    assert feb in due_ids(date(2024, 2, 29)) and march not in due_ids(date(2024, 2, 29))
    assert leap not in due_ids(date(2026, 2, 28)) and leap in due_ids(date(2026, 3, 1))
    assert extended not in due_ids(date(2028, 5, 31)) and extended in due_ids(date(2028, 6, 1))
    unread_due = next(d for d in review.due_records(conn, date(2024, 1, 1)) if d.record_id == unread)
    assert unread_due.due_on == date(2023, 7, 7) and "date of birth not known" not in unread_due.basis


def test_the_dashboard_dates_only_the_records_it_shows(session, monkeypatch):
    """Working out a due date for every record past its date was most of the dashboard's time
    at 50,000 cases. A due date is worked out in Python for a plain ISO day and by SQLite's
    date() with a modifier otherwise (about 10 microseconds): both are counted."""
    for year in range(2010, 2018):
        for month in (1, 4, 7, 10):
            _case(session, "1990-05-05", f"{year}-{month:02d}-01", f"Case{year}{month}")
    conn = session.conn
    dated = []

    def counted_date(value, modifier):
        dated.append(value)
        years = int(modifier.split()[0])
        return retention.years_after(date.fromisoformat(value[:10]), years).isoformat() if value else None

    real_years_after = retention.years_after

    def counted_years_after(day, years):
        dated.append(day)
        return real_years_after(day, years)

    conn.create_function("date", 2, counted_date, deterministic=True)
    monkeypatch.setattr(review.retention, "years_after", counted_years_after)
    total, oldest = review.oldest_due(conn, date(2026, 1, 1), 5)
    assert total == 32 and [d.due_on for d in oldest] == [date(2016, m, 1) for m in (1, 4, 7, 10)] + [date(2017, 1, 1)]
    # Two dates a record (closing, birthday) for the 5 shown, the one that ends the reading and
    # the one the driver has read ahead; all 32 (64 dates) before.
    assert dated, "no due date was worked out"
    assert len(dated) <= 2 * (5 + 2), f"{len(dated)} dates worked out to show 5 records of 32"


def test_the_review_reads_no_table_in_full(session):
    _case(session, "1990-05-05", "2015-01-01")
    _general_enquiry(session, datetime(2019, 1, 1, 9, 0, tzinfo=UTC))
    conn = session.conn
    statements = []
    conn.set_trace_callback(statements.append)
    try:
        total, _ = review.oldest_due(conn, date(2026, 1, 1), 50)
    finally:
        conn.set_trace_callback(None)
    assert total == 2
    plans = {sql: [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
             for sql in statements if sql.lstrip().upper().startswith("SELECT")}
    for table in ("casefile", "person", "enquiry"):
        full = [(sql, plan) for sql, plan in plans.items() if any(step.startswith(f"SCAN {table}") for step in plan)]
        assert not full, f"{table} read in full: {full}"


def _vm_steps(conn, read) -> int:
    """SQLite's virtual-machine steps (in tens) that `read` takes: what it reads, whatever the machine's load."""
    ticks = [0]

    def tick():
        ticks[0] += 1
        return 0

    conn.set_progress_handler(tick, 10)
    try:
        read()
    finally:
        conn.set_progress_handler(None, 10)
    return ticks[0]


def test_what_blocks_the_full_list_is_read_from_the_people_a_request_is_about(session):
    """The full review once read every closed case, and every listed enquiry by its id, to find
    the few an open subject access request is about (docs/lifecycle.md "The review"): its cost
    grew with every record held. Now the same blocks are read through the people's indexes."""
    conn = session.conn
    about, _ = _case(session, "1990-05-05", "2015-01-10", "Asked")
    parent = conn.execute("SELECT client_id FROM casefile WHERE id = ?", (about,)).fetchone()[0]
    _case(session, "1990-05-05", "2015-02-10", "Other")
    from_parent = enquiries.record_enquiry(session, phone_enquiry(caller_id=parent, received_at=datetime(
        2019, 1, 1, 9, 0, tzinfo=UTC))).enquiry.id
    sar_register.register(session, "2026-11-01", parent, "subject", requester_name="Mabel Asked",
                          identity_method="passport", identity_received_on="2026-11-01", today=date(2026, 11, 2))
    general = [_general_enquiry(session, datetime(2019, 2, 1, 9, 0, tzinfo=UTC)) for _ in range(2)]
    before_cases = _vm_steps(conn, lambda: review.blocks_for_cases(conn))
    before_enquiries = _vm_steps(conn, lambda: review.blocks_for_enquiries(conn, [from_parent, *general]))
    for n in range(30):
        _case(session, "1990-05-05", "2015-03-10", f"More{n}")
        general.append(_general_enquiry(session, datetime(2019, 3, 1, 9, 0, tzinfo=UTC)))
    cases_blocked = review.blocks_for_cases(conn)
    assert cases_blocked == {about: ["an open subject access request"]}
    assert review.blocks_for_enquiries(conn, [from_parent, *general]) == {from_parent: ["an open subject access request"]}
    due = {d.record_id: d.blocked_by for d in review.due_records(conn, date(2026, 12, 1))}
    assert due[about] == ["an open subject access request"] and due[from_parent] == ["an open subject access request"]
    assert sum(1 for blocks in due.values() if blocks) == 2
    # Thirty more closed cases and enquiries no request is about: before, each read (hundreds of steps).
    assert _vm_steps(conn, lambda: review.blocks_for_cases(conn)) - before_cases < 20
    assert _vm_steps(conn, lambda: review.blocks_for_enquiries(conn, [from_parent, *general])) - before_enquiries < 20


class _CountingRows:
    """The connection as the review uses it, counting the rows each statement hands back."""

    def __init__(self, conn):
        self.conn, self.rows = conn, 0

    def execute(self, *args):
        found = self.conn.execute(*args).fetchall()
        self.rows += len(found)
        return _Rows(found)


class _Rows(list):
    def fetchone(self):
        return self[0] if self else None

    def fetchall(self):
        return list(self)


def test_the_full_list_reads_the_requests_peoples_records_not_every_closed_case(session):
    """What stops a record being erased was found by reading every closed case (and each
    enquiry on the list by its id) to compare with the people of open requests: a third of the
    full review's time at 50,000 cases, on the worker but holding the interpreter the window
    needs. The people's own records are looked up instead."""
    blocked, parent, _ = closed_case(session, born="2001-12-31", closed="2019-01-10", last="Asked")
    for n in range(30):     # closed lately: not yet due, and nobody has asked about them
        closed_case(session, born="2001-12-31", closed="2026-01-10", last=f"Recent{n}")
    sar_register.register(session, "2026-11-01", parent, "subject", requester_name="Mabel Asked",
                          identity_method="passport", identity_received_on="2026-11-01", today=date(2026, 11, 2))
    counting = _CountingRows(session.conn)
    found = review.due_records(counting, date(2027, 6, 1))
    assert [d.blocked_by for d in found if d.record_id == blocked] == [["an open subject access request"]]
    assert all(not d.blocked_by for d in found if d.record_id != blocked)
    assert counting.rows < 30, f"{counting.rows} rows read to list {len(found)} records"


def test_due_dates_worked_out_in_python_are_sqlites_own(session):
    """The review works out `date(text, '+N years')` in Python for a plain ISO day, once per
    distinct day (SQLite's date() was most of a review of 85,000 records): on every day of
    eight years, 29 February included, and on texts that are not plain days, the answer is
    date()'s."""
    conn = session.conn
    days = [(date(2012, 1, 1) + timedelta(days=n)).isoformat() for n in range(8 * 366)]
    odd = ["not known", "2004-02-29 10:00", "2004-02-29T10:00:00+00:00", "2004-02-30", "2004-13-01", "0000-01-01",
           "9999-06-01", "2004-2-9", "20040229", "", None, "2004-02-29x"]
    for years in (0, 1, 4, 6, 25, 100):
        later = review._YearsLater(conn, years)
        for text in days + odd:
            assert later(text) == conn.execute("SELECT date(?, ?)", (text, f"+{years} years")).fetchone()[0], \
                (text, years)
            assert later(text) == later(text)     # the second answer from the cache


def test_the_full_list_gives_what_sqlites_date_gives_for_each_record(session):
    conn = session.conn
    _case(session, "2004-02-29", "2016-01-01", "Leapling")
    _case(session, "2004-02-29 10:00", "2016-01-01", "Timed")          # date() reads it: due at 25
    _case(session, "1990-05-05", "2020-02-29", "Leap")
    unread, child = _case(session, "1990-05-05", "2017-07-07", "Unread")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE person SET date_of_birth = 'not known' WHERE id = ?", (child,))
    conn.execute("COMMIT")
    kept, _ = _case(session, "1990-05-05", "2013-01-01", "Kept")
    decisions.extend(session, "case", kept, "2028-06-01", "Tribunal appeal")
    _general_enquiry(session, datetime(2020, 2, 29, 15, 0, tzinfo=UTC))
    expected = {}
    schedule = review.rules(conn)
    case_rule, enquiry_rule = schedule[retention.CLOSED_CASE], schedule[retention.ENQUIRY]
    for cid, due in conn.execute(
            "SELECT c.id, max(date(c.closed_on, ?), coalesce(date(p.date_of_birth, ?), ''), "
            "coalesce((SELECT max(keep_until) FROM retention_extension x WHERE x.case_id = c.id "
            "AND x.deleted_at IS NULL), '')) FROM casefile c JOIN person p ON p.id = c.child_id "
            "WHERE c.status = 'closed'", (f"+{int(case_rule.years or 0)} years", f"+{int(case_rule.until_age)} years")):
        expected[cid] = due
    for eid, due in conn.execute("SELECT id, date(substr(received_at, 1, 10), ?) FROM enquiry WHERE case_id IS NULL",
                                 (f"+{int(enquiry_rule.years or 0)} years",)):
        expected[eid] = due
    found = review.due_records(conn, date(2060, 1, 1))
    assert {d.record_id: d.due_on.isoformat() for d in found} == expected
    assert [(d.due_on, d.reference) for d in found] == sorted((d.due_on, d.reference) for d in found)
