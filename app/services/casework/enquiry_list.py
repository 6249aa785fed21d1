"""The enquiries list: every enquiry the viewer may see, a page at a time, filtered by type
and channel and sorted by the column asked for. The service pages and sorts, so a service
with years of enquiries never loads them all (the screen once showed only the latest 100)."""

from dataclasses import dataclass

from app.domain.choices import Channel, EnquiryType
from app.domain.records import Enquiry
from app.domain.role_matrix import Scope, grants
from app.errors import ValidationError
from app.security.session import Session
from app.services import access

# The sort keys the screen may ask for, and the SQL each means.
SORTABLE = {"received": "e.received_at", "reference": "e.reference", "channel": "e.channel",
            "route": "e.route", "type": "e.enquiry_type"}
MAX_PAGE = 500


@dataclass
class EnquiryQuery:
    enquiry_type: str | None = None
    channel: str | None = None
    sort: str = "received"
    descending: bool = True
    offset: int = 0
    limit: int = 100


@grants(Scope.GENERAL, "volunteers: general enquiries they handled; pages; audited bulk read")
def list_enquiries(session: Session, query: EnquiryQuery | None = None) -> tuple[list[Enquiry], int]:
    """One page of enquiries and how many match in all, newest first unless asked otherwise.
    Volunteers see only the general-information enquiries they handled; nobody sees what the
    firewall closes to them. Audited as a bulk read.

    May raise: Locked, ValidationError (an unknown filter or sort)."""
    q = query or EnquiryQuery()
    where = ["e.deleted_at IS NULL", access.enquiry_visible_sql("e")]
    params = access.visibility_params(session)
    if q.enquiry_type:
        where.append("e.enquiry_type = :etype")
        params["etype"] = EnquiryType.parse(q.enquiry_type, "enquiry_type").value
    if q.channel:
        where.append("e.channel = :channel")
        params["channel"] = Channel.parse(q.channel, "channel").value
    if q.sort not in SORTABLE:
        raise ValidationError("Unknown sort column.", field="sort")
    limit = max(1, min(int(q.limit), MAX_PAGE))
    order = f"{SORTABLE[q.sort]} {'DESC' if q.descending else 'ASC'}, e.received_at DESC, e.reference DESC"
    clause = " AND ".join(where)
    total = session.conn.execute(f"SELECT count(*) FROM enquiry e WHERE {clause}", params).fetchone()[0]
    rows = session.conn.execute(f"SELECT e.* FROM enquiry e WHERE {clause} ORDER BY {order} "
                                "LIMIT :limit OFFSET :offset", {**params, "limit": limit, "offset": max(0, int(q.offset))})
    found = [Enquiry.from_row(r) for r in rows]
    access.audit_bulk_read(session, "enquiry", len(found), enquiry_type=q.enquiry_type, channel=q.channel,
                           offset=int(q.offset), limit=limit, total=total)
    return found, total
