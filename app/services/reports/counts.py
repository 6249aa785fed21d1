"""The counting behind the service report: one function per table, all in SQL over the
period's bounds. Enquiry times are stored in UTC (schema 7 converted older rows), so comparing
them with the period's UTC bounds compares instants; dates are UK local dates.

Every table that has a total row gets it as the sum of its rows, and a total printed in more
than one table is linked (Report.same), so that suppression sees every way a hidden count
could be worked out."""

import json
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from app.domain.choices import (
    CallerRole,
    Channel,
    ClosureReason,
    Outcome,
    PrimaryNeed,
    Route,
    SchoolPhase,
    Topic,
)
from app.domain.periods import LONDON, Period
from app.domain.report import Report, Table
from app.domain.text import age_on
from app.services.reports import national_counts, period_cases
from app.services.reports.complaints import reporting

AGE_BANDS = [("0-4", 0, 4), ("5-10", 5, 10), ("11-15", 11, 15), ("16-19", 16, 19), ("20-25", 20, 25)]
NOT_KNOWN = "Not known"
ALL_CONTACTS = "All contacts"
ALL_ACTIVE = "All cases active in the period"
ALL_CHILDREN = "All children and young people"
NEW_CASES = "New cases opened"
_TENTH = Decimal("0.1")

TABLE_COUNT = 20  # the tables count_all makes, for its progress (one more in an annual report)


def table_count(period: Period) -> int:
    return TABLE_COUNT + national_counts.is_annual(period)


def choice_rows(enum, counts: Counter) -> list[list]:
    """One row per member, then one "Not known" row for every missing or unrecognised value
    (only when there are any), so no category shows twice under two spellings."""
    known = {m.value for m in enum}
    rows = [[member.label, counts.get(member.value, 0)] for member in enum]
    unknown = sum(v for k, v in counts.items() if k not in known)
    if "not_known" in known:
        rows[[m.value for m in enum].index("not_known")][1] += unknown
    elif unknown:
        rows.append([NOT_KNOWN, unknown])
    return rows


def hours(minutes: int) -> Decimal:
    """Minutes as hours to one decimal place, halves rounded up (30 minutes is 0.5 h, not 0 h)."""
    return (Decimal(int(minutes)) / 60).quantize(_TENTH, rounding=ROUND_HALF_UP)


def with_total(rows: list[list], label: str) -> list[list]:
    width = len(rows[0]) if rows else 2
    return rows + [[label, *(sum(r[c] for r in rows) for c in range(1, width))]]


def count_all(conn, report: Report, progress: Callable[[int, str], None] | None = None) -> None:
    period = report.period
    lo, hi = period.utc_bounds
    q = {"lo": lo, "hi": hi, "start": period.start.isoformat(), "end": period.end.isoformat()}

    def add(table: Table) -> None:
        report.tables.append(table)
        if progress:
            progress(min(99, round(100 * len(report.tables) / table_count(period))), table.title)

    enquiries = _enquiry_figures(conn, q, period)
    add(Table("contacts_by_channel", "Contacts by channel", ["Channel", "Contacts"],
              with_total(choice_rows(Channel, enquiries["channel"]), ALL_CONTACTS), chart="bar", total_last=True))
    add(Table("contacts_by_month", "Contacts by month", ["Month", "Contacts"],
              with_total([[date(y, m, 1).strftime("%b %Y"), enquiries["month"].get((y, m), 0)]
                          for y, m in period.months()], ALL_CONTACTS), chart="bar", total_last=True))
    add(Table("people_helped", "People helped, by role", ["Role", "People"],
              with_total(choice_rows(CallerRole, enquiries["helped"]), "All people helped"), chart="bar",
              total_last=True,
              note="Named people are counted once in each role; each anonymous contact counts as one person."))

    cases = _case_figures(conn, q)
    add(Table("cases", "New and continuing cases", ["Cases", "Count"],
              with_total([[NEW_CASES, cases["new"]], ["Continuing from before the period", cases["continuing"]]],
                         ALL_ACTIVE), chart="bar", total_last=True))
    add(Table("cases_closed", "Cases closed, by reason", ["Reason", "Cases"],
              with_total(choice_rows(ClosureReason, cases["reasons"]), "All cases closed"), chart="bar",
              total_last=True))
    national_counts.add_levels_and_states(conn, q, report, add, cases["active"])

    topics = Counter(dict(conn.execute(TOPICS, {"ids": json.dumps(enquiries["ids"])})))
    add(Table("topics", "Topics raised", ["Topic", "Contacts"], choice_rows(Topic, topics), chart="bar",
              note="A contact can raise more than one topic, so these do not add up to the contacts."))
    add(Table("referral_routes", "Referral routes", ["Route", "Contacts"],
              with_total(choice_rows(Route, enquiries["route"]), ALL_CONTACTS), chart="bar", total_last=True))

    _children(conn, cases["children"], period, add)

    add(Table("outcomes", "Outcomes of cases closed in the period", ["Outcome", "Cases"],
              choice_rows(Outcome, cases["outcomes"]), chart="bar",
              note="A case can record more than one outcome, so these do not add up to the cases closed."))

    concerns = conn.execute("SELECT count(*) FROM safeguarding_concern WHERE deleted_at IS NULL "
                            "AND raised_on BETWEEN :start AND :end", q).fetchone()[0]
    incidents = conn.execute("SELECT count(*) FROM incident WHERE deleted_at IS NULL "
                             "AND occurred_on BETWEEN :start AND :end", q).fetchone()[0]
    add(Table("safeguarding", "Safeguarding and staff safety", ["Record", "Count"],
              [["Safeguarding concerns raised", concerns],
               ["Incidents of threatening or abusive behaviour", incidents]]))

    add(_sar_table(conn, period))
    add(reporting.report_table(conn, period))
    add(_workload(conn, q, cases["workload"]))
    national_counts.add_evaluation(conn, q, add)
    if national_counts.is_annual(period):
        add(national_counts.standards_table(conn))

    for key in ("contacts_by_month", "referral_routes"):
        report.same(report.cell("contacts_by_channel", ALL_CONTACTS), report.cell(key, ALL_CONTACTS))
    report.same(report.cell("cases", ALL_ACTIVE), report.cell(national_counts.LEVELS, ALL_ACTIVE))
    for key in ("school_phase", "primary_need"):
        report.same(report.cell("age_bands", ALL_CHILDREN), report.cell(key, ALL_CHILDREN))
    workload = report.table("workload")
    report.same(report.cell("cases", ALL_ACTIVE), ("workload", len(workload.rows) - 1, 1))
    report.same(report.cell("cases", NEW_CASES), ("workload", len(workload.rows) - 1, 2))


# The topics of the period's enquiries, by the ids _enquiry_figures read (a JSON list): joining
# enquiry again read each of the period's enquiries a second time, half this table's cost.
TOPICS = ("SELECT topic, count(*) FROM enquiry_topic WHERE enquiry_id IN (SELECT value FROM json_each(:ids)) "
          "GROUP BY topic")


# From enquiry_received alone (schema 28 gave it every column read here).
ENQUIRIES = ("SELECT e.id, e.received_at, e.channel, e.route, e.caller_role, e.caller_id FROM enquiry e "
             "WHERE e.deleted_at IS NULL AND e.received_at >= :lo AND e.received_at < :hi")


def _enquiry_figures(conn, q: dict, period: Period) -> dict:
    """Every enquiry table in one pass over the period's enquiries (they were five queries,
    each reading the same rows again), and the enquiries' ids for their topics."""
    channel, month, route, helped = Counter(), Counter(), Counter(), Counter()
    callers: dict[str, set] = {}
    ids = []
    for enquiry_id, received, chan, how, role, caller in conn.execute(ENQUIRIES, q):
        ids.append(enquiry_id)
        channel[chan] += 1
        route[how] += 1
        local = datetime.fromisoformat(received).astimezone(LONDON)
        month[(local.year, local.month)] += 1
        if caller is None:
            helped[role] += 1  # each anonymous contact is one person
        else:
            callers.setdefault(role, set()).add(caller)
    for role, people in callers.items():
        helped[role] += len(people)
    return {"channel": channel, "month": month, "route": route, "helped": helped, "ids": ids}


# With each case's id and level, so that the levels table counts the active ones from these rows:
# reading the period's cases a second time for it cost 130-210 ms of CPU at 200,000 cases.
TOUCHING = {by: period_cases.touching("c.child_id, c.worker, c.opened_on, c.closed_on, c.closure_reason, c.outcomes, "
                                      "c.id, c.level", by) for by in (False, True)}


def _case_figures(conn, q: dict) -> dict:
    """Every case table in one pass over the cases that touch the period: active in it
    (opened by its end, not closed before its start), opened in it, or closed in it."""
    start, end = q["start"], q["end"]
    new = continuing = 0
    reasons, outcomes = Counter(), Counter()
    workload: dict[str, list[int]] = {}
    children: dict[str, str] = {}  # child -> the earliest opening of their active cases
    active = []  # (id, level, closed_on) of each case active in the period, for the levels table
    closed_outcomes = Counter()  # each closed case's outcomes as stored, parsed once per distinct list below
    for child, worker, opened, closed, reason, raw, case_id, level in conn.execute(
            TOUCHING[period_cases.early(conn, q)], q):
        if start <= opened <= end:
            new += 1
        if closed is not None and start <= closed <= end:
            reasons[reason] += 1
            closed_outcomes[raw] += 1
        if opened <= end and (closed is None or closed >= start):
            continuing += opened < start
            active.append((case_id, level, closed))
            row = workload.setdefault(worker, [0, 0])
            row[0] += 1
            row[1] += opened >= start
            if child is not None and (child not in children or opened < children[child]):
                children[child] = opened
    for raw, times in closed_outcomes.items():
        _add_outcomes(outcomes, json.loads(raw or "[]"), times)
    return {"new": new, "continuing": continuing, "reasons": reasons, "outcomes": outcomes,
            "workload": workload, "children": children, "active": active}


def _add_outcomes(outcomes: Counter, stored, times: int) -> None:
    """Count one case's stored outcomes `times` times, as `times` calls of outcomes.update(stored)
    would. A year's closed cases share few distinct lists (23,983 cases and 36 lists in the
    last financial year at 200,000 cases)."""
    if isinstance(stored, list):
        for outcome in stored:
            outcomes[outcome] += times
    else:
        for _ in range(times):
            outcomes.update(stored)


# The children's ids as a JSON list (sorted: see _children), each looked up in person_born, which
# schema 28 gave every column read here: the person rows themselves are wide (names, addresses),
# one page each, and a year's 32,615 children at 200,000 cases did not fit the page cache. Named,
# as SQLite would take the primary key's index and then the row.
CHILDREN = ("SELECT p.id, p.date_of_birth, p.school_phase, p.primary_need FROM json_each(?) j "
            "JOIN person p INDEXED BY person_born ON p.id = j.value")


def _children(conn, opened: dict[str, str], period: Period, add) -> None:
    """`opened`: each child with an active case, and when their first such case opened."""
    ages, phases, needs = Counter(), Counter(), Counter()
    # The ids in order: each is looked up in person_born in turn, so sorted they walk the
    # index from one end to the other instead of jumping about it (at 200,000 cases, 32,615
    # children: half the CPU of the same look-ups in the order the cases were read).
    for child, born, phase, need in conn.execute(CHILDREN, (json.dumps(sorted(opened)),)):
        phases[phase] += 1
        needs[need] += 1
        if born:
            on = max(date.fromisoformat(opened[child]), period.start)
            years = age_on(date.fromisoformat(born), on)
            ages[next((b for b, low, high in AGE_BANDS if low <= years <= high), "Over 25")] += 1
        else:
            ages[NOT_KNOWN] += 1
    age_rows = [[b, ages.get(b, 0)] for b, _, _ in AGE_BANDS] + [[k, ages[k]] for k in ("Over 25", NOT_KNOWN)
                                                                  if ages.get(k)]
    add(Table("age_bands", "Children and young people by age", ["Age", "Children"],
              with_total(age_rows, ALL_CHILDREN), chart="bar", total_last=True,
              note="Age when their case opened, or at the start of the period if earlier."))
    add(Table("school_phase", "Children and young people by school phase", ["Phase", "Children"],
              with_total(choice_rows(SchoolPhase, phases), ALL_CHILDREN), chart="bar", total_last=True))
    add(Table("primary_need", "Primary area of need", ["Area of need", "Children"],
              with_total(choice_rows(PrimaryNeed, needs), ALL_CHILDREN), chart="bar", total_last=True))


# Answered from the note_report index alone (schema 11): never the notes' pages themselves. A
# year holds every note of the year (318,742 at 200,000 cases). Grouped by day and author, the
# index's own order, so SQLite counts as it reads, without a sorter, and hands Python one row per
# day and author (a few thousand) rather than one per note: fetching every note into Python cost
# ten times the index scan, and GROUP BY author alone sorted every note first.
NOTES_BY_AUTHOR = ("SELECT author, count(*), sum(minutes_spent) FROM note WHERE deleted_at IS NULL "
                   "AND occurred_on BETWEEN :start AND :end GROUP BY occurred_on, author")


def notes_by_author(conn, q: dict) -> dict[str, list[int]]:
    """Per author: [notes written in the period, minutes recorded on them]."""
    written: dict[str, list[int]] = {}
    for author, count, minutes in conn.execute(NOTES_BY_AUTHOR, q):
        row = written.get(author)
        if row is None:
            row = written[author] = [0, 0]
        row[0] += count
        row[1] += minutes or 0
    return written


def _workload(conn, q: dict, cases: dict[str, list[int]]) -> Table:
    """`cases`: per worker, cases active in the period and how many of them opened in it."""
    workload = {worker: [active, opened_new, 0, 0] for worker, (active, opened_new) in cases.items()}
    for author, (count, minutes) in notes_by_author(conn, q).items():
        row = workload.setdefault(author, [0, 0, 0, 0])
        row[2], row[3] = count, minutes
    names = dict(conn.execute("SELECT username, full_name FROM staff"))
    rows = [[names.get(w, w), a, n, c, hours(m)] for w, (a, n, c, m) in
            sorted(workload.items(), key=lambda kv: names.get(kv[0], kv[0]))]
    return Table("workload", "Workload by worker",
                 ["Worker", "Cases active", "New cases", "Notes written", "Hours recorded"],
                 with_total(rows, "All workers") if rows else [["All workers", 0, 0, 0, Decimal("0.0")]],
                 total_last=True, names_people=True,
                 note="Staff are named only in the internal version of this report. Hours are to the nearest "
                      "tenth; the total adds the hours shown.")


def _sar_table(conn, period: Period) -> Table:
    """Subject access requests received and answered in the period."""
    q = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    received = conn.execute("SELECT count(*) FROM subject_access_request WHERE deleted_at IS NULL "
                            "AND received_on BETWEEN :start AND :end", q).fetchone()[0]
    answered, on_time = conn.execute(
        "SELECT count(*), coalesce(sum(sent_on <= due_on), 0) FROM subject_access_request WHERE deleted_at IS NULL "
        "AND sent_on BETWEEN :start AND :end", q).fetchone()
    return Table("sars", "Subject access requests", ["Requests", "Count"],
                 [["Received", received], ["Answered", answered], ["Answered on time", on_time]])
