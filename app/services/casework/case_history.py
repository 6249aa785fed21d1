"""The history of a case's intervention level and state (docs/national.md), written inside the
caller's transaction by whichever service changes them, so no change goes unrecorded."""

from datetime import date

from app.storage import records


def record_level(conn, case_id: str, level: str, previous: str | None, on: date, actor: str,
                 reason: str | None = None) -> str:
    return records.insert(conn, "case_level_change", {
        "case_id": case_id, "level": level, "previous_level": previous, "changed_on": on.isoformat(),
        "reason": reason}, actor)


def record_state(conn, case_id: str, state: str, previous: str | None, on: date, how: str, actor: str) -> str:
    """`how`: opened, closed, reopened, made_inactive (by a person), no_contact (the manager's
    period passed with no contact), reactivated."""
    return records.insert(conn, "case_state_change", {
        "case_id": case_id, "state": state, "previous_state": previous, "changed_on": on.isoformat(),
        "how": how}, actor)


def last_contact(conn, case_id: str) -> str:
    """The latest day anything happened with the family: the opening, a note, or a change of state."""
    row = conn.execute(
        "SELECT max(d) FROM (SELECT opened_on AS d FROM casefile WHERE id = :id "
        "UNION ALL SELECT max(occurred_on) FROM note WHERE case_id = :id AND deleted_at IS NULL "
        "UNION ALL SELECT max(changed_on) FROM case_state_change WHERE case_id = :id AND deleted_at IS NULL "
        "AND how IN ('opened', 'reopened', 'reactivated'))", {"id": case_id}).fetchone()
    return row[0]
