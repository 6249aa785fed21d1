"""The schedule, the review list, extending, holds, and what blocks an erasure
(docs/lifecycle.md)."""

from datetime import date

import pytest

from app.errors import PermissionDenied, ValidationError
from app.services.casework import safeguarding
from app.services.lifecycle import decisions, erase, review, schedule
from app.services.sar import register as sar_register
from tests.lifecycle.support import closed_case
from tests.unit.casework_helpers import add_worker


def test_the_manager_sets_the_schedule_for_the_team_and_a_caseworker_cannot(session, data_dir):
    assert schedule.get_schedule(session)["closed_case"].years == 6
    schedule.set_rule(session, "closed_case", 7, 25)
    schedule.set_rule(session, "enquiry", "3")
    assert schedule.describe_schedule(session)[:2] == [
        "Closed casework is kept for 7 years after the case closed, or until the young person's 25th birthday, "
        "whichever is later.",
        "General information enquiries (with no case) are kept for 3 years after they were received."]
    with pytest.raises(ValidationError, match="whole number"):
        schedule.set_rule(session, "enquiry", "two")
    with pytest.raises(ValidationError, match="how many years"):
        schedule.set_rule(session, "closed_case", "")
    worker = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied):
        schedule.set_rule(worker, "closed_case", 1, None)
    assert schedule.get_schedule(worker)["closed_case"].years == 7


def test_a_closed_case_is_due_at_the_later_of_six_years_and_the_25th_birthday(session):
    young, _, _ = closed_case(session, born="2008-03-15", closed="2020-07-01", last="Young")
    older, _, _ = closed_case(session, born="2002-01-01", closed="2024-06-01", last="Older")
    assert older not in {d.record_id for d in review.list_due(session, on=date(2030, 5, 31))}
    due = {d.record_id: d for d in review.list_due(session, on=date(2030, 6, 1))}
    assert older in due and young not in due
    assert due[older].due_on == date(2030, 6, 1)       # six years after closing: later than 25
    assert young not in {d.record_id for d in review.list_due(session, on=date(2033, 3, 14))}
    assert young in {d.record_id for d in review.list_due(session, on=date(2033, 3, 15))}


def test_a_leap_day_child_is_due_on_1_march(session):
    case_id, _, _ = closed_case(session, born="2004-02-29", closed="2020-01-10", last="Leap")
    assert case_id not in {d.record_id for d in review.list_due(session, on=date(2029, 2, 28))}
    assert case_id in {d.record_id for d in review.list_due(session, on=date(2029, 3, 1))}


def test_extending_keeps_a_case_off_the_list_until_the_new_date(session):
    case_id, _, _ = closed_case(session, born="2001-12-31", closed="2019-01-10")
    assert case_id in {d.record_id for d in review.list_due(session, on=date(2027, 6, 1))}
    with pytest.raises(ValidationError, match="Say why"):
        decisions.extend(session, "case", case_id, "2030-01-01", " ")
    decisions.extend(session, "case", case_id, "2030-01-01", "Tribunal appeal expected")
    assert case_id not in {d.record_id for d in review.list_due(session, on=date(2029, 12, 31))}
    assert case_id in {d.record_id for d in review.list_due(session, on=date(2030, 1, 1))}


def test_an_open_sar_blocks_erasure_until_it_is_closed(session):
    case_id, parent, _ = closed_case(session, born="2001-12-31", closed="2019-01-10")
    sar = sar_register.register(session, "2026-11-01", parent, "subject", requester_name="Mabel Hartley",
                                identity_method="passport", identity_received_on="2026-11-01",
                                today=date(2026, 11, 2))
    due = next(d for d in review.list_due(session, on=date(2027, 6, 1)) if d.record_id == case_id)
    assert due.blocked_by == ["an open subject access request"]
    with pytest.raises(PermissionDenied, match="open subject access request"):
        erase.erase(session, "case", [case_id], "Past its retention date")
    assert session.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (case_id,)).fetchone()[0] == 1
    sar_register.withdraw(session, sar.id)
    erase.erase(session, "case", [case_id], "Past its retention date")
    assert session.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (case_id,)).fetchone()[0] == 0


def test_a_safeguarding_concern_or_a_legal_hold_blocks_erasure(session):
    case_id, _, _ = closed_case(session, born="2001-12-31", closed="2019-01-10")
    concern = safeguarding.raise_concern(session, case_id, "2009-06-01", "Worried about home")
    hold = decisions.place_hold(session, case_id, "Solicitor's letter of claim")
    with pytest.raises(PermissionDenied) as refused:
        erase.erase(session, "case", [case_id], "Past its retention date")
    assert "an open safeguarding concern and a legal hold" in str(refused.value)
    safeguarding.update_concern(session, concern.id, status="closed", outcome="No further action")
    with pytest.raises(PermissionDenied, match="legal hold"):
        erase.erase(session, "case", [case_id], "Past its retention date")
    decisions.release_hold(session, hold)
    erase.erase(session, "case", [case_id], "Past its retention date")


def test_only_the_manager_erases(session, data_dir):
    case_id, _, _ = closed_case(session, born="2001-12-31", closed="2019-01-10")
    worker = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied):
        erase.erase(worker, "case", [case_id], "tidy up")
