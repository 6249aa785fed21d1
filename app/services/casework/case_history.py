"""The history of a case's intervention level and state (docs/national.md), written inside the
caller's transaction by whichever service changes them, so no change goes unrecorded."""

from datetime import date

from app.storage import records


def record_level(conn, case_id: str, level: str, previous: str | None, on: date, actor: str,
                 reason: str | None = None) -> str:
    return records.insert(conn, "case_level_change", {
        "case_id": case_id, "level": level, "previous_level": previous, "changed_on": on.isoformat(),
        "reason": reason}, actor)


def record_state(conn, case_id: str, state: str, previous: str | None, on: date, how: str, actor: str,
                 record_id: str | None = None) -> str:
    """`how`: opened, closed, reopened, made_inactive (by a person), reactivated (by a person),
    and the rule's own (inactivity.py): no_contact (the manager's period passed with no
    contact), contact_after (a contact after it went inactive reopened it), withdrawn (an
    inactivity the rule made too early, kept as an open row on the same day, never shown)."""
    return records.insert(conn, "case_state_change", {
        "case_id": case_id, "state": state, "previous_state": previous, "changed_on": on.isoformat(),
        "how": how}, actor, record_id=record_id)


def last_contact(conn, case_id: str, up_to: date | None = None, leaving_out: str | None = None) -> str | None:
    """The latest day anything happened with the family: the opening, a note, or a reopening;
    with `up_to`, the latest on or before that day, leaving out the state change `leaving_out`."""
    row = conn.execute(
        "SELECT max(d) FROM (SELECT opened_on AS d FROM casefile WHERE id = :id "
        "UNION ALL SELECT max(occurred_on) FROM note WHERE case_id = :id AND deleted_at IS NULL "
        "AND occurred_on <= :up_to "
        "UNION ALL SELECT max(changed_on) FROM case_state_change WHERE case_id = :id AND deleted_at IS NULL "
        "AND how IN ('opened', 'reopened', 'reactivated', 'contact_after') AND changed_on <= :up_to "
        "AND id IS NOT :leave) WHERE d <= :up_to",
        {"id": case_id, "up_to": (up_to or date.max).isoformat(), "leave": leaving_out}).fetchone()
    return row[0]


def first_note_after(conn, case_id: str, since: date, inclusive: bool) -> str | None:
    """The first day after `since` (or on it, if `inclusive`) with a note on the case."""
    row = conn.execute(
        f"SELECT min(occurred_on) FROM note WHERE case_id = ? AND deleted_at IS NULL "
        f"AND occurred_on {'>=' if inclusive else '>'} ?", (case_id, since.isoformat())).fetchone()
    return row[0]
