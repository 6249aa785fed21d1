"""How long the service keeps each kind of record, as pure rules (docs/lifecycle.md).

The manager sets one schedule for the whole team. A closed case is kept N years after it
closed or until the young person's 25th birthday, whichever is later; a general information
enquiry M years after it was received; a mailing-list entry while its consent lasts.

Dates N years on from 29 February fall on 1 March in a year with no 29 February: a person
born on 29 February is treated as reaching an age on 1 March in a common year (the usual
reading in England and Wales), and "N years after closure" never ends a day early.
"""

from dataclasses import dataclass
from datetime import date

CLOSED_CASE, ENQUIRY, MAILING_LIST = "closed_case", "enquiry", "mailing_list"
KINDS = (CLOSED_CASE, ENQUIRY, MAILING_LIST)

YEARS_RANGE = (0, 100)
AGE_RANGE = (0, 100)


@dataclass(frozen=True)
class Rule:
    kind: str
    years: int | None        # None for the mailing list: while consent lasts
    until_age: int | None    # closed cases: kept at least until the young person is this old


DEFAULTS = {
    CLOSED_CASE: Rule(CLOSED_CASE, 6, 25),
    ENQUIRY: Rule(ENQUIRY, 2, None),
    MAILING_LIST: Rule(MAILING_LIST, None, None),
}


def years_after(start: date, years: int) -> date:
    """The same day `years` years on; 29 February goes to 1 March in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:          # 29 February into a common year
        return date(start.year + years, 3, 1)


def case_keep_until(rule: Rule, closed_on: date, born: date | None) -> date:
    """The first day a closed case may be reviewed for disposal: N years after it closed,
    or the young person's birthday at `until_age`, whichever is later. Unknown date of birth:
    the closure rule alone (said in plain words by `describe`)."""
    due = years_after(closed_on, rule.years or 0)
    if born is not None and rule.until_age is not None:
        due = max(due, years_after(born, rule.until_age))
    return due


def enquiry_keep_until(rule: Rule, received_on: date) -> date:
    return years_after(received_on, rule.years or 0)


def describe(rule: Rule) -> str:
    """The rule in plain words, as the schedule screen and the privacy notice say it."""
    if rule.kind == CLOSED_CASE:
        years = _years(rule.years or 0)
        if rule.until_age:
            return (f"Closed casework is kept for {years} after the case closed, or until the young person's "
                    f"{_ordinal(rule.until_age)} birthday, whichever is later.")
        return f"Closed casework is kept for {years} after the case closed."
    if rule.kind == ENQUIRY:
        return (f"General information enquiries (with no case) are kept for {_years(rule.years or 0)} after "
                "they were received.")
    return "Mailing list entries are kept while the person's consent lasts, and reviewed once it ends."


def _years(n: int) -> str:
    return "1 year" if n == 1 else f"{n} years"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
