"""Reporting periods: financial year (April-March), academic year (September-August),
quarter (of the financial year, as the service reports them: April-June is Q1; calendar
quarters remain for the command line), month, or custom. Both ends inclusive, as UK local
dates."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.errors import ValidationError

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str

    def __post_init__(self):
        if self.end < self.start:
            raise ValidationError("The period ends before it starts.", field="end")

    @property
    def utc_bounds(self) -> tuple[str, str]:
        """[start, end) as UTC ISO strings: local midnights, so 00:30 BST on 1 April counts in April."""
        lo = datetime.combine(self.start, time(0), LONDON).astimezone(UTC)
        hi = datetime.combine(self.end + timedelta(days=1), time(0), LONDON).astimezone(UTC)
        return lo.isoformat(timespec="seconds"), hi.isoformat(timespec="seconds")

    def months(self) -> list[tuple[int, int]]:
        result, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            result.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return result


def financial_year(starting: int) -> Period:
    return Period(date(starting, 4, 1), date(starting + 1, 3, 31), f"Financial year {starting}-{str(starting + 1)[2:]}")


def academic_year(starting: int) -> Period:
    return Period(date(starting, 9, 1), date(starting + 1, 8, 31), f"Academic year {starting}-{str(starting + 1)[2:]}")


def quarter(year: int, number: int) -> Period:
    """Calendar quarters 1-4."""
    if number not in (1, 2, 3, 4):
        raise ValidationError("A quarter is 1, 2, 3 or 4.", field="quarter")
    start = date(year, 3 * number - 2, 1)
    end = (date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)) - timedelta(days=1)
    return Period(start, end, f"Q{number} {year}")


FINANCIAL_QUARTER_MONTHS = ("April to June", "July to September", "October to December", "January to March")


def financial_quarter(starting: int, number: int) -> Period:
    """Quarter 1-4 of the financial year that starts in April of `starting`: Q1 is April to
    June, Q4 is January to March of the next calendar year."""
    if number not in (1, 2, 3, 4):
        raise ValidationError("A quarter is 1, 2, 3 or 4.", field="quarter")
    first_month = 3 * number + 1  # 4, 7, 10, 13
    year = starting + (first_month - 1) // 12
    month_start = (first_month - 1) % 12 + 1
    start = date(year, month_start, 1)
    end = (date(year + 1, 1, 1) if month_start == 10 else date(year, month_start + 3, 1)) - timedelta(days=1)
    return Period(start, end, f"Q{number} {starting}-{str(starting + 1)[2:]} "
                              f"({FINANCIAL_QUARTER_MONTHS[number - 1]} {start.year})")


def financial_quarter_of(day: date) -> Period:
    """The financial quarter holding `day`."""
    starting = day.year if day.month >= 4 else day.year - 1
    return financial_quarter(starting, (day.month - 4) % 12 // 3 + 1)


def month(year: int, number: int) -> Period:
    start = date(year, number, 1)
    end = (date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)) - timedelta(days=1)
    return Period(start, end, start.strftime("%B %Y"))


def custom(start: date, end: date) -> Period:
    """Any two dates; named like a standard period when it is one."""
    for candidate in (financial_year(start.year), academic_year(start.year), month(start.year, start.month),
                      financial_quarter_of(start), *(quarter(start.year, n) for n in range(1, 5))):
        if (candidate.start, candidate.end) == (start, end):
            return candidate
    return Period(start, end, f"{start:%d/%m/%Y} to {end:%d/%m/%Y}")


def last_financial_year(today: date) -> Period:
    current_start = today.year if today.month >= 4 else today.year - 1
    return financial_year(current_start - 1)


def current_financial_year(today: date) -> Period:
    return financial_year(today.year if today.month >= 4 else today.year - 1)


def latest_complete_quarter(today: date) -> Period:
    """The financial quarter that ended most recently before `today`."""
    return financial_quarter_of(financial_quarter_of(today).start - timedelta(days=1))
