"""Figures for a reporting period (issue: the manager's desk). Every figure is a plain count
computed in SQL; suppression of small numbers happens only when a report leaves the service."""

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from app.domain.choices import (
    CallerRole,
    Channel,
    Outcome,
    PrimaryNeed,
    Route,
    SchoolPhase,
    SupportLevel,
    Topic,
)
from app.domain.periods import LONDON, Period
from app.domain.staff import Role
from app.domain.text import age_on
from app.security.session import Session

SMALL_NUMBER_LIMIT = 5
SUPPRESSED = "fewer than 5"
AGE_BANDS = [("0-4", 0, 4), ("5-10", 5, 10), ("11-15", 11, 15), ("16-19", 16, 19), ("20-25", 20, 25)]


def shown(value: int, exact: bool) -> int | str:
    """Counts from 1 to 4 leave the service as 'fewer than 5' so no family can be identified."""
    if exact or not isinstance(value, int) or value == 0 or value >= SMALL_NUMBER_LIMIT:
        return value
    return SUPPRESSED


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]  # first cell a label, then counts
    chart: str | None = None  # "bar", "pie" or None
    note: str = ""
    names_people: bool = False  # labels are staff names: replaced by "Worker 1.." outside the service
    total_last: bool = False  # the last row is a total: shown in the table, left out of the chart

    def total(self, column: int = 1) -> int:
        return sum(r[column] for r in self.rows if isinstance(r[column], int))

    def shown_rows(self, exact: bool) -> list[list]:
        rows = [[r[0], *(shown(v, exact) for v in r[1:])] for r in self.rows]
        if self.names_people and not exact:
            rows = [[f"Worker {i}", *r[1:]] for i, r in enumerate(rows, start=1)]
        return rows


@dataclass
class Report:
    period: Period
    service_name: str
    generated_on: date
    tables: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def to_json(self, exact: bool = False) -> dict:
        return {
            "service": self.service_name,
            "period": {"label": self.period.label, "from": self.period.start.isoformat(),
                       "to": self.period.end.isoformat()},
            "generated_on": self.generated_on.isoformat(),
            "small_numbers_suppressed": not exact,
            "tables": [{"key": t.key, "title": t.title, "columns": t.columns, "rows": t.shown_rows(exact),
                        "note": t.note} for t in self.tables],
        }


def _choice_rows(enum, counts: Counter) -> list[list]:
    rows = [[member.label, counts.get(member.value, 0)] for member in enum]
    known = {m.value for m in enum}
    rows += [[str(k), v] for k, v in counts.items() if k not in known and k is not None]
    return rows


TABLE_COUNT = 14  # the tables build_report makes, for its progress


def build_report(session: Session, period: Period, today: date | None = None,
                 progress: Callable[[int, str], None] | None = None) -> Report:
    """`progress(percent, title)` is called as each table is counted (a long period over a large
    database takes a few seconds).

    May raise: PermissionDenied (managers only)."""
    session.require(Role.MANAGER)
    conn = session.conn
    lo, hi = period.utc_bounds
    start, end = period.start.isoformat(), period.end.isoformat()
    report = Report(period, session.vault.service_name, today or date.today())

    def add(table: Table) -> None:
        report.tables.append(table)
        if progress:
            progress(min(99, round(100 * len(report.tables) / TABLE_COUNT)), table.title)

    q = {"lo": lo, "hi": hi, "start": start, "end": end}
    enquiries_in = "FROM enquiry e WHERE e.deleted_at IS NULL AND e.received_at >= :lo AND e.received_at < :hi"
    active_cases = ("FROM casefile c WHERE c.deleted_at IS NULL AND c.opened_on <= :end "
                    "AND (c.closed_on IS NULL OR c.closed_on >= :start)")

    total = conn.execute(f"SELECT count(*) {enquiries_in}", q).fetchone()[0]
    by_channel = Counter(dict(conn.execute(f"SELECT e.channel, count(*) {enquiries_in} GROUP BY e.channel", q)))
    add(Table("contacts_by_channel", "Contacts by channel", ["Channel", "Contacts"],
                               _choice_rows(Channel, by_channel) + [["All contacts", total]], chart="pie",
                               total_last=True))

    by_month = Counter()
    for (received,) in conn.execute(f"SELECT e.received_at {enquiries_in}", q):
        local = datetime.fromisoformat(received).astimezone(LONDON)
        by_month[(local.year, local.month)] += 1
    add(Table("contacts_by_month", "Contacts by month", ["Month", "Contacts"],
                               [[date(y, m, 1).strftime("%b %Y"), by_month.get((y, m), 0)]
                                for y, m in period.months()], chart="bar"))

    helped = Counter()
    for role, callers, anonymous in conn.execute(
            f"SELECT e.caller_role, count(DISTINCT e.caller_id), sum(e.caller_id IS NULL) {enquiries_in} "
            "GROUP BY e.caller_role", q):
        helped[role] = callers + (anonymous or 0)
    add(Table("people_helped", "People helped, by role", ["Role", "People"],
                               _choice_rows(CallerRole, helped), chart="bar",
                               note="Named people are counted once; each anonymous contact counts as one person."))

    new = conn.execute("SELECT count(*) FROM casefile c WHERE c.deleted_at IS NULL AND c.opened_on BETWEEN :start AND :end",
                       q).fetchone()[0]
    continuing = conn.execute(f"SELECT count(*) {active_cases} AND c.opened_on < :start", q).fetchone()[0]
    closed = conn.execute("SELECT count(*) FROM casefile c WHERE c.deleted_at IS NULL AND c.closed_on BETWEEN :start AND :end",
                          q).fetchone()[0]
    add(Table("cases", "New and continuing cases", ["Cases", "Count"],
                               [["New cases opened", new], ["Continuing from before the period", continuing],
                                ["Cases closed", closed]], chart="bar"))

    levels = Counter(dict(conn.execute(f"SELECT c.level, count(*) {active_cases} GROUP BY c.level", q)))
    add(Table("level_of_support", "Level of support (cases active in the period)",
                               ["Level", "Cases"], _choice_rows(SupportLevel, levels), chart="bar"))

    topics = Counter(dict(conn.execute(
        "SELECT t.topic, count(*) FROM enquiry_topic t JOIN enquiry e ON e.id = t.enquiry_id "
        "WHERE e.deleted_at IS NULL AND e.received_at >= :lo AND e.received_at < :hi GROUP BY t.topic", q)))
    add(Table("topics", "Topics raised", ["Topic", "Contacts"], _choice_rows(Topic, topics),
                               chart="bar", note="A contact can raise more than one topic."))

    routes = Counter(dict(conn.execute(f"SELECT e.route, count(*) {enquiries_in} GROUP BY e.route", q)))
    add(Table("referral_routes", "Referral routes", ["Route", "Contacts"],
                               _choice_rows(Route, routes), chart="pie"))

    ages, phases, needs = Counter(), Counter(), Counter()
    for born, phase, need, opened in conn.execute(
            "SELECT p.date_of_birth, p.school_phase, p.primary_need, min(c.opened_on) FROM casefile c "
            "JOIN person p ON p.id = c.child_id WHERE c.deleted_at IS NULL AND c.opened_on <= :end "
            "AND (c.closed_on IS NULL OR c.closed_on >= :start) GROUP BY p.id", q):
        phases[phase or "not_known"] += 1
        needs[need or "not_known"] += 1
        if born:
            on = max(date.fromisoformat(opened), period.start)
            years = age_on(date.fromisoformat(born), on)
            band = next((b for b, low, high in AGE_BANDS if low <= years <= high), "Over 25")
            ages[band] += 1
        else:
            ages["Not known"] += 1
    add(Table("age_bands", "Children and young people by age", ["Age", "Children"],
                               [[b, ages.get(b, 0)] for b, _, _ in AGE_BANDS] +
                               [[k, ages[k]] for k in ("Over 25", "Not known") if ages.get(k)], chart="bar",
                               note="Age when their case opened, or at the start of the period if earlier."))
    add(Table("school_phase", "Children and young people by school phase", ["Phase", "Children"],
                               _choice_rows(SchoolPhase, phases) +
                               ([["Not known", phases["not_known"]]] if phases.get("not_known") else []), chart="bar"))
    needs_rows = _choice_rows(PrimaryNeed, needs)
    add(Table("primary_need", "Primary area of need", ["Area of need", "Children"],
                               needs_rows, chart="pie"))

    outcomes = Counter()
    for (raw,) in conn.execute("SELECT c.outcomes FROM casefile c WHERE c.deleted_at IS NULL "
                               "AND c.closed_on BETWEEN :start AND :end", q):
        outcomes.update(json.loads(raw or "[]"))
    add(Table("outcomes", "Outcomes of cases closed in the period", ["Outcome", "Cases"],
                               _choice_rows(Outcome, outcomes), chart="bar",
                               note="A case can record more than one outcome."))

    concerns = conn.execute("SELECT count(*) FROM safeguarding_concern WHERE deleted_at IS NULL "
                            "AND raised_on BETWEEN :start AND :end", q).fetchone()[0]
    incidents = conn.execute("SELECT count(*) FROM incident WHERE deleted_at IS NULL "
                             "AND occurred_on BETWEEN :start AND :end", q).fetchone()[0]
    add(Table("safeguarding", "Safeguarding and staff safety", ["Record", "Count"],
                               [["Safeguarding concerns raised", concerns],
                                ["Incidents of threatening or abusive behaviour", incidents]]))

    add(_sar_table(conn, period))

    workload = {}
    for worker, active, opened_new in conn.execute(
            f"SELECT c.worker, count(*), sum(c.opened_on >= :start) {active_cases} GROUP BY c.worker", q):
        workload[worker] = [active, opened_new or 0, 0, 0]
    for author, count, minutes in conn.execute(
            "SELECT author, count(*), coalesce(sum(minutes_spent), 0) FROM note WHERE deleted_at IS NULL "
            "AND occurred_on BETWEEN :start AND :end GROUP BY author", q):
        row = workload.setdefault(author, [0, 0, 0, 0])
        row[2], row[3] = count, round(minutes / 60)
    names = dict(conn.execute("SELECT username, full_name FROM staff"))
    add(Table("workload", "Workload by worker",
                               ["Worker", "Cases active", "New cases", "Notes written", "Hours recorded"],
                               [[names.get(w, w), *v] for w, v in sorted(workload.items(),
                                                                          key=lambda kv: names.get(kv[0], kv[0]))],
                               note="Staff are named only in the internal version of this report.",
                               names_people=True))
    return report


def _sar_table(conn, period: Period) -> Table:
    """Subject access requests, once the SAR register exists in this database."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'subject_access_request'").fetchone()
    if not exists:
        return Table("sars", "Subject access requests", ["Requests", "Count"],
                     [["Received", 0], ["Answered", 0], ["Answered on time", 0]],
                     note="The subject access request register is not in use yet.")
    q = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    received = conn.execute("SELECT count(*) FROM subject_access_request WHERE deleted_at IS NULL "
                            "AND received_on BETWEEN :start AND :end", q).fetchone()[0]
    answered, on_time = conn.execute(
        "SELECT count(*), coalesce(sum(sent_on <= due_on), 0) FROM subject_access_request WHERE deleted_at IS NULL "
        "AND sent_on BETWEEN :start AND :end", q).fetchone()
    return Table("sars", "Subject access requests", ["Requests", "Count"],
                 [["Received", received], ["Answered", answered], ["Answered on time", on_time]])
