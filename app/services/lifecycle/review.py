"""The retention review: records past their date, and what stops one being erased
(docs/lifecycle.md "The review"). Read in a few statements over indexes, so a review of the
50,000-case demo takes well under the two seconds the manager may wait."""

import gc
from bisect import insort
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter

from app import clock
from app.domain import retention
from app.domain.dashboard import Item, Section
from app.domain.role_matrix import Scope, grants
from app.domain.sar_status import OPEN_STATUSES
from app.security.session import Session
from app.services.lifecycle.schedule import rules

CASE, ENQUIRY, MAILING = "case", "enquiry", "mailing_list_member"
SECTION_LIMIT = 50


@dataclass
class Due:
    kind: str               # case, enquiry, mailing_list_member
    record_id: str
    reference: str
    due_on: date
    basis: str              # the rule in a few words: "closed 03/04/2018; 6 years or age 25"
    blocked_by: list[str] = field(default_factory=list)

    @property
    def erasable(self) -> bool:
        return not self.blocked_by


def today() -> date:
    return clock.now().date()


def _extensions(conn, column: str) -> dict[str, str]:
    return dict(conn.execute(f"SELECT {column}, max(keep_until) FROM retention_extension WHERE deleted_at IS NULL "
                             f"AND {column} IS NOT NULL GROUP BY {column}"))


def _sar_people(conn) -> set[str]:
    marks = ", ".join("?" for _ in OPEN_STATUSES)
    found = set()
    for subject, requester in conn.execute(
            f"SELECT subject_id, requester_id FROM subject_access_request WHERE deleted_at IS NULL "
            f"AND status IN ({marks})", OPEN_STATUSES):
        found |= {subject, requester} - {None}
    return found


def blocks_for_cases(conn, case_ids: list[str] | None = None) -> dict[str, list[str]]:
    """Why each case may not be erased or anonymised now: an open subject access request
    about someone it is about, an open safeguarding concern, a legal hold. With `case_ids`,
    only those cases are read (the dashboard asks about 50 of tens of thousands)."""
    out: dict[str, list[str]] = {}
    sar_people = _sar_people(conn)
    if sar_people and case_ids is None:
        for cid in sorted(_closed_cases_about(conn, sar_people)):
            out[cid] = ["an open subject access request"]
    elif sar_people:
        for cid, client, child in _cases_to_check(conn, case_ids):
            if client in sar_people or child in sar_people:
                out.setdefault(cid, []).append("an open subject access request")
    for (cid,) in conn.execute("SELECT DISTINCT case_id FROM safeguarding_concern WHERE status = 'open' "
                               "AND deleted_at IS NULL"):
        out.setdefault(cid, []).append("an open safeguarding concern")
    for (cid,) in conn.execute("SELECT DISTINCT case_id FROM legal_hold WHERE released_on IS NULL "
                               "AND deleted_at IS NULL"):
        out.setdefault(cid, []).append("a legal hold")
    if case_ids is not None:
        wanted = set(case_ids)
        out = {k: v for k, v in out.items() if k in wanted}
    return out


def _chunks(ids, size: int = 400):
    ids = list(ids)
    for i in range(0, len(ids), size):
        chunk = ids[i:i + size]
        yield chunk, ", ".join("?" for _ in chunk)


def _closed_cases_about(conn, people: set[str]) -> set[str]:
    """The closed cases whose client or child is one of `people`, through the casefile_client and
    casefile_child indexes: the full review once read every closed case to find the few an open
    request is about (47,000 rows at 50,000 cases)."""
    found = set()
    for chunk, marks in _chunks(people):
        for column, index in (("client_id", "casefile_client"), ("child_id", "casefile_child")):
            found.update(cid for (cid,) in conn.execute(
                f"SELECT id FROM casefile INDEXED BY {index} WHERE {column} IN ({marks}) AND deleted_at IS NULL "
                "AND status = 'closed'", chunk))
    return found


def _cases_to_check(conn, case_ids: list[str]):
    for i in range(0, len(case_ids), 400):
        chunk = case_ids[i:i + 400]
        yield from conn.execute(f"SELECT id, client_id, child_id FROM casefile WHERE deleted_at IS NULL "
                                f"AND id IN ({', '.join('?' for _ in chunk)})", chunk)


def blocks_for_enquiries(conn, enquiry_ids: list[str]) -> dict[str, list[str]]:
    sar_people = _sar_people(conn)
    out: dict[str, list[str]] = {}
    if not sar_people or not enquiry_ids:
        return out      # nothing to look up: no open subject access request
    # The enquiries of the people an open request is about, through enquiry_caller and
    # enquiry_child (a few rows), rather than each of the records listed by its id (20,000 at
    # 50,000 cases).
    about = set()
    for chunk, marks in _chunks(sar_people):
        for column, index in (("caller_id", "enquiry_caller"), ("child_id", "enquiry_child")):
            about.update(eid for (eid,) in conn.execute(
                f"SELECT id FROM enquiry INDEXED BY {index} WHERE {column} IN ({marks})", chunk))
    for eid in enquiry_ids:
        if eid in about:
            out[eid] = ["an open subject access request"]
    return out


def due_records(conn, on: date) -> list[Due]:
    """Every record past its retention date on `on`, oldest first. No session: the review
    screen and the benchmark call `list_due`; this is its body."""
    return oldest_due(conn, on)[1]


def oldest_due(conn, on: date, limit: int | None = None) -> tuple[int, list[Due]]:
    """How many records are past their date on `on`, and the oldest `limit` of them (all when
    None). Which records are due is decided by SQLite over indexes, without working out a date
    per record (that was most of the dashboard's time at 50,000 cases); dates are worked out only
    for the records read, oldest first, until no later one can be among the oldest `limit`."""
    schedule = rules(conn)
    total, rows = 0, []
    with _collector_paused():
        for count, found in (_cases_due(conn, on, schedule[retention.CLOSED_CASE], limit),
                             _enquiries_due(conn, on, schedule[retention.ENQUIRY], limit),
                             _mailing_due(conn, on)):
            total += count
            rows += found
        rows.sort(key=_ORDER)
        if limit is not None:
            rows = rows[:limit]
        case_blocks = blocks_for_cases(conn, None if limit is None else [r[3] for r in rows if r[2] == CASE])
        enquiry_blocks = blocks_for_enquiries(conn, [r[3] for r in rows if r[2] == ENQUIRY])
        return total, _as_due(rows, case_blocks, enquiry_blocks)


@contextmanager
def _collector_paused():
    """Python's cycle collector off while the list is made: some 400,000 new objects at 85,000
    records due, none of them in a cycle, which the collector otherwise walks again and again
    as they are made (a fifth of the review's CPU). Back on, as it was, when done."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


_ORDER = itemgetter(0, 1)    # due, then reference


def _years_before(on: date, years: int) -> str:
    """`on` less `years` years, as ISO text (29 February of a common year included): a date
    at or before it, compared as text, is a date that is `years` years old by `on`, by the
    rule of retention.years_after (29 February is 1 March in a common year)."""
    return f"{on.year - years:04d}-{on:%m-%d}"


def _oldest(rows, limit: int | None, due_of, earliest) -> list[tuple]:
    """The `limit` rows (all when None) whose (due, reference) come first. `rows` come in the
    order of the earliest each can be due (`earliest(row)`): once that is later than the last
    kept, no row after it can come before any kept, and reading stops."""
    if limit is None:
        return [due_of(raw) for raw in rows]
    kept: list[tuple] = []
    for raw in rows:
        if len(kept) >= limit and earliest(raw) > kept[-1][0]:
            break
        insort(kept, due_of(raw), key=_ORDER)
        del kept[limit:]
    return kept


# An extension moves a record's date (docs/lifecycle.md "The review"): one later than `on`
# keeps the record off the list.
_NOT_EXTENDED = ("NOT EXISTS (SELECT 1 FROM retention_extension x WHERE x.{column} = {alias}.id "
                 "AND x.deleted_at IS NULL AND x.keep_until > :on)")
_ISO_DAY = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*"


class _YearsLater:
    """SQLite's `date(text, '+N years')`, once per distinct text and in Python where the text is
    a plain ISO day (the same rule: 29 February goes to 1 March in a common year, as
    retention.years_after). date() with a modifier costs about 10 microseconds a row, most of
    the review's reading at 85,000 records; a review reads a few thousand distinct days. Any
    other text goes to SQLite itself, so the answer is always date()'s (None where it has none)."""

    def __init__(self, conn, years: int):
        self._conn, self._years, self._modifier = conn, years, f"+{years} years"
        self._seen: dict = {}

    def __call__(self, text):
        try:
            return self._seen[text]
        except KeyError:
            pass
        later = None
        if isinstance(text, str) and len(text) == 10 and text[4] == "-" and text[7] == "-":
            try:
                later = retention.years_after(date.fromisoformat(text), self._years).isoformat()
            except ValueError:      # not a day, or a year past 9999: date()'s own answer
                later = None
        if later is None:
            later = self._conn.execute("SELECT date(?, ?)", (text, self._modifier)).fetchone()[0]
        self._seen[text] = later
        return later


def _cases_due(conn, on: date, rule, limit: int | None) -> tuple[int, list[tuple]]:
    """Closed cases past their date: how many, and the oldest `limit` as rows for _as_due."""
    years = int(rule.years or 0)
    params = {"on": on.isoformat(), "closed_by": _years_before(on, years)}
    where = ("c.status = 'closed' AND c.deleted_at IS NULL AND c.anonymised_at IS NULL AND c.closed_on <= :closed_by "
             "AND " + _NOT_EXTENDED.format(column="case_id", alias="c"))
    birthday = None
    if rule.until_age:
        age = int(rule.until_age)
        params["born_by"] = _years_before(on, age)
        birthday = _YearsLater(conn, age)
        # SQLite's date() does 29 February as retention.years_after does; it is slow (about 10
        # microseconds with a modifier), so an ISO date of birth is compared as text instead. A
        # date of birth date() cannot read counts as unknown, as before.
        where += (f" AND (p.date_of_birth IS NULL OR CASE WHEN p.date_of_birth GLOB '{_ISO_DAY}' "
                  f"THEN substr(p.date_of_birth, 1, 10) <= :born_by "
                  f"ELSE coalesce(date(p.date_of_birth, '+{age} years'), '') <= :on END)")
    # The indexes of schema 26, named: without statistics SQLite would take casefile_closed and
    # read each case's and each child's row (three times slower at 50,000 cases).
    join = ("FROM casefile c INDEXED BY casefile_closed_live JOIN person p INDEXED BY person_born "
            "ON p.id = c.child_id WHERE " + where)
    if limit is not None:   # the whole list is counted by its length
        total = conn.execute("SELECT count(*) " + join, params).fetchone()[0]
        if not total:
            return 0, []
    extended = _extensions(conn, "case_id")
    closing = _YearsLater(conn, years)

    def due_of(row: tuple) -> tuple:
        cid, reference, closed_on, born = row
        birthday_due = "" if birthday is None or born is None else (birthday(born) or "")
        return (max(closing(closed_on), birthday_due, extended.get(cid, "")), reference, CASE, cid, closed_on,
                born is not None)

    # In the order of closing (the index's): the earliest a case can be due is N years after
    # it closed; the birthday and an extension can only make it later.
    rows = conn.execute("SELECT c.id, c.reference, c.closed_on, p.date_of_birth " + join + " ORDER BY c.closed_on",
                        params)
    found = _oldest(rows, limit, due_of, lambda row: closing(row[2]))
    return (total if limit is not None else len(found)), found


def _enquiries_due(conn, on: date, rule, limit: int | None) -> tuple[int, list[tuple]]:
    """Enquiries with no case past their date: how many, and the oldest `limit`."""
    years = int(rule.years or 0)
    params = {"on": on.isoformat(), "received_by": _years_before(on, years) + "T99"}
    # An enquiry a case names is the case's even when its own case_id is empty (an edit of the
    # enquiry on one computer while a case was opened from it on another).
    where = ("FROM enquiry e WHERE e.deleted_at IS NULL AND e.anonymised_at IS NULL AND e.case_id IS NULL "
             "AND e.received_at <= :received_by AND NOT EXISTS (SELECT 1 FROM casefile k WHERE k.enquiry_id = e.id) "
             "AND " + _NOT_EXTENDED.format(column="enquiry_id", alias="e"))
    if limit is not None:   # the whole list is counted by its length
        total = conn.execute("SELECT count(*) " + where, params).fetchone()[0]
        if not total:
            return 0, []
    extended = _extensions(conn, "enquiry_id")
    receiving = _YearsLater(conn, years)

    def received(row: tuple):
        return receiving(row[2][:10] if isinstance(row[2], str) else row[2])

    rows = conn.execute("SELECT e.id, e.reference, e.received_at " + where + " ORDER BY e.received_at", params)
    found = _oldest(rows, limit, lambda r: (max(received(r), extended.get(r[0], "")), r[1], ENQUIRY, r[0], r[2], True),
                    received)
    return (total if limit is not None else len(found)), found


def _mailing_due(conn, on: date) -> tuple[int, list[tuple]]:
    found = [(left, f"Mailing list entry from {date.fromisoformat(joined):%d/%m/%Y}", MAILING, mid, left, True)
             for mid, left, joined in conn.execute(
                 "SELECT id, left_on, joined_on FROM mailing_list_member WHERE deleted_at IS NULL "
                 "AND left_on IS NOT NULL AND left_on <= ?", (on.isoformat(),))]
    return len(found), found


def _as_due(rows: list[tuple], case_blocks: dict[str, list[str]], enquiry_blocks: dict[str, list[str]]) -> list[Due]:
    """One Due per row, oldest first. A review lists tens of thousands (85,000 at 50,000 cases
    in 2045): only the words of the record's own kind are made, and each distinct due day is
    read once."""
    days: dict[str, date] = {}
    out = []
    for due, ref, kind, record_id, start, born in rows:
        day = f"{start[8:10]}/{start[5:7]}/{start[:4]}"
        if kind == CASE:
            basis = f"closed {day}" if born else f"closed {day}; date of birth not known"
            blocked = case_blocks.get(record_id, [])
        elif kind == ENQUIRY:
            basis, blocked = f"received {day}", enquiry_blocks.get(record_id, [])
        else:
            basis, blocked = f"consent ended {day}", []
        on = days.get(due)
        if on is None:
            on = days[due] = date.fromisoformat(due)
        out.append(Due(kind, record_id, ref, on, basis, blocked))
    return out


@grants(Scope.MANAGER, "the retention review is the manager's")
def list_due(session: Session, on: date | None = None) -> list[Due]:
    found = due_records(session.conn, on or today())
    session.audit("retention_review_listed", "retention", None, {"due": len(found)})
    return found


@grants(Scope.MANAGER, "the retention review is the manager's")
def dashboard_section(session: Session, on: date | None = None) -> Section:
    on = on or today()
    total, found = oldest_due(session.conn, on, SECTION_LIMIT)
    section = Section("retention_due", "Records past their retention date",
                      empty_text="No record is past its retention date.")
    for d in found:
        detail = f"due {d.due_on:%d/%m/%Y}; {d.basis}"
        if d.blocked_by:
            detail += "; cannot be erased while there is " + " and ".join(d.blocked_by)
        # Opens the retention page at the record (not the case itself): the review is the point.
        section.items.append(Item(d.reference, "retention", f"{d.kind}:{d.record_id}", severity="due_soon",
                                  detail=detail))
    if total > SECTION_LIMIT:
        section.title += f" ({total:,}; the oldest {SECTION_LIMIT} shown)"
    return section
