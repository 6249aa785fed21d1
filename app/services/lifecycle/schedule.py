"""The team's retention schedule: one rule per kind of record, set by the manager, replicated
to every computer (docs/lifecycle.md "The schedule")."""

from app.domain import retention
from app.domain.retention import Rule
from app.domain.role_matrix import Scope, grants
from app.errors import ValidationError
from app.security.session import Session
from app.storage import records
from app.storage.db import transaction


def rules(conn) -> dict[str, Rule]:
    """The schedule in force: the manager's rules over the defaults."""
    found = dict(retention.DEFAULTS)
    for kind, years, until_age in conn.execute(
            "SELECT kind, years, until_age FROM retention_rule WHERE deleted_at IS NULL"):
        if kind in found:
            found[kind] = Rule(kind, years, until_age)
    return found


@grants(Scope.ANY, "the schedule is the service's published policy")
def get_schedule(session: Session) -> dict[str, Rule]:
    return rules(session.conn)


@grants(Scope.ANY, "the schedule is the service's published policy")
def describe_schedule(session: Session) -> list[str]:
    return [retention.describe(r) for r in rules(session.conn).values()]


def _whole(value, label: str, low_high: tuple[int, int], field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(f"{label} must be a whole number.", field=field) from None
    low, high = low_high
    if not low <= number <= high:
        raise ValidationError(f"{label} must be between {low} and {high}.", field=field)
    return number


@grants(Scope.MANAGER, "the retention schedule is the manager's policy for the whole team")
def set_rule(session: Session, kind: str, years=None, until_age=None) -> Rule:
    """Set how long one kind of record is kept. Closed casework and enquiries need a number of
    years; the mailing list takes none (it is kept while consent lasts).

    May raise: ValidationError, PermissionDenied."""
    if kind not in retention.KINDS:
        raise ValidationError(f"There is no kind of record called '{kind}'.", field="kind")
    years_n = _whole(years, "Years", retention.YEARS_RANGE, "years")
    age_n = _whole(until_age, "The age", retention.AGE_RANGE, "until_age")
    if kind == retention.MAILING_LIST:
        years_n = age_n = None
    elif years_n is None:
        raise ValidationError("Say how many years this kind of record is kept.", field="years")
    if kind != retention.CLOSED_CASE:
        age_n = None
    conn = session.conn
    with transaction(conn):
        row = conn.execute("SELECT years, until_age FROM retention_rule WHERE kind = ?", (kind,)).fetchone()
        if row is None:
            at = records.utc_now()
            conn.execute("INSERT INTO retention_rule (kind, years, until_age, created_at, created_by, updated_at, "
                         "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (kind, years_n, age_n, at, session.user.username, at, session.user.username))
        elif (row[0], row[1]) != (years_n, age_n):
            conn.execute("UPDATE retention_rule SET years = ?, until_age = ?, updated_at = ?, updated_by = ?, "
                         "version = version + 1 WHERE kind = ?",
                         (years_n, age_n, records.utc_now(), session.user.username, kind))
        session.audit("retention_rule_set", "retention_rule", kind, {"years": years_n, "until_age": age_n})
    return Rule(kind, years_n, age_n)
