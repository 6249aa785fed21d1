"""The report parses each distinct stored list of outcomes, and each distinct set of evaluation
answers, once, and counts it as often as it occurs: the last financial year at 200,000 cases
closed 23,983 cases with 36 distinct outcome lists, and received 14,485 evaluations with 3,716
distinct answer sets. The figures stay the row-by-row counts."""

import json
from datetime import date

from app.domain import periods
from app.services.casework import cases
from app.services.national import evaluation
from app.services.reports import figures as reports
from tests.unit.casework_helpers import family

Q2 = periods.quarter(2026, 2)
ANSWERS = {"q1": "agree", "q2": "strongly_agree", "q3": "disagree"}


def _rows(report, key):
    return {r[0]: r[1:] for r in report.table(key).rows}


def test_each_distinct_outcome_list_and_answer_set_is_parsed_once(session, monkeypatch):
    for n in range(4):
        parent, kid = family(session)
        case_id = cases.open_case(session, parent.id, kid.id, level="level_2", opened_on=date(2026, 4, 1)).id
        cases.close_case(session, case_id, "resolved", ["better_informed", "tribunal_appeal_lodged"] if n < 3
                         else ["better_informed"], closed_on=date(2026, 5, 1 + n), evaluation="on_screen")
        evaluation.record_evaluation(session, case_id, ANSWERS, "on_screen", received_on=date(2026, 5, 1 + n))
    stored = {row[0] for row in session.conn.execute("SELECT outcomes FROM casefile")}
    stored |= {row[0] for row in session.conn.execute("SELECT answers FROM service_evaluation")}
    assert len(stored) == 3                     # two outcome lists, one answer set

    parsed = []
    loads = json.loads
    monkeypatch.setattr(json, "loads", lambda text, *a, **k: (parsed.append(text) if text in stored else None)
                        or loads(text, *a, **k))
    report = reports.build_report(session, Q2, today=date(2026, 7, 15))

    assert sorted(parsed) == sorted(stored), parsed
    outcomes = _rows(report, "outcomes")
    assert outcomes["Better informed"] == [4]
    assert outcomes[next(k for k in outcomes if k.lower().startswith("tribunal"))] == [3]
    satisfaction = _rows(report, "evaluation_answers")
    assert [row[:2] for row in satisfaction.values()][:3] == [[4, 4], [4, 4], [4, 0]]


def test_the_children_are_looked_up_in_the_order_of_their_ids(session):
    """Each child of a case active in the period is read from person by id, the ids given in
    order, so that the look-ups walk person_born once (app/services/reports/counts.py)."""
    for n in range(6):   # each closed before the one opened before it: read by closing date, newest first
        parent, kid = family(session)
        case_id = cases.open_case(session, parent.id, kid.id, level="level_2", opened_on=date(2026, 4, 1 + n)).id
        cases.close_case(session, case_id, "resolved", [], closed_on=date(2026, 6, 20 - n))
    ran = []
    session.conn.set_trace_callback(ran.append)
    try:
        reports.build_report(session, Q2, today=date(2026, 7, 15))
    finally:
        session.conn.set_trace_callback(None)
    lookup = next(sql for sql in ran if "JOIN person p INDEXED BY person_born ON p.id = j.value" in sql)
    ids = json.loads(lookup.split("json_each('", 1)[1].split("')", 1)[0])
    children = [row[0] for row in session.conn.execute("SELECT child_id FROM casefile")]
    assert len(ids) == 6 and sorted(ids) == sorted(children)
    assert ids == sorted(ids)
