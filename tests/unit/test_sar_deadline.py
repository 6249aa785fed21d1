"""SAR deadlines under Article 12A: month ends, leap years, weekends, bank holidays, the clock
stopped by clarification, and extensions (table-driven)."""

from datetime import date

import pytest

from app.domain.sar_deadline import Pause, add_months, deadline, is_working_day
from app.errors import ValidationError

D = date


@pytest.mark.parametrize("received,identity,due", [
    (D(2026, 3, 3), None, D(2026, 4, 7)),      # 3 Apr is Good Friday, 6 Apr Easter Monday
    (D(2026, 1, 31), None, D(2026, 3, 2)),     # 28 Feb 2026 is a Saturday -> Monday 2 March
    (D(2028, 1, 31), None, D(2028, 2, 29)),    # leap year: 29 Feb 2028 is a Tuesday
    (D(2027, 1, 29), None, D(2027, 3, 1)),     # no 29 Feb 2027 -> 28 Feb (Sunday) -> 1 March
    (D(2026, 8, 31), None, D(2026, 9, 30)),    # 31 Sep does not exist -> 30 Sep (Wednesday)
    (D(2026, 11, 28), None, D(2026, 12, 29)),  # 28 Dec is Boxing Day (observed) -> Tuesday 29
    (D(2026, 6, 10), D(2026, 6, 15), D(2026, 7, 15)),   # identity later: clock starts then
    (D(2026, 6, 10), D(2026, 6, 1), D(2026, 7, 10)),    # earlier evidence does not move it back
    (D(2026, 4, 30), None, D(2026, 6, 1)),     # 30 May is Saturday, 1 June Monday
])
def test_one_calendar_month_to_the_next_working_day(received, identity, due):
    assert deadline(received, identity).due == due


P = Pause


@pytest.mark.parametrize("received,identity,pauses,paused,due", [
    # The example: 10/03 + 11 paused days (20/02..02/03) = Sat 21/03 -> Mon 23/03, not 02/04.
    (D(2026, 2, 10), None, [P(D(2026, 2, 20), D(2026, 3, 2))], 11, D(2026, 3, 23)),
    # Asked and answered the same day: that one day does not count.
    (D(2026, 6, 10), None, [P(D(2026, 6, 15), D(2026, 6, 15))], 1, D(2026, 7, 13)),  # Sat 11/07 -> Mon 13/07
    # Month-end clamp first, then the paused days: 31/01 -> 28/02/2026, + 3 = 03/03 (Tuesday).
    (D(2026, 1, 31), None, [P(D(2026, 2, 5), D(2026, 2, 7))], 3, D(2026, 3, 3)),
    # Leap year: 31/01/2028 -> 29/02/2028, + 2 paused days = 02/03/2028 (Thursday).
    (D(2028, 1, 31), None, [P(D(2028, 2, 28), D(2028, 2, 29))], 2, D(2028, 3, 2)),
    # A pause across 29/02/2028 counts that day too: 15/02..01/03 is 16 days; 15/03 + 16 = 31/03 (Friday).
    (D(2028, 2, 10), D(2028, 2, 15), [P(D(2028, 2, 15), D(2028, 3, 1))], 16, D(2028, 3, 31)),
    # Landing on Good Friday 2026 (03/04) rolls past Easter Monday to Tuesday 07/04.
    (D(2026, 3, 1), None, [P(D(2026, 3, 10), D(2026, 3, 12))], 3, D(2026, 4, 7)),
    # Landing on Christmas Day 2026 (Friday) rolls past Boxing Day (observed Monday 28) to 29/12.
    (D(2026, 11, 20), None, [P(D(2026, 11, 25), D(2026, 11, 29))], 5, D(2026, 12, 29)),
    # Two clarifications: 5 + 3 days. 10/07 + 8 = 18/07 (Saturday) -> Monday 20/07.
    (D(2026, 6, 10), None, [P(D(2026, 6, 12), D(2026, 6, 16)), P(D(2026, 6, 20), D(2026, 6, 22))], 8,
     D(2026, 7, 20)),
    # Asked before identity arrived: only the days from the start (identity) count: 12..14/06 = 3 days.
    (D(2026, 6, 1), D(2026, 6, 12), [P(D(2026, 6, 3), D(2026, 6, 14))], 3, D(2026, 7, 15)),
    # Answered before the clock started: nothing is paused.
    (D(2026, 6, 1), D(2026, 6, 12), [P(D(2026, 6, 3), D(2026, 6, 5))], 0, D(2026, 7, 13)),
    # Asked on the last day of the month: still in time (due 10/07, asked 10/07, answered 13/07: 4 days).
    (D(2026, 6, 10), None, [P(D(2026, 7, 10), D(2026, 7, 13))], 4, D(2026, 7, 14)),
])
def test_clarification_stops_the_clock_and_the_month_resumes(received, identity, pauses, paused, due):
    found = deadline(received, identity, pauses)
    assert (found.paused_days, found.due) == (paused, due)


@pytest.mark.parametrize("pauses,message", [
    ([P(D(2026, 7, 14), D(2026, 7, 20))], "after the deadline"),          # due 10/07/2026
    ([P(D(2026, 6, 20), D(2026, 6, 18))], "before it was asked"),
    ([P(D(2026, 6, 12), D(2026, 6, 16)), P(D(2026, 6, 14), D(2026, 6, 20))], "before the earlier answer"),
])
def test_impossible_pauses_are_refused(pauses, message):
    with pytest.raises(ValidationError, match=message):
        deadline(D(2026, 6, 10), None, pauses)


@pytest.mark.parametrize("received,months,recorded,pauses,due", [
    (D(2026, 1, 31), 2, D(2026, 2, 10), [], D(2026, 4, 30)),   # 3 months from 31 Jan -> 30 April (Thursday)
    (D(2026, 2, 2), 1, D(2026, 2, 20), [], D(2026, 4, 2)),     # 2 April 2026 is a Thursday
    (D(2026, 2, 3), 2, D(2026, 3, 3), [], D(2026, 5, 5)),      # 3 May is Sunday, 4 May bank holiday -> 5 May
    # Paused days carry into the extension: 10/05 + 11 = 21/05/2026 (Thursday).
    (D(2026, 2, 10), 2, D(2026, 3, 20), [P(D(2026, 2, 20), D(2026, 3, 2))], D(2026, 5, 21)),
])
def test_extensions(received, months, recorded, pauses, due):
    result = deadline(received, None, pauses, extension_months=months, extension_recorded_on=recorded)
    assert result.due == due and result.extended


@pytest.mark.parametrize("received,pauses,recorded,allowed", [
    (D(2026, 1, 5), [], D(2026, 2, 5), True),     # the last day of the first period
    (D(2026, 1, 5), [], D(2026, 2, 6), False),    # the day after: too late
    (D(2026, 1, 31), [], D(2026, 3, 2), True),    # 28/02 is a Saturday: the period ends Monday 02/03
    (D(2026, 1, 31), [], D(2026, 3, 3), False),
    # The pause lengthens the first period: 10/03 + 11 -> 23/03.
    (D(2026, 2, 10), [P(D(2026, 2, 20), D(2026, 3, 2))], D(2026, 3, 23), True),
    (D(2026, 2, 10), [P(D(2026, 2, 20), D(2026, 3, 2))], D(2026, 3, 24), False),
])
def test_an_extension_is_recorded_before_the_first_period_ends(received, pauses, recorded, allowed):
    if allowed:
        assert deadline(received, None, pauses, extension_months=1, extension_recorded_on=recorded).extended
    else:
        with pytest.raises(ValidationError, match="before the first period ends"):
            deadline(received, None, pauses, extension_months=1, extension_recorded_on=recorded)


def test_extension_limits():
    with pytest.raises(ValidationError, match="one or two"):
        deadline(D(2026, 1, 5), extension_months=3, extension_recorded_on=D(2026, 1, 6))
    with pytest.raises(ValidationError, match="before the first period ends"):
        deadline(D(2026, 1, 5), extension_months=1, extension_recorded_on=None)


def test_status_and_helpers():
    d = deadline(D(2026, 6, 10))
    assert d.status(D(2026, 6, 20)) == "on_track"
    assert d.status(D(2026, 7, 5)) == "due_soon"
    assert d.status(D(2026, 7, 11)) == "overdue"
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert add_months(D(2028, 1, 29), 1) == D(2028, 2, 29)
    assert not is_working_day(D(2026, 12, 28)) and is_working_day(D(2026, 12, 29))
