"""Subject access request deadlines, as the ICO's right-of-access guidance sets them.

- The clock starts on the latest of: the day the request was received, the day the identity
  evidence arrived, the day the clarification asked for arrived.
- One calendar month: the same date in the next month, or that month's last day when the
  date does not exist (received 31 January -> 28 or 29 February).
- If that day is a weekend or a bank holiday (England and Wales), the deadline is the next
  working day.
- It may be extended by up to two further months (so up to three months from the start),
  with a reason recorded within the first month.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from app.errors import ValidationError


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share their bank holidays; the library's ENG subdivision covers both.
    return frozenset(holidays.UK(subdiv="ENG", years=[year]).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    """The corresponding date `months` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def clock_start(received: date, identity_received: date | None = None,
                clarification_received: date | None = None) -> date:
    return max(d for d in (received, identity_received, clarification_received) if d is not None)


@dataclass(frozen=True)
class Deadline:
    start: date
    due: date
    extended: bool = False

    def days_left(self, today: date) -> int:
        return (self.due - today).days

    def status(self, today: date, soon_days: int = 7) -> str:
        left = self.days_left(today)
        return "overdue" if left < 0 else "due_soon" if left <= soon_days else "on_track"


def deadline(received: date, identity_received: date | None = None, clarification_received: date | None = None,
             extension_months: int = 0, extension_recorded_on: date | None = None) -> Deadline:
    """May raise: ValidationError for an extension beyond two months or recorded too late."""
    start = clock_start(received, identity_received, clarification_received)
    if extension_months not in (0, 1, 2):
        raise ValidationError("An extension can be one or two further months.", field="extension_months")
    if extension_months:
        first_month_ends = next_working_day(add_months(start, 1))
        if extension_recorded_on is None or extension_recorded_on > first_month_ends:
            raise ValidationError(
                "An extension must be decided, with its reason, within the first month "
                f"(by {first_month_ends:%d/%m/%Y}).", field="extension_months")
    return Deadline(start, next_working_day(add_months(start, 1 + extension_months)), bool(extension_months))
