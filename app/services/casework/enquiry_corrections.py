"""Correcting an enquiry after it was saved (a wrong channel, a mistyped summary, a missed
topic), anonymous ones included. Like a note, the version being replaced is kept in
enquiry_revision, so what was first recorded stays visible (R8, and the SAR pack).

Who took the call, the people it names and whether casework was opened are not corrected
here: those have their own records and rules (R1-R4).
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app import clock
from app.domain.choices import Channel, Topic
from app.domain.records import Enquiry
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.domain.text import LONG_MAX, NAME_MAX, clean, clean_name
from app.errors import PermissionDenied, StaleEdit, ValidationError
from app.security.session import Session
from app.services.casework.enquiries import get_enquiry
from app.storage import records
from app.storage.db import transaction


@dataclass
class EnquiryCorrection:
    received_at: datetime
    channel: str
    summary: str = ""
    topics: list[str] = field(default_factory=list)
    anonymous_first_name: str | None = None
    anonymous_area: str | None = None


@dataclass(frozen=True)
class EnquiryRevision:
    version: int
    received_at: str
    channel: str
    summary: str
    topics: list[str]
    anonymous_first_name: str | None
    anonymous_area: str | None
    written_at: str
    written_by: str


@grants(Scope.GENERAL, "volunteers: general enquiries they handled; history kept")
def correct_enquiry(session: Session, enquiry_id: str, change: EnquiryCorrection,
                    expected_version: int | None = None, now: datetime | None = None) -> Enquiry:
    """Correct an enquiry; the version it replaces is kept.

    May raise: NotFound, PermissionDenied (not visible; a volunteer correcting someone
    else's), ValidationError, StaleEdit (someone changed it meanwhile).
    """
    enquiry = get_enquiry(session, enquiry_id)  # visibility: volunteers, the firewall
    if session.user.role == Role.VOLUNTEER and enquiry.handled_by != session.user.username:
        raise PermissionDenied("Volunteers correct only the enquiries they recorded.")
    values = _validate(enquiry, change, now or clock.now())
    topics = sorted({Topic.parse(t, "topics").value for t in change.topics})
    conn = session.conn
    with transaction(conn):
        row = conn.execute("SELECT version, updated_at, updated_by, created_by FROM enquiry WHERE id = ?",
                           (enquiry.id,)).fetchone()
        last = conn.execute("SELECT coalesce(max(version), 0) FROM enquiry_revision WHERE enquiry_id = ?",
                            (enquiry.id,)).fetchone()[0]
        conn.execute(
            "INSERT INTO enquiry_revision (id, enquiry_id, version, received_at, channel, summary, topics, "
            "anonymous_first_name, anonymous_area, written_at, written_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (records.new_id(), enquiry.id, max(row[0], last + 1), enquiry.received_at, enquiry.channel,
             enquiry.summary, json.dumps(enquiry.topics), enquiry.anonymous_first_name, enquiry.anonymous_area,
             row[1], row[2] or row[3] or enquiry.handled_by))
        if records.update(conn, "enquiry", enquiry.id, values, session.user.username, expected_version) != 1:
            raise StaleEdit()
        conn.execute("DELETE FROM enquiry_topic WHERE enquiry_id = ?", (enquiry.id,))
        for topic in topics:
            conn.execute("INSERT INTO enquiry_topic (enquiry_id, topic) VALUES (?, ?)", (enquiry.id, topic))
        session.audit("enquiry_corrected", "enquiry", enquiry.id)
    return get_enquiry(session, enquiry.id)


def _validate(enquiry: Enquiry, change: EnquiryCorrection, now: datetime) -> dict:
    received = change.received_at.astimezone(UTC)
    if (received - now.astimezone(UTC)).total_seconds() > 300:
        raise ValidationError("The enquiry's date and time is in the future.", field="received_at")
    values = {"received_at": received.isoformat(timespec="seconds"),
              "channel": Channel.parse(change.channel, "channel").value,
              "summary": clean(change.summary, "summary", "Summary", max_len=LONG_MAX, multiline=True) or ""}
    if enquiry.is_anonymous:
        values["anonymous_first_name"] = clean_name(change.anonymous_first_name, "anonymous_first_name",
                                                    "First name", max_len=NAME_MAX)
        values["anonymous_area"] = clean(change.anonymous_area, "anonymous_area", "Area", max_len=NAME_MAX)
    elif change.anonymous_first_name or change.anonymous_area:
        raise ValidationError("Only an anonymous enquiry has a first name and area of its own.",
                              field="anonymous_first_name")
    return values


@grants(Scope.GENERAL, "volunteers: general enquiries they handled")
def enquiry_history(session: Session, enquiry_id: str) -> list[EnquiryRevision]:
    """Earlier versions, oldest first (the enquiry itself is the newest).

    May raise: NotFound, PermissionDenied.
    """
    enquiry = get_enquiry(session, enquiry_id)
    rows = session.conn.execute(
        "SELECT version, received_at, channel, summary, topics, anonymous_first_name, anonymous_area, "
        "written_at, written_by FROM enquiry_revision WHERE enquiry_id = ? ORDER BY version", (enquiry.id,))
    return [EnquiryRevision(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7], r[8]) for r in rows]
