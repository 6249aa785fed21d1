"""The report's tables in the network's terms (docs/national.md): cases by intervention level,
by level and state on the period's last day, service users' evaluations, and in the annual
report the Minimum Standards self-assessment. Levels and states are read from each case's
history, so a case counts at the level and in the state it had at the end of the period."""

import json
from collections import Counter
from datetime import date

from app.domain.choices import CaseStatus, EvaluationMethod, InterventionLevel, StandardRating
from app.domain.intervention import GROUPS, NOT_MAPPED, is_network_level
from app.domain.periods import Period
from app.domain.report import NO_ANSWERS, Report, Table, percentage
from app.domain.suppression import WITHHELD
from app.resources import national
from app.services.reports import period_cases

LEVELS = "intervention_levels"
LEVEL_NAMES = ("The network's intervention levels: 1 information and advice; 2 advice and support; 3 casework; "
               "4 SEND Tribunal and complex legal casework.")
STATES = "levels_and_states"
ALL_ACTIVE = "All cases active in the period"
ALL_EVALUATIONS = "All evaluations"
ANSWERS = "evaluation_answers"
SATISFACTION = "evaluation_satisfaction"

# The cases active in the period (opened by its end, not closed before its start): the same
# cases as the report's other case tables (counts._case_figures), read through an index
# (period_cases).
ACTIVE_CASES = {by: period_cases.active("c.id, c.level, c.closed_on", by) for by in (False, True)}
# Each active case's whole history up to the period's last day, read case by case through the
# history's (case_id, changed_on) index: an entry written today can be dated in the period
# (backdated), so no entry of an active case may be skipped for when it was written. The cases
# are the ones ACTIVE_CASES read, passed as a JSON list (:ids): reading them again for each
# history cost more than the history itself (200 ms of 400 at 200,000 cases). The latest entry is
# picked in Python (_latest): a correlated `ORDER BY ... LIMIT 1` per case sorted each case's
# entries apart, about 80 microseconds a case. Latest: by the day it took effect, then when it
# was written (to the second), then the entry written last (the highest rowid: a case opened and
# closed on one day).
HISTORY = ("SELECT h.case_id, h.{column}, h.changed_on, h.created_at, h.rowid FROM {table} h "
           "INDEXED BY {table}_case WHERE h.case_id IN (SELECT value FROM json_each(:ids)) "
           "AND h.deleted_at IS NULL AND h.changed_on <= :end")
LEVEL_HISTORY = HISTORY.format(column="level", table="case_level_change")
STATE_HISTORY = HISTORY.format(column="state", table="case_state_change")


def _level_key(level: str) -> str:
    return level if is_network_level(level) else NOT_MAPPED


def _latest(conn, sql: str, q: dict) -> dict[str, str]:
    """case -> the value of its latest history entry on or before the period's last day."""
    latest: dict[str, tuple] = {}
    for case_id, value, changed_on, created_at, rowid in conn.execute(sql, q):
        seen = latest.get(case_id)
        if seen is None or (changed_on, created_at, rowid) > seen[0]:
            latest[case_id] = ((changed_on, created_at, rowid), value)
    return {case_id: value for case_id, (_when, value) in latest.items()}


def level_state_counts(conn, q: dict, active: list[tuple] | None = None) -> Counter:
    """(level or NOT_MAPPED, state) -> cases, for the cases active in the period: each case at
    its level and in its state on the period's last day, from the histories (docs/national.md);
    with no history by then, its own level, and open or closed by its closing date. `active`:
    those cases' (id, level, closed_on) when the caller has read them already (the report's
    other case tables read the same cases: counts._case_figures)."""
    if active is None:
        active = conn.execute(ACTIVE_CASES[period_cases.early(conn, q)], q).fetchall()
    with_ids = q | {"ids": json.dumps([case_id for case_id, _level, _closed in active])}
    levels, states = _latest(conn, LEVEL_HISTORY, with_ids), _latest(conn, STATE_HISTORY, with_ids)
    counts = Counter()
    for case_id, level, closed_on in active:
        state = states.get(case_id)
        if state is None:
            state = "closed" if closed_on is not None and closed_on <= q["end"] else "open"
        at_end = levels.get(case_id)
        counts[(_level_key(level if at_end is None else at_end), state)] += 1
    return counts


def add_levels_and_states(conn, q: dict, report: Report, add, active: list[tuple] | None = None) -> None:
    counts = level_state_counts(conn, q, active)
    keys = [m.value for m in InterventionLevel] + ([NOT_MAPPED] if any(k[0] == NOT_MAPPED for k in counts) else [])
    # "Level 1".."Level 4", as the network counts them; the names are in the note.
    label = {m.value: f"Level {m.value[-1]}" for m in InterventionLevel} | {NOT_MAPPED: NOT_MAPPED}
    states = [CaseStatus.OPEN.value, CaseStatus.INACTIVE.value, CaseStatus.CLOSED.value]
    level_rows = [[label[k], sum(counts[(k, s)] for s in states)] for k in keys]
    add(Table(LEVELS, "Intervention level (cases active in the period)", ["Level", "Cases"],
              level_rows + [[ALL_ACTIVE, sum(r[1] for r in level_rows)]], chart="bar", total_last=True,
              note=f"{LEVEL_NAMES} Each case at the level it had on the last day of the period, or when it "
                   "closed."))
    rows = [[label[k], sum(counts[(k, s)] for s in states), *(counts[(k, s)] for s in states)] for k in keys]
    rows.append([ALL_ACTIVE, *(sum(r[c] for r in rows) for c in range(1, 5))])
    add(Table(STATES, "Interventions by level and state at the end of the period",
              ["Level", "All", "Open", "Inactive", "Closed"], rows, total_last=True, sum_column=1,
              note="Open, inactive and closed as the network defines them: inactive is an intervention with no "
                   "further work planned, or no contact for the service's set period, which may be reopened."))
    for i in range(len(rows)):
        report.same((LEVELS, i, 1), (STATES, i, 1))


# From service_evaluation_day alone (schema 28 gave it the method and the answers).
EVALUATIONS = ("SELECT method, answers FROM service_evaluation WHERE deleted_at IS NULL "
               "AND received_on BETWEEN :start AND :end")


def add_evaluation(conn, q: dict, add) -> None:
    form = national.questionnaire()
    methods, answers = Counter(), {question.key: Counter() for question in form.questions}
    # form.group_of once per answer given (the first of the scale's answers with that key, as it
    # picks), not once per answer counted: a year holds thousands of evaluations.
    group_of = {answer.key: answer.group for answer in reversed(form.scale)}
    # Each distinct set of answers parsed once: a year's evaluations repeat sets (14,485 rows and
    # 3,716 distinct sets in the last financial year at 200,000 cases).
    given = Counter()
    for method, raw in conn.execute(EVALUATIONS, q):
        methods[method] += 1
        given[raw] += 1
    for raw, times in given.items():
        for key, answer in json.loads(raw).items():
            if key in answers:
                answers[key][group_of.get(answer) if isinstance(answer, str) else form.group_of(answer)] += times
    rows = [[m.label, methods.get(m.value, 0)] for m in EvaluationMethod]
    add(Table("evaluations", "Service-user evaluations received", ["How answered", "Evaluations"],
              rows + [[ALL_EVALUATIONS, sum(r[1] for r in rows)]], total_last=True,
              note="Answers are stored without the family's or the case's details, so none can be traced back."))
    counted = [[f"{n}. {question.short}", sum(answers[question.key].values()),
                *(answers[question.key][g] for g in GROUPS)] for n, question in enumerate(form.questions, start=1)]
    add(Table(ANSWERS, "Service-user satisfaction", ["Statement", "Answered", "Agreed", "Neither", "Disagreed"],
              counted, sum_column=1,
              note="The statements: " + " ".join(f"{n}. {q.text}" for n, q in enumerate(form.questions, start=1))
              + " Agreed counts strongly agree and agree; disagreed counts disagree and strongly disagree. "
                "Questions 4 and 5 are asked after work above level 1."))
    add(Table(SATISFACTION, "Service-user satisfaction, per cent of those who answered",
              ["Statement", "Agreed", "Neither", "Disagreed"],
              [[row[0], *(percentage(part, row[1]) for part in row[2:])] for row in counted],
              percent_of=(ANSWERS, 1, (2, 3, 4)),
              note="Each statement's answers as a share of those who answered it, to the nearest whole per cent "
                   f"(so a row may add up to 99 or 101). A share is \u201c{WITHHELD}\u201d wherever its count or the "
                   f"number who answered is hidden in the table above; {NO_ANSWERS} means no one answered."))


def is_annual(period: Period) -> bool:
    """The annual report: a period of a year or more (the financial or academic year)."""
    return (period.end - period.start).days >= 364


def standards_table(conn) -> Table:
    rows = []
    for reference, title, evidence, rating, owner, review in conn.execute(
            "SELECT reference, title, evidence, rating, owner, review_on FROM minimum_standard "
            "WHERE deleted_at IS NULL"):
        rows.append([f"{reference} {title}", StandardRating(rating).label if rating in StandardRating._value2member_map_
                     else rating, owner, date.fromisoformat(review).strftime("%d/%m/%Y") if review else "", evidence])
    rows.sort(key=lambda r: _reference_key(r[0].split(" ", 1)[0]))
    return Table("minimum_standards", "Minimum Standards self-assessment",
                 ["Standard", "Rating", "Owner", "Review by", "Evidence"],
                 rows or [["No standards assessed yet", "", "", "", ""]], text=True,
                 note="The service's own assessment against the National Minimum Standards for information, "
                      "advice and support services.")


def _reference_key(reference: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in reference.replace("-", ".").split("."))
