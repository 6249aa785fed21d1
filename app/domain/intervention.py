"""The network's intervention levels and states as pure rules (docs/national.md): how a level
is named whether or not it has been mapped yet, when an open case falls inactive, and how
evaluation answers are grouped for the report."""

from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.choices import InterventionLevel, SupportLevel
from app.errors import ValidationError

NOT_MAPPED = "Old level, not yet mapped"
INACTIVE_DAYS_DEFAULT = 90
INACTIVE_DAYS_RANGE = (14, 730)
# What every closed evaluation answer counts as in the report (resources/national/evaluation.json
# names each answer's group).
GROUPS = ("agree", "neither", "disagree")


_NETWORK_LEVELS = frozenset(m.value for m in InterventionLevel)


def is_network_level(value: str | None) -> bool:
    return value in _NETWORK_LEVELS


def level_label(value: str | None) -> str:
    """A network level's name, or an old level's name marked as waiting for the manager's mapping."""
    if is_network_level(value):
        return InterventionLevel(value).label
    old = {m.value: m.label for m in SupportLevel}.get(value, value or "none")
    return f"{old} ({NOT_MAPPED.lower()})"


def parse_level(value, field: str = "level") -> str:
    """Only the network's levels are chosen now; the old ones are reached only by the mapping."""
    return InterventionLevel.parse(value, field).value


def inactive_due(last_contact: date, today: date, days: int) -> bool:
    """An open case with no contact for `days` days (the manager's period) falls inactive."""
    return today - last_contact >= timedelta(days=int(days))


def check_inactive_days(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ValidationError("Enter the number of days as a whole number.", field="inactive_after_days") from None
    low, high = INACTIVE_DAYS_RANGE
    if not low <= days <= high:
        raise ValidationError(f"The period with no contact must be between {low} and {high} days.",
                              field="inactive_after_days")
    return days


@dataclass(frozen=True)
class LevelMapping:
    """The manager's choice of network level for each old level of support."""

    targets: dict[str, str]

    @classmethod
    def parse(cls, pairs: dict[str, str]) -> "LevelMapping":
        old = {m.value for m in SupportLevel}
        targets = {}
        for source, target in pairs.items():
            if source not in old:
                raise ValidationError(f"{source!r} is not one of the old levels of support "
                                      f"({', '.join(sorted(old))}).", field="mapping")
            targets[source] = parse_level(target, "mapping")
        return cls(targets)
