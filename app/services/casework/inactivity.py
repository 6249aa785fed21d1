"""The manager's no-contact rule applied to one case (docs/national.md, "Open, inactive and
closed"), written inside the caller's transaction.

Every computer of a team applies it, at unlock and daily, so it must come out the same wherever
it runs: the state a case settles in is a function of its own rows (its opening, notes and state
history) and the service's period, never of which computer ran it or when. Each change is dated
by those rows (the day the period ran out, the day of the contact that reopened it) and has an id
derived from the case and that day, so two computers settling the same case write the same rows
and the team's merge meets them as one (docs/sync.md §8, "we made the same row")."""

from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.choices import CaseStatus
from app.domain.intervention import INACTIVE_DAYS_DEFAULT
from app.services.casework import case_history
from app.storage import records

POLICY_ID = "national-policy"
AUTOMATIC = ("no_contact", "contact_after")   # the two changes the rule makes by itself
_ROUNDS = 50   # a case alternates at most once per contact; far more than any real history


@dataclass(frozen=True)
class Settled:
    case_id: str
    state: str
    on: date
    how: str     # no_contact, contact_after, or withdrawn (an automatic inactivity undone)


def period_days(conn) -> int:
    row = conn.execute("SELECT inactive_after_days FROM national_policy WHERE id = ? AND deleted_at IS NULL",
                       (POLICY_ID,)).fetchone()
    return int(row[0]) if row else INACTIVE_DAYS_DEFAULT


def settle(conn, case_id: str, today: date, days: int, actor: str) -> list[Settled]:
    """Bring one open or inactive case into line with its contacts; returns what changed.

    - open, and no contact for `days` days: inactive, dated the day the period ran out;
    - inactive, and a contact after it went inactive (on or after, when the rule made it
      inactive: a contact that day means the period had not run out): open again, dated
      that contact;
    - inactive by the rule, yet a contact within the period before it (a colleague's note that
      had not arrived when it was made): the inactivity is withdrawn, as if never made."""
    changes: list[Settled] = []
    for _ in range(_ROUNDS):
        row = conn.execute("SELECT status FROM casefile WHERE id = ? AND deleted_at IS NULL", (case_id,)).fetchone()
        if row is None:
            return changes
        change = _step(conn, case_id, row[0], today, days, actor)
        if change is None:
            return changes
        changes.append(change)
    return changes


def _step(conn, case_id: str, status: str, today: date, days: int, actor: str) -> Settled | None:
    period = timedelta(days=days)
    if status == CaseStatus.OPEN.value:
        last = date.fromisoformat(case_history.last_contact(conn, case_id))
        if today - last < period:
            return None
        day = last + period
        _write(conn, case_id, CaseStatus.INACTIVE.value, CaseStatus.OPEN.value, day, "no_contact", actor)
        return Settled(case_id, CaseStatus.INACTIVE.value, day, "no_contact")
    if status != CaseStatus.INACTIVE.value:
        return None
    went = conn.execute(
        "SELECT id, changed_on, how FROM case_state_change WHERE case_id = ? AND deleted_at IS NULL "
        "AND state = 'inactive' ORDER BY changed_on DESC, created_at DESC LIMIT 1", (case_id,)).fetchone()
    if went is None:
        return None
    change_id, since, how = went[0], date.fromisoformat(went[1]), went[2]
    if how == "no_contact":
        before = case_history.last_contact(conn, case_id, up_to=since, leaving_out=change_id)
        if before and since - date.fromisoformat(before) < period:
            _withdraw(conn, case_id, change_id, actor)
            return Settled(case_id, CaseStatus.OPEN.value, since, "withdrawn")
    contact = case_history.first_note_after(conn, case_id, since, inclusive=how == "no_contact")
    if contact is None:
        return None
    day = date.fromisoformat(contact)
    _write(conn, case_id, CaseStatus.OPEN.value, CaseStatus.INACTIVE.value, day, "contact_after", actor)
    return Settled(case_id, CaseStatus.OPEN.value, day, "contact_after")


def _write(conn, case_id: str, state: str, previous: str, day: date, how: str, actor: str) -> None:
    records.update(conn, "casefile", case_id, {"status": state}, actor)
    change_id = f"{case_id}:{how}:{day.isoformat()}"
    if conn.execute("SELECT 1 FROM case_state_change WHERE id = ?", (change_id,)).fetchone():
        # Made before and withdrawn: the same fact again, so the same row says it again.
        records.update(conn, "case_state_change", change_id, {"state": state, "previous_state": previous,
                                                               "how": how}, actor)
    else:
        case_history.record_state(conn, case_id, state, previous, day, how, actor, record_id=change_id)


def _withdraw(conn, case_id: str, change_id: str, actor: str) -> None:
    """The row is edited, never deleted: two computers withdrawing it make the same edit, which
    the team's merge takes as one, where two deletions of one row would wait for a person."""
    records.update(conn, "casefile", case_id, {"status": CaseStatus.OPEN.value}, actor)
    records.update(conn, "case_state_change", change_id, {"state": CaseStatus.OPEN.value,
                                                          "previous_state": CaseStatus.OPEN.value,
                                                          "how": "withdrawn"}, actor)
