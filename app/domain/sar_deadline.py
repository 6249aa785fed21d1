"""Subject access request deadlines under Article 12A UK GDPR (in force 5 February 2026,
Data (Use and Access) Act 2025), worked as the ICO's right-of-access guidance counts them.

- The clock starts on the later of the day the request was received and the day the
  identity evidence arrived.
- One calendar month: the same date in the next month, or that month's last day when the
  date does not exist (start 31 January -> 28 or 29 February).
- Clarification stops the clock: every day from the day the clarification was asked for to
  the day it arrived, both included, does not count (Article 12A: "the period beginning with
  the day on which the controller makes the request and ending with the day on which the
  controller receives the information"). The month then resumes where it stopped.
- Paused days and calendar months: the month is taken from the start first (with its
  month-end clamp), then each paused day is added as one calendar day. So the days that
  count are exactly the days of the unpaused month, however the pause falls across a month
  end. (Shifting the start by the pause and then adding a month would make a pause across
  the end of February count a different number of days.) Only days on or after the start,
  and before the deadline as it stood when clarification was asked, pause anything.
- Weekends and bank holidays (England and Wales) are ignored until the very end: if the
  final day is one, the deadline is the next working day.
- It may be extended by up to two further months (three in all, plus the paused days),
  decided and recorded on or before the last day of the first period (paused days included).

    received 10/02/2026, clarification asked 20/02, answered 02/03:
    10/03 + 11 paused days (20/02..02/03) = 21/03 (a Saturday) -> Monday 23/03/2026
"""

import calendar
from collections.abc import Sequence
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


def clock_start(received: date, identity_received: date | None = None) -> date:
    return max(d for d in (received, identity_received) if d is not None)


@dataclass(frozen=True)
class Pause:
    """Clarification asked on `asked`, received on `received` (both days paused)."""

    asked: date
    received: date


def paused_days(start: date, pauses: Sequence[Pause], months: int = 1) -> int:
    """Days that do not count, in the order the pauses happened.

    May raise: ValidationError for a pause that ends before it begins, overlaps another, or
    was asked for after the deadline as it then stood.
    """
    total, last_end = 0, None
    for pause in sorted(pauses, key=lambda p: p.asked):
        if pause.received < pause.asked:
            raise ValidationError("A clarification cannot arrive before it was asked for.",
                                  field="clarification_received_on")
        if last_end is not None and pause.asked <= last_end:
            raise ValidationError("Clarification was asked for again before the earlier answer arrived.",
                                  field="clarification_requested_on")
        last_end = pause.received
        due_then = next_working_day(add_months(start, months) + timedelta(days=total))
        if pause.asked > due_then:
            raise ValidationError(f"Clarification asked on {pause.asked:%d/%m/%Y} came after the deadline "
                                  f"({due_then:%d/%m/%Y}); it cannot stop the clock.",
                                  field="clarification_requested_on")
        first = max(pause.asked, start)
        if pause.received >= first:
            total += (pause.received - first).days + 1
    return total


@dataclass(frozen=True)
class Deadline:
    start: date
    due: date
    extended: bool = False
    paused_days: int = 0
    first_period_ends: date | None = None

    def days_left(self, today: date) -> int:
        return (self.due - today).days

    def status(self, today: date, soon_days: int = 7) -> str:
        left = self.days_left(today)
        return "overdue" if left < 0 else "due_soon" if left <= soon_days else "on_track"


def deadline(received: date, identity_received: date | None = None, pauses: Sequence[Pause] = (),
             extension_months: int = 0, extension_recorded_on: date | None = None) -> Deadline:
    """May raise: ValidationError for an extension beyond two months or recorded after the
    first period ended, or a clarification pause that cannot be right (see paused_days)."""
    start = clock_start(received, identity_received)
    if extension_months not in (0, 1, 2):
        raise ValidationError("An extension can be one or two further months.", field="extension_months")
    paused = paused_days(start, pauses, 1 + extension_months)
    first_ends = next_working_day(add_months(start, 1) + timedelta(days=paused))
    if extension_months and (extension_recorded_on is None or extension_recorded_on > first_ends):
        raise ValidationError(
            "An extension must be decided, with its reason, before the first period ends "
            f"(by {first_ends:%d/%m/%Y}); it cannot be added afterwards.", field="extension_months")
    due = next_working_day(add_months(start, 1 + extension_months) + timedelta(days=paused))
    return Deadline(start, due, bool(extension_months), paused, first_ends)
