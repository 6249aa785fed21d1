"""The retention review: records past their date, and what stops one being erased
(docs/lifecycle.md "The review"). Read in a few statements over indexes, so a review of the
50,000-case demo takes well under the two seconds the manager may wait."""

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
    about someone it is about, an open safeguarding concern, a legal hold."""
    out: dict[str, list[str]] = {}
    sar_people = _sar_people(conn)
    if sar_people:
        for cid, client, child in conn.execute("SELECT id, client_id, child_id FROM casefile WHERE deleted_at IS NULL "
                                               "AND (status = 'closed' OR ?)", (case_ids is not None,)):
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


def blocks_for_enquiries(conn, enquiry_ids: list[str]) -> dict[str, list[str]]:
    sar_people = _sar_people(conn)
    out: dict[str, list[str]] = {}
    if not sar_people:
        return out      # nothing to look up: no open subject access request
    for i in range(0, len(enquiry_ids), 400):
        chunk = enquiry_ids[i:i + 400]
        for eid, caller, child in conn.execute(
                f"SELECT id, caller_id, child_id FROM enquiry WHERE id IN ({', '.join('?' for _ in chunk)})", chunk):
            if caller in sar_people or child in sar_people:
                out.setdefault(eid, []).append("an open subject access request")
    return out


def due_records(conn, on: date) -> list[Due]:
    """Every record past its retention date on `on`, oldest first. No session: the review
    screen and the benchmark call `list_due`; this is its body."""
    return oldest_due(conn, on)[1]


def oldest_due(conn, on: date, limit: int | None = None) -> tuple[int, list[Due]]:
    """How many records are past their date on `on`, and the oldest `limit` of them (all when
    None). Rows stay plain tuples until they are chosen: the dashboard shows 50 of the demo's
    tens of thousands, and making a Due (two dates, a sentence) for each was most of its time."""
    rows = _due_rows(conn, on)
    rows.sort(key=lambda r: (r[0], r[1]))
    chosen = [_as_due(row) for row in (rows if limit is None else rows[:limit])]
    case_blocks = blocks_for_cases(conn)
    enquiry_blocks = blocks_for_enquiries(conn, [d.record_id for d in chosen if d.kind == ENQUIRY])
    for d in chosen:
        if d.kind != MAILING:
            d.blocked_by = (case_blocks if d.kind == CASE else enquiry_blocks).get(d.record_id, [])
    return len(rows), chosen


def _due_rows(conn, on: date) -> list[tuple]:
    """(due as ISO text, reference, kind, id, the date the rule starts from, whether the date of
    birth is known) for every record past its date."""
    schedule = rules(conn)
    found: list[tuple] = []
    case_rule = schedule[retention.CLOSED_CASE]
    extended = _extensions(conn, "case_id")
    # The earliest a case can be due is N years after closing: read only cases closed by then.
    # (Compared as text, so 29 February of a common year is a fine bound.)
    latest_closed = f"{(on.year - (case_rule.years or 0)):04d}-{on:%m-%d}"
    limit = on.isoformat()
    # The dates are worked out by SQLite (retention.years_after's rule: date() takes 29
    # February into a common year as 1 March), so only records due reach Python: the review of
    # 50,000 cases spent most of its time making date objects and formatting them per row.
    due_sql = f"date(c.closed_on, '+{int(case_rule.years or 0)} years')"
    if case_rule.until_age:
        due_sql = f"max({due_sql}, coalesce(date(p.date_of_birth, '+{int(case_rule.until_age)} years'), ''))"
    for cid, ref, closed, born, due in conn.execute(
            f"SELECT c.id, c.reference, c.closed_on, p.date_of_birth IS NOT NULL, {due_sql} FROM casefile c "
            "JOIN person p ON p.id = c.child_id WHERE c.status = 'closed' AND c.deleted_at IS NULL "
            "AND c.anonymised_at IS NULL AND c.closed_on <= ?", (latest_closed,)):
        if cid in extended:
            due = max(due, extended[cid])
        if due <= limit:
            found.append((due, ref, CASE, cid, closed, born))
    enquiry_rule = schedule[retention.ENQUIRY]
    extended = _extensions(conn, "enquiry_id")
    bound = f"{(on.year - (enquiry_rule.years or 0)):04d}-{on:%m-%d}T99"
    for eid, ref, received, due in conn.execute(
            f"SELECT id, reference, received_at, date(substr(received_at, 1, 10), "
            f"'+{int(enquiry_rule.years or 0)} years') FROM enquiry WHERE deleted_at IS NULL AND anonymised_at IS NULL "
            "AND case_id IS NULL AND received_at <= ? AND id NOT IN (SELECT enquiry_id FROM casefile WHERE "
            "enquiry_id IS NOT NULL)", (bound,)):
        if eid in extended:
            due = max(due, extended[eid])
        if due <= limit:
            found.append((due, ref, ENQUIRY, eid, received, True))
    for mid, left, joined in conn.execute(
            "SELECT id, left_on, joined_on FROM mailing_list_member WHERE deleted_at IS NULL AND left_on IS NOT NULL "
            "AND left_on <= ?", (on.isoformat(),)):
        found.append((left, f"Mailing list entry from {date.fromisoformat(joined):%d/%m/%Y}", MAILING, mid, left, True))
    return found


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
