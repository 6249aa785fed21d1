"""A subject access request as a record: who asked, about whom, and where its statutory clock
stands (app/domain/sar_deadline.py). Types only: the register that stores them is
app/services/sar/register.py."""

import json
from dataclasses import dataclass
from datetime import date

from app.domain import sar_deadline, sar_status
from app.domain.choices import Choice
from app.domain.records import from_row_of


class RequesterKind(Choice):
    SUBJECT = "subject"
    PARENT = "parent"
    REPRESENTATIVE = "representative"


class SarStatus(Choice):
    NEW = "new"
    AWAITING_ID = "awaiting_id"
    AWAITING_CLARIFICATION = "awaiting_clarification"
    IN_REVIEW = "in_review"
    EXTENDED = "extended"
    SENT = "sent"
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = sar_status.OPEN_STATUSES


@dataclass(frozen=True)
class Clarification:
    asked: date
    received: date | None
    question: str
    answer: str


@dataclass
class Sar:
    id: str
    reference: str
    received_on: str
    subject_id: str
    requester_kind: str
    requester_name: str
    status: str
    requester_id: str | None = None
    authority_note: str | None = None
    identity_method: str | None = None
    identity_received_on: str | None = None
    identity_checked_by: str | None = None
    clarification_requested_on: str | None = None
    clarification_received_on: str | None = None
    extension_months: int = 0
    extension_reason: str | None = None
    extension_recorded_on: str | None = None
    young_person_agreed: int = 0
    due_on: str | None = None
    sent_on: str | None = None
    sent_method: str | None = None
    version: int = 1
    subject_name: str = ""
    # Every clarification, as JSON: [asked, received, what was asked, the answer] (received and
    # answer null while it is awaited; entries written before the words were kept are
    # [asked, received]). Only the answered ones pause the clock.
    clarification_pauses: str = "[]"
    child_competent: int | None = None
    child_authority: str | None = None
    child_authority_note: str | None = None
    child_authority_by: str | None = None
    child_authority_on: str | None = None
    review_completed_at: str | None = None
    review_completed_by: str | None = None
    review_fingerprint: str | None = None

    from_row = classmethod(from_row_of)

    def pauses(self) -> list[sar_deadline.Pause]:
        return [sar_deadline.Pause(c.asked, c.received) for c in self.clarifications() if c.received]

    def clarifications(self) -> list["Clarification"]:
        found = []
        for entry in json.loads(self.clarification_pauses or "[]"):
            asked, received, question, answer = (list(entry) + [None, None])[:4]
            found.append(Clarification(date.fromisoformat(asked), _d(received), question or "", answer or ""))
        return found

    def due_before_pause(self) -> date | None:
        """While clarification is awaited (identity confirmed): the deadline as it stood when
        the clock stopped. The new one is known once the answer arrives."""
        if self.status != "awaiting_clarification" or not self.identity_received_on:
            return None
        return sar_deadline.deadline(
            date.fromisoformat(self.received_on), _d(self.identity_received_on),
            self.pauses(), self.extension_months, _d(self.extension_recorded_on)).due

    def paused_days(self) -> int:
        found = self.deadline()
        return found.paused_days if found else 0

    def deadline(self) -> sar_deadline.Deadline | None:
        """None while the clock has not started or is stopped (identity or clarification awaited)."""
        if self.status in ("awaiting_id", "awaiting_clarification"):
            return None
        return sar_deadline.deadline(
            date.fromisoformat(self.received_on), _d(self.identity_received_on),
            self.pauses(), self.extension_months, _d(self.extension_recorded_on))

    def timeliness(self, today: date) -> str:
        """on_track, due_soon, overdue, waiting (clock paused), sent_on_time, sent_late, withdrawn."""
        if self.status == "withdrawn":
            return "withdrawn"
        if self.status == "sent":
            return "sent_on_time" if self.due_on and self.sent_on <= self.due_on else "sent_late"
        found = self.deadline()
        return "waiting" if found is None else found.status(today)


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
