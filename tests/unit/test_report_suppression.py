"""Secondary suppression, attacked: an outsider with the published report tries to work out
every hidden figure from totals and rows across all tables (tests/unit/report_attacker.py).
The same attacker succeeds against primary suppression alone, so it is a real attacker."""

import random
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import periods, suppression
from app.domain.report import Report, Table
from app.domain.suppression import FEWER, WITHHELD
from app.services.casework import enquiries
from app.services.casework.enquiries import EnquiryInput
from app.services.casework.people import PersonInput
from app.services.demo import build as demo
from app.services.reports import figures as reports
from tests.unit import report_attacker

WORKLOAD_LINKS = [(("workload", "All workers", 1), ("cases", "All cases active in the period", 1)),
                  (("workload", "All workers", 2), ("cases", "New cases opened", 1))]


def _synthetic(seed: int) -> Report:
    """Three tables of one population (like contacts by channel, by month and by route) and a
    second population, with counts drawn so that small ones are common."""
    rng = random.Random(seed)

    def rows(labels, total=None):
        values = [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 20]) for _ in labels]
        if total is not None:  # make them add up to the shared total
            values[-1] = max(0, total - sum(values[:-1]))
            if sum(values) != total:
                values = [0] * (len(labels) - 1) + [total]
        return [[lab, v] for lab, v in zip(labels, values, strict=True)]

    report = Report(periods.quarter(2026, 2), "Test service", date(2026, 7, 1))
    first = rows([f"c{i}" for i in range(rng.randint(2, 6))])
    total = sum(r[1] for r in first)
    tables = [("a", first), ("b", rows([f"m{i}" for i in range(rng.randint(2, 4))], total)),
              ("c", rows(["self", "professional"], total)),
              ("d", rows([f"x{i}" for i in range(rng.randint(2, 5))]))]
    for key, body in tables:
        label = "All people" if key == "d" else "All contacts"
        report.tables.append(Table(key, key, ["Label", "Count"], body + [[label, sum(r[1] for r in body)]],
                                   total_last=True))
    for key in ("b", "c"):
        report.same(report.cell("a", "All contacts"), report.cell(key, "All contacts"))
    return report


@pytest.mark.parametrize("seed", range(60))
def test_no_hidden_figure_can_be_worked_out_of_a_synthetic_report(seed):
    report = _synthetic(seed)
    report.protect()
    published = report.to_json(exact=False)
    assert report_attacker.attack(published) == {}
    exact = report.to_json(exact=True)
    for table, shown in zip(exact["tables"], published["tables"], strict=True):
        for row, out in zip(table["rows"], shown["rows"], strict=True):
            for value, seen in zip(row[1:], out[1:], strict=True):
                assert seen == value or (seen == FEWER and 0 < value < 5) or (seen == WITHHELD and value >= 5)


def test_the_attacker_breaks_primary_suppression_alone():
    broken = 0
    for seed in range(60):
        report = _synthetic(seed)
        report.protect()
        naive = report_attacker.naive(report.to_json(exact=False), report.to_json(exact=True))
        found = report_attacker.attack(naive)
        exact = report.to_json(exact=True)
        rows = {t["key"]: t["rows"] for t in exact["tables"]}
        assert all(rows[k][i][c] == v for (k, i, c), v in found.items())  # what it finds is right
        broken += bool(found)
    assert broken >= 10


def _contacts(session, professional: int, self_referral: int):
    now = datetime(2026, 7, 1, 12, tzinfo=UTC)
    for n in range(professional + self_referral):
        extra = ({"route": "professional", "referrer": PersonInput(kind="professional", first_name="Asha",
                                                                   last_name=f"Pemberton{n}")}
                 if n < professional else {})
        enquiries.record_enquiry(session, EnquiryInput(
            channel="phone" if n % 3 else "email", caller_role="anonymous", anonymous=True, topics=[],
            received_at=datetime(2026, 4 + n % 3, 1 + n % 27, 10, tzinfo=UTC), **extra), now=now)


def test_the_issue_example_professional_referrals_stay_hidden(session):
    """All contacts 48, self-referral 44: professional referrals (4) must not be 48 - 44."""
    _contacts(session, professional=4, self_referral=44)
    report = reports.build_report(session, periods.quarter(2026, 2))
    published = report.to_json(exact=False)
    routes = {r[0]: r[1] for r in next(t for t in published["tables"] if t["key"] == "referral_routes")["rows"]}
    assert routes["Professional on the family's behalf"] == FEWER
    assert routes["Self-referral"] == WITHHELD and routes["All contacts"] == 48
    assert report_attacker.attack(published, WORKLOAD_LINKS) == {}
    naive = report_attacker.naive(published, report.to_json(exact=True))
    found = report_attacker.attack(naive, WORKLOAD_LINKS)
    assert 4 in found.values()


def test_no_hidden_figure_of_the_demo_service_report_can_be_worked_out(session):
    demo.populate(session, staff=3, cases=40, seed=7, today=date(2026, 11, 25))
    for period in (periods.month(2026, 10), periods.quarter(2026, 3), periods.financial_year(2025)):
        report = reports.build_report(session, period)
        published = report.to_json(exact=False)
        assert report_attacker.attack(published, WORKLOAD_LINKS) == {}, period.label


def _derivable_reference(values, primary, withheld, relations):
    """The first, quadratic version of suppression.derivable, kept as the specification."""
    bounds = suppression._bounds(values, primary, withheld)
    changed = True
    while changed:
        changed = False
        for rel in relations:
            cells = [*rel.parts, rel.whole]
            for target in cells:
                lo, hi = bounds[target]
                if target == rel.whole:
                    new_lo = sum(bounds[p][0] for p in rel.parts)
                    new_hi = sum(bounds[p][1] for p in rel.parts)
                else:
                    others = [p for p in rel.parts if p != target]
                    new_lo = bounds[rel.whole][0] - sum(bounds[p][1] for p in others)
                    new_hi = bounds[rel.whole][1] - sum(bounds[p][0] for p in others)
                tightened = (max(lo, new_lo), min(hi, new_hi))
                if tightened != (lo, hi) and tightened[0] <= tightened[1]:
                    bounds[target] = tightened
                    changed = True
    return {c for c in primary | withheld if bounds[c][0] == bounds[c][1]}


# Derandomized: a few random draws make both versions creep for minutes (see git log); the
# fixed examples cover the hierarchy shapes and run in seconds, the same every run.
@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.data())
def test_linear_derivable_agrees_with_the_reference(data):
    cells = list(range(data.draw(st.integers(3, 12))))
    values = {c: data.draw(st.integers(0, 30)) for c in cells}
    relations = []
    for _ in range(data.draw(st.integers(1, 4))):
        # A report's tables are a hierarchy (a total over its rows, a grand total over totals):
        # a whole is never among its own parts, or in a cycle, where bounds on unbounded cells
        # creep up one unit a pass and neither version ends.
        w = data.draw(st.integers(1, len(cells) - 1))
        whole = cells[w]
        parts = data.draw(st.lists(st.sampled_from(cells[:w]), min_size=1, max_size=6))
        relations.append(suppression.Relation(tuple(parts), whole))
    primary = {c for c, v in values.items() if 0 < v < suppression.LIMIT}
    withheld = set(data.draw(st.lists(st.sampled_from(cells), max_size=3)))
    assert (suppression.derivable(values, primary, withheld, relations)
            == _derivable_reference(values, primary, withheld, relations))
