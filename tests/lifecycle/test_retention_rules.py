"""Retention dates: N years after closure or the young person's 25th birthday, whichever is
later; birthdays and leap days (docs/lifecycle.md "The schedule")."""

from datetime import date

import pytest

from app.domain import retention
from app.domain.retention import Rule, case_keep_until, describe, enquiry_keep_until, years_after

SIX_OR_25 = Rule(retention.CLOSED_CASE, 6, 25)


def test_the_later_of_six_years_and_the_25th_birthday():
    # Closed at 12: six years on they are 18, so the 25th birthday is later.
    assert case_keep_until(SIX_OR_25, date(2020, 7, 1), date(2008, 3, 15)) == date(2033, 3, 15)
    # Closed at 24: six years on is later than the 25th birthday.
    assert case_keep_until(SIX_OR_25, date(2020, 7, 1), date(1996, 3, 15)) == date(2026, 7, 1)


def test_on_the_birthday_itself_the_record_is_due():
    born = date(2001, 5, 20)
    due = case_keep_until(SIX_OR_25, date(2019, 1, 1), born)
    assert due == date(2026, 5, 20)     # the 25th birthday, not the day after nor before


def test_a_leap_day_birthday_turns_25_on_1_march_in_a_common_year():
    assert years_after(date(2004, 2, 29), 25) == date(2029, 3, 1)
    assert case_keep_until(SIX_OR_25, date(2020, 1, 10), date(2004, 2, 29)) == date(2029, 3, 1)


def test_a_leap_day_birthday_stays_29_february_in_a_leap_year():
    assert years_after(date(2004, 2, 29), 24) == date(2028, 2, 29)
    assert case_keep_until(Rule(retention.CLOSED_CASE, 2, 24), date(2020, 1, 10), date(2004, 2, 29)) == \
        date(2028, 2, 29)


def test_a_case_closed_on_a_leap_day_is_kept_the_whole_n_years():
    assert case_keep_until(SIX_OR_25, date(2024, 2, 29), None) == date(2030, 3, 1)
    assert enquiry_keep_until(Rule(retention.ENQUIRY, 2, None), date(2024, 2, 29)) == date(2026, 3, 1)
    assert enquiry_keep_until(Rule(retention.ENQUIRY, 4, None), date(2024, 2, 29)) == date(2028, 2, 29)


def test_unknown_date_of_birth_uses_the_closure_rule():
    assert case_keep_until(SIX_OR_25, date(2019, 12, 31), None) == date(2025, 12, 31)


@pytest.mark.parametrize("rule, words", [
    (SIX_OR_25, "Closed casework is kept for 6 years after the case closed, or until the young person's 25th "
                "birthday, whichever is later."),
    (Rule(retention.CLOSED_CASE, 1, 21), "Closed casework is kept for 1 year after the case closed, or until the "
                                          "young person's 21st birthday, whichever is later."),
    (Rule(retention.ENQUIRY, 3, None), "General information enquiries (with no case) are kept for 3 years after "
                                       "they were received."),
    (retention.DEFAULTS[retention.MAILING_LIST], "Mailing list entries are kept while the person's consent lasts, "
                                                 "and reviewed once it ends."),
])
def test_the_schedule_in_plain_words(rule, words):
    assert describe(rule) == words
