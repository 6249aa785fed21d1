"""The staff register and policy reviews (R15), with reminders computed for a given day."""

from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.domain.text import clean, parse_date
from app.errors import NotFound, ValidationError
from app.security.session import Session
from app.storage import records
from app.storage.db import transaction
from app.storage.staff_repo import StaffRepo

TRAINING_VALID_DAYS = 365
DUE_SOON_DAYS = 30
INDUCTION_GRACE_DAYS = 30


@dataclass
class StaffRegisterEntry:
    staff_id: str
    username: str
    full_name: str
    role: str
    active: bool
    start_date: str | None = None
    agreement_signed_on: str | None = None
    induction_on: str | None = None
    dp_training_on: str | None = None
    notes: str | None = None

    @property
    def training_due_on(self) -> str | None:
        if not self.dp_training_on:
            return None
        return (date.fromisoformat(self.dp_training_on) + timedelta(days=TRAINING_VALID_DAYS)).isoformat()


@dataclass
class Reminder:
    kind: str  # training_lapsed, training_due, agreement_missing, induction_missing, policy_review_due
    severity: str  # "overdue" or "due_soon"
    text: str
    target_type: str
    target_id: str


@grants(Scope.MANAGER)
def staff_register(session: Session) -> list[StaffRegisterEntry]:
    rows = session.conn.execute(
        "SELECT s.id AS staff_id, s.username, s.full_name, s.role, s.active, r.start_date, r.agreement_signed_on, "
        "r.induction_on, r.dp_training_on, r.notes FROM staff s LEFT JOIN staff_record r ON r.staff_id = s.id "
        "AND r.deleted_at IS NULL WHERE s.deleted_at IS NULL ORDER BY s.active DESC, s.full_name COLLATE NOCASE")
    return [StaffRegisterEntry(**{k: r[k] for k in r.keys()}) for r in rows]


@grants(Scope.MANAGER)
def update_staff_record(session: Session, username: str, *, start_date=None, agreement_signed_on=None,
                        induction_on=None, dp_training_on=None, notes: str | None = None,
                        today: date | None = None) -> StaffRegisterEntry:
    today = today or date.today()
    member = StaffRepo(session.conn).get_by_username((username or "").strip().lower())
    if member is None:
        raise NotFound(f"There is no account named '{username}'.")
    values = {}
    for field, label, value in (("start_date", "Start date", start_date),
                                ("agreement_signed_on", "Agreement signed", agreement_signed_on),
                                ("induction_on", "Induction date", induction_on),
                                ("dp_training_on", "Data protection training date", dp_training_on)):
        day = parse_date(value, field, label)
        if day and day > today:
            raise ValidationError(f"{label} is in the future.", field=field)
        values[field] = day.isoformat() if day else None
    if values["start_date"] and values["induction_on"] and values["induction_on"] < values["start_date"]:
        raise ValidationError("Induction cannot be before the start date.", field="induction_on")
    values["notes"] = clean(notes, "notes", "Notes", max_len=1000, multiline=True)
    with transaction(session.conn):
        existing = session.conn.execute("SELECT id FROM staff_record WHERE staff_id = ? AND deleted_at IS NULL",
                                        (member.id,)).fetchone()
        if existing:
            records.update(session.conn, "staff_record", existing[0], values, session.user.username)
        else:
            records.insert(session.conn, "staff_record", {"staff_id": member.id, **values}, session.user.username)
        session.audit("staff_register_updated", "staff", member.id)
    return next(e for e in staff_register(session) if e.staff_id == member.id)


@grants(Scope.MANAGER)
def staff_reminders(session: Session, today: date | None = None) -> list[Reminder]:
    """Lapsed or soon-lapsing training, missing volunteer agreements and inductions (active staff)."""
    today = today or date.today()
    found = []
    for entry in staff_register(session):
        if not entry.active:
            continue
        due = entry.training_due_on
        if due is None:
            found.append(Reminder("training_lapsed", "overdue", f"{entry.full_name}: no data protection "
                                  "training recorded", "staff", entry.staff_id))
        elif due < today.isoformat():
            found.append(Reminder("training_lapsed", "overdue", f"{entry.full_name}: data protection training "
                                  f"lapsed on {date.fromisoformat(due):%d/%m/%Y}", "staff", entry.staff_id))
        elif due <= (today + timedelta(days=DUE_SOON_DAYS)).isoformat():
            found.append(Reminder("training_due", "due_soon", f"{entry.full_name}: data protection training "
                                  f"due by {date.fromisoformat(due):%d/%m/%Y}", "staff", entry.staff_id))
        if entry.role == Role.VOLUNTEER and not entry.agreement_signed_on:
            found.append(Reminder("agreement_missing", "overdue", f"{entry.full_name}: volunteer "
                                  "confidentiality agreement not signed", "staff", entry.staff_id))
        if not entry.induction_on and entry.start_date and \
                date.fromisoformat(entry.start_date) + timedelta(days=INDUCTION_GRACE_DAYS) < today:
            found.append(Reminder("induction_missing", "overdue", f"{entry.full_name}: induction not recorded",
                                  "staff", entry.staff_id))
    return found


# --- policy reviews ------------------------------------------------------------------------

def _year_after(day: date) -> date:
    """The policy is reviewed annually; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 2, 28)


@dataclass
class PolicyReview:
    id: str
    reviewed_on: str
    reviewed_by: str
    minutes_reference: str | None
    next_review_on: str
    notes: str | None


@grants(Scope.MANAGER)
def record_policy_review(session: Session, reviewed_on, reviewed_by: str, minutes_reference: str | None,
                         next_review_on=None, notes: str | None = None, today: date | None = None) -> PolicyReview:
    today = today or date.today()
    day = parse_date(reviewed_on, "reviewed_on", "Review date", required=True)
    if day > today:
        raise ValidationError("The review date is in the future.", field="reviewed_on")
    nxt = parse_date(next_review_on, "next_review_on", "Next review") or _year_after(day)
    if nxt <= day:
        raise ValidationError("The next review must be after this one.", field="next_review_on")
    values = {"reviewed_on": day.isoformat(), "next_review_on": nxt.isoformat(),
              "reviewed_by": clean(reviewed_by, "reviewed_by", "Reviewed by", required=True, max_len=200),
              "minutes_reference": clean(minutes_reference, "minutes_reference", "Minutes reference", max_len=100),
              "notes": clean(notes, "notes", "Notes", max_len=2000, multiline=True)}
    with transaction(session.conn):
        review_id = records.insert(session.conn, "policy_review", values, session.user.username)
        session.audit("policy_reviewed", "policy_review", review_id)
    return next(r for r in policy_reviews(session) if r.id == review_id)


@grants(Scope.MANAGER)
def policy_reviews(session: Session) -> list[PolicyReview]:
    rows = session.conn.execute("SELECT id, reviewed_on, reviewed_by, minutes_reference, next_review_on, notes "
                                "FROM policy_review WHERE deleted_at IS NULL ORDER BY reviewed_on DESC, created_at DESC")
    return [PolicyReview(**{k: r[k] for k in r.keys()}) for r in rows]


@grants(Scope.MANAGER)
def policy_reminder(session: Session, today: date | None = None) -> Reminder | None:
    today = today or date.today()
    reviews = policy_reviews(session)
    if not reviews:
        return Reminder("policy_review_due", "overdue", "The confidentiality policy has no review recorded",
                        "policy_review", "")
    latest = reviews[0]
    if latest.next_review_on < today.isoformat():
        return Reminder("policy_review_due", "overdue", "The confidentiality policy review was due on "
                        f"{date.fromisoformat(latest.next_review_on):%d/%m/%Y}", "policy_review", latest.id)
    if latest.next_review_on <= (today + timedelta(days=DUE_SOON_DAYS)).isoformat():
        return Reminder("policy_review_due", "due_soon", "The confidentiality policy review is due on "
                        f"{date.fromisoformat(latest.next_review_on):%d/%m/%Y}", "policy_review", latest.id)
    return None
