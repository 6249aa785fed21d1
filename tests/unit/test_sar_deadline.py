"""SAR deadlines: month ends, leap years, weekends, bank holidays and extensions (table-driven)."""

from datetime import date

import pytest

from app.domain.sar_deadline import add_months, deadline, is_working_day
from app.errors import ValidationError

D = date


@pytest.mark.parametrize("received,identity,clarification,due", [
    (D(2026, 3, 3), None, None, D(2026, 4, 7)),      # 3 Apr is Good Friday, 6 Apr Easter Monday
    (D(2026, 1, 31), None, None, D(2026, 3, 2)),     # 28 Feb 2026 is a Saturday -> Monday 2 March
    (D(2028, 1, 31), None, None, D(2028, 2, 29)),    # leap year: 29 Feb 2028 is a Tuesday
    (D(2027, 1, 29), None, None, D(2027, 3, 1)),     # no 29 Feb 2027 -> 28 Feb (Sunday) -> 1 March
    (D(2026, 8, 31), None, None, D(2026, 9, 30)),    # 31 Sep does not exist -> 30 Sep (Wednesday)
    (D(2026, 11, 28), None, None, D(2026, 12, 29)),  # 28 Dec is Boxing Day (observed) -> Tuesday 29
    (D(2026, 6, 10), D(2026, 6, 15), None, D(2026, 7, 15)),            # identity later: clock starts then
    (D(2026, 6, 10), D(2026, 6, 12), D(2026, 6, 19), D(2026, 7, 20)),  # 19 Jul is a Sunday -> Monday 20
    (D(2026, 6, 10), D(2026, 6, 1), None, D(2026, 7, 10)),             # earlier evidence does not move it back
    (D(2026, 4, 30), None, None, D(2026, 6, 1)),     # 30 May is Saturday, 1 June Monday
])
def test_one_calendar_month_to_the_next_working_day(received, identity, clarification, due):
    assert deadline(received, identity, clarification).due == due


@pytest.mark.parametrize("received,months,recorded,due", [
    (D(2026, 1, 31), 2, D(2026, 2, 10), D(2026, 4, 30)),   # 3 months from 31 Jan -> 30 April (Thursday)
    (D(2026, 2, 2), 1, D(2026, 2, 20), D(2026, 4, 2)),     # 2 April 2026 is a Thursday
    (D(2026, 2, 3), 2, D(2026, 3, 3), D(2026, 5, 5)),      # 3 May is Sunday, 4 May bank holiday -> 5 May
])
def test_extensions(received, months, recorded, due):
    result = deadline(received, extension_months=months, extension_recorded_on=recorded)
    assert result.due == due and result.extended


def test_extension_must_be_recorded_within_the_first_month():
    with pytest.raises(ValidationError, match="within the first month"):
        deadline(D(2026, 1, 5), extension_months=2, extension_recorded_on=D(2026, 2, 6))
    with pytest.raises(ValidationError, match="one or two"):
        deadline(D(2026, 1, 5), extension_months=3, extension_recorded_on=D(2026, 1, 6))


def test_status_and_helpers():
    d = deadline(D(2026, 6, 10))
    assert d.status(D(2026, 6, 20)) == "on_track"
    assert d.status(D(2026, 7, 5)) == "due_soon"
    assert d.status(D(2026, 7, 11)) == "overdue"
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert not is_working_day(D(2026, 12, 28)) and is_working_day(D(2026, 12, 29))
