"""The retention review: records past their date, and what stops one being erased
(docs/lifecycle.md "The review"). Read in a few statements over indexes, so a review of the
50,000-case demo takes well under the two seconds the manager may wait."""

from bisect import insort
from dataclasses import dataclass, field
from datetime import date

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
    for count, found in (_cases_due(conn, on, schedule[retention.CLOSED_CASE], limit),
                         _enquiries_due(conn, on, schedule[retention.ENQUIRY], limit),
                         _mailing_due(conn, on)):
        total += count
        rows += found
    rows.sort(key=_order)
    chosen = [_as_due(row) for row in (rows if limit is None else rows[:limit])]
    case_blocks = blocks_for_cases(conn, None if limit is None else [d.record_id for d in chosen if d.kind == CASE])
    enquiry_blocks = blocks_for_enquiries(conn, [d.record_id for d in chosen if d.kind == ENQUIRY])
    for d in chosen:
        if d.kind != MAILING:
            d.blocked_by = (case_blocks if d.kind == CASE else enquiry_blocks).get(d.record_id, [])
    return total, chosen


def _order(row: tuple) -> tuple:
    return row[0], row[1]


def _years_before(on: date, years: int) -> str:
    """`on` less `years` years, as ISO text (29 February of a common year included): a date
    at or before it, compared as text, is a date that is `years` years old by `on`, by the
    rule of retention.years_after (29 February is 1 March in a common year)."""
    return f"{on.year - years:04d}-{on:%m-%d}"


def _oldest(rows, limit: int | None, due_of) -> list[tuple]:
    """The `limit` rows (all when None) whose (due, reference) come first. `rows` come in the
    order of the earliest each can be due (its [0]): once that is later than the last kept,
    no row after it can come before any kept, and reading stops."""
    if limit is None:
        return [due_of(raw) for raw in rows]
    kept: list[tuple] = []
    for raw in rows:
        if len(kept) >= limit and raw[0] > kept[-1][0]:
            break
        insort(kept, due_of(raw), key=_order)
        del kept[limit:]
    return kept


# An extension moves a record's date (docs/lifecycle.md "The review"): one later than `on`
# keeps the record off the list.
_NOT_EXTENDED = ("NOT EXISTS (SELECT 1 FROM retention_extension x WHERE x.{column} = {alias}.id "
                 "AND x.deleted_at IS NULL AND x.keep_until > :on)")
_ISO_DAY = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*"


def _cases_due(conn, on: date, rule, limit: int | None) -> tuple[int, list[tuple]]:
    """Closed cases past their date: how many, and the oldest `limit` as rows for _as_due."""
    years = int(rule.years or 0)
    params = {"on": on.isoformat(), "closed_by": _years_before(on, years)}
    where = ("c.status = 'closed' AND c.deleted_at IS NULL AND c.anonymised_at IS NULL AND c.closed_on <= :closed_by "
             "AND " + _NOT_EXTENDED.format(column="case_id", alias="c"))
    birthday = "''"
    if rule.until_age:
        age = int(rule.until_age)
        params["born_by"] = _years_before(on, age)
        # SQLite's date() does 29 February as retention.years_after does; it is slow (about 10
        # microseconds with a modifier), so an ISO date of birth is compared as text instead. A
        # date of birth date() cannot read counts as unknown, as before.
        birthday = f"coalesce(date(p.date_of_birth, '+{age} years'), '')"
        where += (f" AND (p.date_of_birth IS NULL OR CASE WHEN p.date_of_birth GLOB '{_ISO_DAY}' "
                  f"THEN substr(p.date_of_birth, 1, 10) <= :born_by ELSE {birthday} <= :on END)")
    # The indexes of schema 26, named: without statistics SQLite would take casefile_closed and
    # read each case's and each child's row (three times slower at 50,000 cases).
    join = ("FROM casefile c INDEXED BY casefile_closed_live JOIN person p INDEXED BY person_born "
            "ON p.id = c.child_id WHERE " + where)
    total = conn.execute("SELECT count(*) " + join, params).fetchone()[0]
    if not total:
        return 0, []
    extended = _extensions(conn, "case_id")
    # In the order of closing (the index's): the earliest a case can be due is
    # N years after it closed.
    rows = conn.execute(f"SELECT date(c.closed_on, '+{years} years'), c.id, c.reference, c.closed_on, "
                        f"p.date_of_birth IS NOT NULL, {birthday} " + join + " ORDER BY c.closed_on", params)
    return total, _oldest(rows, limit, lambda r: (max(r[0], r[5], extended.get(r[1], "")), r[2], CASE, r[1], r[3],
                                                  r[4]))


def _enquiries_due(conn, on: date, rule, limit: int | None) -> tuple[int, list[tuple]]:
    """Enquiries with no case past their date: how many, and the oldest `limit`."""
    years = int(rule.years or 0)
    params = {"on": on.isoformat(), "received_by": _years_before(on, years) + "T99"}
    # An enquiry a case names is the case's even when its own case_id is empty (an edit of the
    # enquiry on one computer while a case was opened from it on another).
    where = ("FROM enquiry e WHERE e.deleted_at IS NULL AND e.anonymised_at IS NULL AND e.case_id IS NULL "
             "AND e.received_at <= :received_by AND NOT EXISTS (SELECT 1 FROM casefile k WHERE k.enquiry_id = e.id) "
             "AND " + _NOT_EXTENDED.format(column="enquiry_id", alias="e"))
    total = conn.execute("SELECT count(*) " + where, params).fetchone()[0]
    if not total:
        return 0, []
    extended = _extensions(conn, "enquiry_id")
    rows = conn.execute(f"SELECT date(substr(e.received_at, 1, 10), '+{years} years'), e.id, e.reference, "
                        "e.received_at " + where + " ORDER BY e.received_at", params)
    return total, _oldest(rows, limit, lambda r: (max(r[0], extended.get(r[1], "")), r[2], ENQUIRY, r[1], r[3], True))


def _mailing_due(conn, on: date) -> tuple[int, list[tuple]]:
    found = [(left, f"Mailing list entry from {date.fromisoformat(joined):%d/%m/%Y}", MAILING, mid, left, True)
             for mid, left, joined in conn.execute(
                 "SELECT id, left_on, joined_on FROM mailing_list_member WHERE deleted_at IS NULL "
                 "AND left_on IS NOT NULL AND left_on <= ?", (on.isoformat(),))]
    return len(found), found


def _as_due(row: tuple) -> Due:
    due, ref, kind, record_id, start, born = row
    day = f"{start[8:10]}/{start[5:7]}/{start[:4]}"
    basis = {CASE: f"closed {day}" + ("" if born else "; date of birth not known"),
             ENQUIRY: f"received {day}", MAILING: f"consent ended {day}"}[kind]
    return Due(kind, record_id, ref, date.fromisoformat(due), basis)


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
