"""The merge rule as a pure decision, tested without a database (a sample; the benchmark
tests/perf/merge_property.py runs many thousands)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.team.merge.decide import Conflict, KeepMine, Merged, TakeTheirs, decide
from tests.team.merge_cases import (
    DATA,
    RULES,
    VALUES,
    check_decision,
    check_resolution,
    choices,
    triples,
)

SAMPLE = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow])


@SAMPLE
@given(triples())
def test_every_decision_keeps_the_merge_rules(case):
    check_decision(*case)


@SAMPLE
@given(triples(), st.data())
def test_a_resolution_writes_only_the_fields_in_conflict(case, data):
    base, mine, theirs, their_base = case
    d = decide(base, mine, theirs, their_base=their_base, rules=RULES)
    if isinstance(d, Conflict):
        picked = data.draw(choices(d.fields))
        meanwhile = data.draw(st.fixed_dictionaries({}, optional={f: st.sampled_from(VALUES[f]) for f in DATA}))
        check_resolution(base, mine, theirs, d, picked, meanwhile)


BASE = {"id": "n1", "body": "Original", "minutes": 5, "version": 1, "updated_at": "t1", "updated_by": "ann"}


def _edit(**values):
    return {**BASE, **values, "version": 2, "updated_at": "t2"}


def test_the_four_decisions():
    assert decide(BASE, dict(BASE), _edit(body="Theirs"), rules=RULES) == TakeTheirs(_edit(body="Theirs"))
    kept = decide(BASE, _edit(body="Mine"), _edit(body="Mine", updated_by="bo"), rules=RULES)
    assert isinstance(kept, KeepMine) and kept.image["body"] == "Mine" and kept.image["version"] == 3
    merged = decide(BASE, _edit(body="Mine"), _edit(minutes=9), rules=RULES)
    assert merged == Merged({**_edit(body="Mine", minutes=9), "version": 3}, ("minutes",))
    assert decide(BASE, _edit(body="Mine"), _edit(body="Theirs"), rules=RULES) == Conflict("edit", ("body",))
    assert decide(BASE, None, _edit(body="Theirs"), rules=RULES) == Conflict("delete_mine", ("body", "id", "minutes"))
    assert decide(BASE, None, None, rules=RULES) == TakeTheirs(None)


def test_both_clearing_an_activity_stamp_merges_to_empty():
    """Found by the benchmark: max() of no values raised, so the sync stopped with a traceback."""
    base = {**BASE, "seen": "2026-03-01T09:00:00+00:00"}
    mine = {**base, "seen": None, "version": 2}
    theirs = {**base, "seen": None, "version": 2, "updated_by": "bo"}
    kept = decide(base, mine, theirs, rules=RULES)
    assert isinstance(kept, KeepMine) and kept.image["seen"] is None
