"""Intervention levels during a case (history kept), and the manager's one-off mapping of the
old levels of support onto the network's, tried first as a dry run (docs/national.md)."""

from dataclasses import dataclass
from datetime import date

from app import clock
from app.domain.choices import SupportLevel
from app.domain.intervention import LevelMapping, parse_level
from app.domain.role_matrix import Scope, grants
from app.domain.text import clean
from app.errors import StaleEdit, ValidationError
from app.security.session import Session
from app.services import access
from app.services.casework import case_history
from app.services.casework.cases import load_case
from app.storage import records
from app.storage.db import transaction


@dataclass(frozen=True)
class LevelChange:
    level: str
    previous_level: str | None
    changed_on: str
    reason: str | None
    changed_by: str


@dataclass(frozen=True)
class MappingPlan:
    """What a mapping would do: per old level, how many cases and the level they would get."""

    rows: list[tuple[str, int, str | None]]     # (old level, cases, new level or None if unmapped)
    applied: bool = False

    @property
    def cases(self) -> int:
        return sum(n for _old, n, new in self.rows if new)

    @property
    def unmapped(self) -> list[str]:
        return [old for old, n, new in self.rows if n and not new]


@grants(Scope.CASEWORK, "the case's level, within the firewall")
def change_level(session: Session, case_id: str, level: str, reason: str | None = None,
                 on: date | None = None, expected_version: int | None = None):
    """Move a case to another intervention level from `on` (today by default); the earlier level
    stays in its history.

    May raise: ValidationError (not a network level, the same level, a day before the case
    opened), StaleEdit, PermissionDenied, NotFound."""
    case = load_case(session, case_id)
    access.require_casework(session)
    level = parse_level(level)
    if level == case.level:
        raise ValidationError("The case is already at that level.", field="level")
    reason = clean(reason, "reason", "Reason", max_len=500)
    day = on or clock.now().date()
    if day < date.fromisoformat(case.opened_on):
        raise ValidationError("A level cannot change before the case opened.", field="on")
    with transaction(session.conn):
        if records.update(session.conn, "casefile", case.id, {"level": level}, session.user.username,
                          expected_version) != 1:
            raise StaleEdit()
        case_history.record_level(session.conn, case.id, level, case.level, day, session.user.username, reason)
        session.audit("case_level_changed", "case", case.id, {"level": level, "from": case.level})
    return load_case(session, case_id)


@grants(Scope.CASEWORK, "the case's own history, within the firewall")
def level_history(session: Session, case_id: str) -> list[LevelChange]:
    """Oldest first. May raise: PermissionDenied, NotFound."""
    case = load_case(session, case_id)
    access.require_casework(session)
    return [LevelChange(*row) for row in session.conn.execute(
        "SELECT level, previous_level, changed_on, reason, created_by FROM case_level_change "
        "WHERE case_id = ? AND deleted_at IS NULL ORDER BY changed_on, created_at", (case.id,))]


@grants(Scope.MANAGER, "counts of cases by old level only")
def plan_level_mapping(session: Session, pairs: dict[str, str]) -> MappingPlan:
    """The dry run: how many cases (open or closed) each old level has, and where the mapping
    sends them. Nothing is changed. May raise: ValidationError, PermissionDenied."""
    mapping = LevelMapping.parse(pairs)
    counts = dict(session.conn.execute(
        "SELECT level, count(*) FROM casefile WHERE deleted_at IS NULL GROUP BY level"))
    return MappingPlan([(old.value, counts.get(old.value, 0), mapping.targets.get(old.value))
                        for old in SupportLevel])


@grants(Scope.MANAGER, "every case's level: the manager's decision for the whole service")
def apply_level_mapping(session: Session, pairs: dict[str, str], confirmed: bool = False) -> MappingPlan:
    """Relabel every case at a mapped old level with its network level, and the same in each
    case's level history: the mapping renames a level, it is not a change in the work, so the
    reports of past periods count the network level too. Refused unless `confirmed` (the
    manager has seen the dry run). Old levels left out of the mapping stay as they are.

    May raise: ValidationError (not confirmed, a bad mapping), PermissionDenied."""
    if not confirmed:
        raise ValidationError("Look at the dry run first, then confirm the mapping to apply it.", field="confirmed")
    plan = plan_level_mapping(session, pairs)
    conn, actor = session.conn, session.user.username
    with transaction(conn):
        for old, _count, new in plan.rows:
            if not new:
                continue
            for table, columns in (("casefile", ("level",)), ("case_level_change", ("level", "previous_level"))):
                for column in columns:
                    ids = [r[0] for r in conn.execute(
                        f"SELECT id FROM {table} WHERE {column} = ? AND deleted_at IS NULL", (old,))]
                    for row_id in ids:
                        records.update(conn, table, row_id, {column: new}, actor)
        session.audit("levels_mapped", "setting", "intervention_levels",
                      {old: new for old, _n, new in plan.rows if new})
    return MappingPlan(plan.rows, applied=True)
