"""The rules of a complaint's clock, kept pure so that they are tested on their own."""

from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.choices import Channel, Choice
from app.services.reports.complaints import ACK_DAYS

DUE_SOON_DAYS = 7


class ComplaintOutcome(Choice):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"
    WITHDRAWN = "withdrawn"


def acknowledgement_due(received_on: date) -> date:
    """The 30 days run from the day after receipt; the last of them is the due date."""
    return received_on + timedelta(days=ACK_DAYS)


@dataclass
class Complaint:
    id: str
    reference: str
    received_on: date
    channel: str
    complainant: str
    about: str
    ack_due_on: date
    acknowledged_on: date | None
    acknowledged_how: str | None
    outcome: str | None
    reply: str | None
    replied_on: date | None

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label

    @property
    def outcome_label(self) -> str:
        return ComplaintOutcome(self.outcome).label if self.outcome else ""

    @property
    def acknowledged_on_time(self) -> bool | None:
        return None if self.acknowledged_on is None else self.acknowledged_on <= self.ack_due_on

    def state(self, today: date) -> str:
        """closed, ack_overdue, ack_due_soon, awaiting_ack, awaiting_reply."""
        if self.replied_on:
            return "closed"
        if self.acknowledged_on is None:
            if today > self.ack_due_on:
                return "ack_overdue"
            return "ack_due_soon" if (self.ack_due_on - today).days <= DUE_SOON_DAYS else "awaiting_ack"
        return "awaiting_reply"

    def status_text(self, today: date) -> str:
        state = self.state(today)
        if state == "closed":
            return f"Replied {self.replied_on:%d/%m/%Y} ({self.outcome_label.lower()})"
        if state == "ack_overdue":
            return f"Acknowledgement overdue since {self.ack_due_on:%d/%m/%Y}"
        if state == "awaiting_reply":
            return f"Acknowledged {self.acknowledged_on:%d/%m/%Y}; reply due"
        return f"Acknowledge by {self.ack_due_on:%d/%m/%Y}"
