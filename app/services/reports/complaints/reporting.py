"""The complaints register on the manager's dashboard and in the period report."""

from datetime import date

from app.domain.dashboard import Item, Section
from app.domain.periods import Period
from app.domain.report import Table
from app.domain.role_matrix import Scope, grants
from app.security.session import Session
from app.services.reports.complaints.register import list_complaints


@grants(Scope.MANAGER, "dashboard")
def dashboard_section(session: Session, today: date):
    """Complaints not yet acknowledged (with the 30-day deadline) or not yet answered.

    May raise: PermissionDenied (managers only)."""
    section = Section("complaints", "Data protection complaints to acknowledge or answer",
                      empty_text="No complaint is waiting.")
    severity = {"ack_overdue": "overdue", "ack_due_soon": "due_soon", "awaiting_ack": "info",
                "awaiting_reply": "info"}
    for complaint in sorted(list_complaints(session, open_only=True), key=lambda c: c.ack_due_on):
        state = complaint.state(today)
        detail = ("reply without undue delay" if state == "awaiting_reply"
                  else f"received {complaint.received_on:%d/%m/%Y}")
        section.items.append(Item(f"{complaint.reference}: {complaint.status_text(today)}", "complaint",
                                  complaint.id, severity[state], detail=detail))
    return section


def report_table(conn, period: Period):
    """Received in the period; acknowledged in the period, and how many of those on time."""
    q = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    received = conn.execute("SELECT count(*) FROM dp_complaint WHERE deleted_at IS NULL "
                            "AND received_on BETWEEN :start AND :end", q).fetchone()[0]
    acknowledged, on_time = conn.execute(
        "SELECT count(*), coalesce(sum(acknowledged_on <= ack_due_on), 0) FROM dp_complaint "
        "WHERE deleted_at IS NULL AND acknowledged_on BETWEEN :start AND :end", q).fetchone()
    answered = conn.execute("SELECT count(*) FROM dp_complaint WHERE deleted_at IS NULL "
                            "AND replied_on BETWEEN :start AND :end", q).fetchone()[0]
    return Table("complaints", "Data protection complaints", ["Complaints", "Count"],
                 [["Received", received], ["Acknowledged", acknowledged],
                  ["Acknowledged within 30 days", on_time], ["Answered", answered]],
                 note="Complaints about how the service handles personal data (s.164A Data Protection Act 2018).")
