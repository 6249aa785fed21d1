"""The national picture (docs/national.md) checked by hand: a quarter of cases built for the
purpose, each one's level and state on the last day worked out on paper (the comments), and the
evaluations counted; the period report and the national return (CSV and PDF) must say the same.
Then the rules one by one: the level history, the mapping of old levels (dry run first), the
states open, inactive and closed, evaluations kept apart from the family, the standards register."""

import csv
import io
import json
import shutil
import subprocess
import uuid
from datetime import UTC, date, datetime

import pytest

from app.domain import periods
from app.domain.intervention import NOT_MAPPED
from app.errors import PermissionDenied, ValidationError
from app.services.casework import cases, enquiries, notes
from app.services.casework.enquiries import EnquiryInput
from app.services.national import evaluation, levels, standards, states
from app.services.national.standards import StandardInput
from app.services.reports import figures as reports
from app.services.reports import national_return
from tests.unit import report_attacker
from tests.unit.casework_helpers import add_worker, family

Q2 = periods.quarter(2026, 2)   # 01/04/2026 to 30/06/2026
TODAY = date(2026, 7, 15)
L1, L2, L3, L4 = (f"Level {n}" for n in range(1, 5))
ALL = "All cases active in the period"


def _rows(report, key):
    return {r[0]: (r[1] if len(r) == 2 else r[1:]) for r in report.table(key).rows}


def _open(session, level, opened):
    parent, kid = family(session)
    return cases.open_case(session, parent.id, kid.id, level=level, opened_on=opened)


def _as_old_level(session, case, old):
    """A case from before the network's levels: what schema 19's history backfill leaves."""
    session.conn.execute("UPDATE casefile SET level = ? WHERE id = ?", (old, case.id))
    session.conn.execute("UPDATE case_level_change SET level = ? WHERE case_id = ?", (old, case.id))


@pytest.fixture
def quarter(session):
    s = session
    for n, (when, channel) in enumerate([(datetime(2026, 4, 2, 10, tzinfo=UTC), "phone"),
                                         (datetime(2026, 4, 9, 10, tzinfo=UTC), "phone"),
                                         (datetime(2026, 4, 30, 10, tzinfo=UTC), "phone"),
                                         (datetime(2026, 5, 12, 10, tzinfo=UTC), "email")]):
        enquiries.record_enquiry(s, EnquiryInput(received_at=when, channel=channel, caller_role="anonymous",
                                                 anonymous=True, topics=["tribunal"] if n < 2 else []),
                                 now=datetime(2026, 7, 1, tzinfo=UTC))
    a = _open(s, "level_1", date(2026, 4, 3))      # single intervention, closed the same day
    b = _open(s, "level_2", date(2026, 1, 10))     # inactive since March: still active, inactive
    c = _open(s, "level_2", date(2026, 4, 10))     # moved up to level 3 in May: level 3, open
    d = _open(s, "level_3", date(2026, 2, 1))      # inactive in May, reopened in June: level 3, open
    e = _open(s, "level_4", date(2026, 4, 20))     # tribunal work closed in June: level 4, closed
    f = _open(s, "level_2", date(2026, 5, 2))      # no contact for 30 days: inactive from 1 June
    g = _open(s, "level_3", date(2025, 12, 1))     # closed before the quarter: not counted
    i = _open(s, "level_2", date(2026, 3, 1))      # an old level never mapped: open, not mapped
    _as_old_level(s, i, "advice")
    notes.add_note(s, i.id, "phone_call", date(2026, 6, 15), 10, "Rang the parent.", today=TODAY)

    cases.close_case(s, a.id, "resolved", ["better_informed"], closed_on=date(2026, 4, 3), evaluation="on_screen")
    evaluation.record_evaluation(s, a.id, {"q1": "strongly_agree", "q2": "agree", "q3": "agree"}, "on_screen",
                                 received_on=date(2026, 4, 3))
    states.make_inactive(s, b.id, on=date(2026, 3, 1))
    levels.change_level(s, c.id, "level_3", "Disagreement with the school", on=date(2026, 5, 15))
    notes.add_note(s, c.id, "phone_call", date(2026, 6, 10), 20, "Called the school.", today=TODAY)
    evaluation.record_evaluation(s, c.id, {"q1": "agree", "q2": "agree", "q3": "strongly_agree", "q4": "agree",
                                           "q5": "disagree"}, "on_screen", received_on=date(2026, 5, 30))
    states.make_inactive(s, d.id, on=date(2026, 5, 1))
    cases.reopen_case(s, d.id, on=date(2026, 6, 1))
    cases.close_case(s, e.id, "resolved", ["tribunal_appeal_lodged", "better_informed"],
                     closed_on=date(2026, 6, 20), evaluation="paper")
    evaluation.record_evaluation(s, e.id, {"q1": "agree", "q2": "neither", "q3": "disagree",
                                           "q4": "strongly_agree", "q5": ""}, "paper", received_on=date(2026, 6, 25))
    cases.close_case(s, g.id, "resolved", [], closed_on=date(2026, 3, 20))
    states.set_inactive_after_days(s, 30)
    assert states.sweep_inactive(s, today=date(2026, 6, 20)) == [f.reference]   # c had a note, d was reopened
    h = _open(s, "level_1", date(2026, 7, 2))      # after the quarter: not counted
    evaluation.record_evaluation(s, h.id, {"q1": "agree"}, "on_screen", received_on=date(2026, 7, 5))  # not counted
    levels.change_level(s, f.id, "level_1", on=date(2026, 7, 10))                  # after the quarter
    return reports.build_report(s, Q2, today=TODAY)


def test_levels_states_and_evaluation_of_the_quarter_match_the_hand_count(quarter):
    r = quarter
    # Levels on 30 June: a; b, f; c, d; e; i (old level).
    assert _rows(r, "intervention_levels") == {L1: 1, L2: 2, L3: 2, L4: 1, NOT_MAPPED: 1, ALL: 7}
    # All, open, inactive, closed on 30 June.
    assert _rows(r, "levels_and_states") == {L1: [1, 0, 0, 1], L2: [2, 0, 2, 0], L3: [2, 2, 0, 0],
                                             L4: [1, 0, 0, 1], NOT_MAPPED: [1, 1, 0, 0], ALL: [7, 3, 2, 2]}
    assert _rows(r, "cases")[ALL] == 7     # the same cases as the report's other case tables
    assert _rows(r, "evaluations") == {"On screen, at closure": 2, "Printed form": 1, "All evaluations": 3}
    # Answered, agreed, neither, disagreed: a, c and e's answers (q4 and q5 only after level 1 work).
    assert _rows(r, "evaluation_answers") == {
        "1. Advice was useful": [3, 3, 0, 0], "2. More confident now": [3, 2, 1, 0],
        "3. Satisfied overall": [3, 2, 0, 1], "4. Listened to and respected": [2, 2, 0, 0],
        "5. Took part in decisions": [1, 0, 0, 1]}
    # The same as shares of those who answered (2 of 3 is 67%, rounded); every count above is
    # from 1 to 4, so every share is hidden when published, zeros included (their whole is hidden).
    assert _rows(r, "evaluation_satisfaction") == {
        "1. Advice was useful": ["100%", "0%", "0%"], "2. More confident now": ["67%", "33%", "0%"],
        "3. Satisfied overall": ["67%", "0%", "33%"], "4. Listened to and respected": ["100%", "0%", "0%"],
        "5. Took part in decisions": ["0%", "0%", "100%"]}
    published = {t["key"]: t for t in r.to_json(exact=False)["tables"]}["evaluation_satisfaction"]
    assert {cell for row in published["rows"] for cell in row[1:]} == {"withheld"}
    assert _rows(r, "outcomes")["Better informed"] == 2 and _rows(r, "outcomes")["Tribunal appeal lodged"] == 1
    assert _rows(r, "contacts_by_channel")["All contacts"] == 4 and _rows(r, "topics")["Tribunal"] == 2


def test_the_return_says_what_the_published_report_says(quarter, session, tmp_path):
    published = {t["key"]: t for t in quarter.to_json(exact=False)["tables"]}
    returned = national_return.national_return(quarter)
    assert [t.key for t in returned.tables] == list(national_return.TABLES)
    # Every figure of the return, as the spreadsheet file has it, is the published report's figure.
    written = national_return.export_return(session, quarter, tmp_path / "return.csv", "csv")
    lines = list(csv.DictReader(io.StringIO(written.path.read_text(encoding="utf-8"))))
    assert lines and {line["Service"] for line in lines} == {quarter.service_name}
    by_title = {t["title"]: t for t in published.values()}
    for line in lines:
        table = by_title[line["Figure"]]
        row = next(r for r in table["rows"] if r[0] == line["Row"])
        assert str(row[table["columns"].index(line["Column"])]) == line["Value"], line
    assert len(lines) == sum(len(published[k]["rows"]) * (len(published[k]["columns"]) - 1)
                             for k in national_return.TABLES)
    states_line = {(x["Row"], x["Column"]): x["Value"] for x in lines
                   if x["Figure"] == "Interventions by level and state at the end of the period"}
    assert states_line[(ALL, "All")] == "7" and states_line[(L3, "Open")] == "fewer than 5"
    # Small numbers are suppressed, and none can be worked out from the return.
    assert report_attacker.attack(returned.to_json(exact=False)) == {}
    # Nothing names a family or a case.
    text = written.path.read_text(encoding="utf-8")
    for ref, in session.conn.execute("SELECT reference FROM casefile"):
        assert ref not in text
    pdf = national_return.export_return(session, quarter, tmp_path / "return.pdf", "pdf").path
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        body = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "National return" in body and "Interventions by level and state" in body
        assert "Service-user satisfaction" in body and "Workload" not in body


def test_satisfaction_is_published_as_shares_hidden_where_their_counts_are(session):
    """A quarter of 12 evaluations counted by hand. q1: 4 strongly agree, 3 agree, 5 neither
    (7 of 12 agreed: 58%; 5 of 12: 42%). q2: all 12 agree (100%). q3: 9 agree, 3 disagree: 3 is
    "fewer than 5" so its share is hidden, and one more count of the row is hidden with it (else
    12 - 9 - 0 gives the 3 away), so the agreed share goes too (9 of 12 would give 3)."""
    for n in range(12):
        case = _open(session, "level_1", date(2026, 4, 1))
        evaluation.record_evaluation(session, case.id, {
            "q1": "strongly_agree" if n < 4 else "agree" if n < 7 else "neither", "q2": "agree",
            "q3": "agree" if n < 9 else "disagree"}, "on_screen", received_on=date(2026, 4, 2 + n))
    report = reports.build_report(session, Q2, today=TODAY)
    assert _rows(report, "evaluation_answers")["1. Advice was useful"] == [12, 7, 5, 0]
    shares = {row[0]: row[1:] for row in report.table("evaluation_satisfaction").shown_rows(exact=False)}
    assert shares["1. Advice was useful"] == ["58%", "42%", "0%"]
    assert shares["2. More confident now"] == ["100%", "0%", "0%"]
    assert shares["3. Satisfied overall"][2] == "withheld" and shares["3. Satisfied overall"][0] == "withheld"
    assert shares["4. Listened to and respected"] == ["\u2013"] * 3        # not asked after level 1 work
    # The return carries the same shares, as its CSV lines.
    lines = [line for line in national_return.return_csv(national_return.national_return(report)).decode().splitlines()
             if "per cent" in line]
    assert any(line.endswith(",1. Advice was useful,Agreed,58%") for line in lines), lines
    assert any(line.endswith(",3. Satisfied overall,Disagreed,withheld") for line in lines), lines


def test_level_changes_keep_their_history(session):
    case = _open(session, "level_1", date(2026, 4, 1))
    levels.change_level(session, case.id, "level_3", "Mediation booked", on=date(2026, 5, 2))
    history = levels.level_history(session, case.id)
    assert [(h.level, h.previous_level, h.changed_on, h.reason) for h in history] == [
        ("level_1", None, "2026-04-01", None), ("level_3", "level_1", "2026-05-02", "Mediation booked")]
    with pytest.raises(ValidationError, match="already at that level"):
        levels.change_level(session, case.id, "level_3")
    with pytest.raises(ValidationError, match="Choose one of"):
        levels.change_level(session, case.id, "casework")   # an old level is never chosen now
    with pytest.raises(ValidationError, match="before the case opened"):
        levels.change_level(session, case.id, "level_2", on=date(2026, 3, 1))
    with pytest.raises(ValidationError):
        cases.open_case(session, case.client_id, case.child_id, level="advice")


def test_old_levels_are_mapped_only_after_a_dry_run_and_the_managers_confirmation(session, data_dir):
    kept = _open(session, "level_2", date(2025, 5, 1))
    old = [_open(session, "level_2", date(2025, 6, n)) for n in (1, 2, 3)]
    for case, level in zip(old, ("advice", "advice", "meeting_support"), strict=True):
        _as_old_level(session, case, level)
    mapping = {"advice": "level_2", "meeting_support": "level_4"}
    plan = levels.plan_level_mapping(session, mapping)
    assert plan.rows == [("information", 0, None), ("advice", 2, "level_2"), ("casework", 0, None),
                         ("meeting_support", 1, "level_4")] and plan.cases == 3 and not plan.applied
    assert session.conn.execute("SELECT count(*) FROM casefile WHERE level = 'advice'").fetchone()[0] == 2
    with pytest.raises(ValidationError, match="dry run first"):
        levels.apply_level_mapping(session, mapping)
    with pytest.raises(ValidationError, match="not one of the old levels"):
        levels.plan_level_mapping(session, {"level_2": "level_3"})
    worker = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied):
        levels.plan_level_mapping(worker, mapping)
    applied = levels.apply_level_mapping(session, mapping, confirmed=True)
    assert applied.applied
    assert [cases.load_case(session, c.id).level for c in old] == ["level_2", "level_2", "level_4"]
    # The mapping renames a level; the past periods count the network level too.
    assert [h.level for h in levels.level_history(session, old[2].id)] == ["level_4"]
    assert cases.load_case(session, kept.id).level == "level_2"
    report = reports.build_report(session, periods.quarter(2025, 2), today=TODAY)
    assert NOT_MAPPED not in _rows(report, "intervention_levels")
    assert _rows(report, "intervention_levels")[L4] == 1


def test_inactive_cases_are_shown_listed_and_reopened(session):
    case = _open(session, "level_2", date(2026, 1, 5))
    assert states.inactive_after_days(session) == 90                   # until the manager sets it
    with pytest.raises(ValidationError, match="between 14 and 730"):
        states.set_inactive_after_days(session, 3)
    assert states.sweep_inactive(session, today=date(2026, 4, 4)) == []   # 89 days
    assert states.sweep_inactive(session, today=date(2026, 4, 5)) == [case.reference]
    assert cases.load_case(session, case.id).status == "inactive"
    listed, total = cases.list_cases(session, cases.CaseQuery(status="inactive"))
    assert total == 1 and listed[0].status == "inactive"
    with pytest.raises(ValidationError, match="Only an open case"):
        states.make_inactive(session, case.id)
    cases.reopen_case(session, case.id, on=date(2026, 4, 20))
    assert cases.load_case(session, case.id).status == "open"
    with pytest.raises(ValidationError, match="already open"):
        cases.reopen_case(session, case.id)
    assert [(h.state, h.how, h.changed_on) for h in states.state_history(session, case.id)] == [
        ("open", "opened", "2026-01-05"), ("inactive", "no_contact", "2026-04-05"),
        ("open", "reactivated", "2026-04-20")]


def test_evaluations_are_stored_without_anything_that_names_the_family(session, tmp_path):
    case = _open(session, "level_1", date(2026, 4, 1))
    cases.close_case(session, case.id, "resolved", [], closed_on=date(2026, 4, 1), evaluation="on_screen")
    with pytest.raises(ValidationError, match="not one of the questions asked"):
        evaluation.record_evaluation(session, case.id, {"q4": "agree"}, "on_screen")   # level 1 work
    with pytest.raises(ValidationError, match="from the scale"):
        evaluation.record_evaluation(session, case.id, {"q1": "brilliant"}, "on_screen")
    with pytest.raises(ValidationError, match="nothing to record"):
        evaluation.record_evaluation(session, case.id, {"q1": ""}, "on_screen")
    evaluation.record_evaluation(session, case.id, {"q1": "agree"}, "on_screen", received_on=date(2026, 4, 1))
    row = dict(session.conn.execute("SELECT * FROM service_evaluation").fetchone())
    named = {case.id, case.client_id, case.child_id, case.reference, case.worker}
    assert not named & {str(v) for v in row.values()}
    # Nor the moment it was typed, which the case's audit row would match: times are the day's
    # midnight and the id is random (a UUIDv7 would carry the time).
    assert row["created_at"] == row["updated_at"] == "2026-04-01T00:00:00+00:00" and not row["created_by"]
    assert uuid.UUID(row["id"]).version == 4
    assert set(row) >= {"received_on", "level", "method", "answers"}
    assert not {"case_id", "person_id", "worker"} & set(row)
    # The case learns only that its answers are in, and a second set is refused, so one family's
    # evaluation is never counted twice (the printed form after answering on screen).
    assert cases.load_case(session, case.id).evaluation == cases.EVALUATION_ANSWERED
    with pytest.raises(ValidationError, match="already recorded"):
        evaluation.record_evaluation(session, case.id, {"q1": "agree"}, "paper")
    assert session.conn.execute("SELECT count(*) FROM service_evaluation").fetchone()[0] == 1
    form = evaluation.export_blank_form(session, tmp_path / "form.pdf")
    assert form.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(form), "-"], capture_output=True, text=True, check=True).stdout
        words = " ".join(text.split())
        assert "Overall, I am satisfied with the support" in words and "Strongly" in words


def test_the_standards_register_is_in_the_annual_report_only(session, data_dir):
    standards.add_standard(session, StandardInput("3.10", "Support with tribunal appeals", "Casework audit",
                                                  "met", "Service manager", "2027-03-31"))
    first = standards.add_standard(session, StandardInput("3.9", "Representation where needed", "",
                                                          "partly_met", "Team leader"))
    assert [s.reference for s in standards.list_standards(session)] == ["3.9", "3.10"]
    standards.update_standard(session, first.id, StandardInput("3.9", "Representation where needed",
                                                               "Two hearings attended", "met", "Team leader"),
                              expected_version=first.version)
    with pytest.raises(ValidationError):
        standards.add_standard(session, StandardInput("", "No number"))
    with pytest.raises(PermissionDenied):
        standards.list_standards(add_worker(session, data_dir))
    annual = reports.build_report(session, periods.financial_year(2026), today=date(2027, 4, 10))
    table = annual.table("minimum_standards")
    assert [r[:4] for r in table.rows] == [["3.9 Representation where needed", "Met", "Team leader", ""],
                                           ["3.10 Support with tribunal appeals", "Met", "Service manager",
                                            "31/03/2027"]]
    assert table.rows[0][4] == "Two hearings attended"
    assert json.dumps(annual.to_json())  # the register travels in the JSON too
    quarterly = reports.build_report(session, Q2, today=TODAY)
    assert "minimum_standards" not in [t.key for t in quarterly.tables]


def test_a_level_is_the_one_in_effect_on_the_last_day_not_the_one_written_last(session):
    """The report reads each case's history, not its current level: a change backdated into the
    quarter after a later one was recorded leaves the later one in effect on 30 June, though the
    case itself now shows the backdated level; a change after the quarter does not count."""
    s = session
    a = _open(s, "level_2", date(2026, 4, 5))
    levels.change_level(s, a.id, "level_3", on=date(2026, 6, 1))
    assert levels.change_level(s, a.id, "level_4", on=date(2026, 5, 1)).level == "level_4"   # backdated
    b = _open(s, "level_1", date(2026, 4, 6))
    levels.change_level(s, b.id, "level_2", on=date(2026, 6, 30))    # the last day counts
    levels.change_level(s, b.id, "level_4", on=date(2026, 7, 1))     # the day after does not
    c = _open(s, "level_1", date(2026, 4, 7))
    levels.change_level(s, c.id, "level_3", on=date(2026, 4, 7))     # the day it opened, written after
    report = reports.build_report(s, Q2, today=TODAY)
    assert _rows(report, "intervention_levels") == {L1: 0, L2: 1, L3: 2, L4: 0, ALL: 3}
    assert _rows(report, "levels_and_states")[ALL] == [3, 3, 0, 0]
