"""Staff register reminders, policy reviews, the paper file register and the dashboard,
with an injected 'today'."""

from datetime import date

import pytest

from app.errors import PermissionDenied, ValidationError
from app.services.casework import actions, cases, paper_files, safeguarding
from app.services.reports import dashboard
from app.services.vault import registers
from tests.unit.casework_helpers import add_worker, family

TODAY = date(2026, 11, 25)


def _kinds(reminders, name):
    return {r.kind for r in reminders if r.text.startswith(name)}


def test_training_reminders_fire_on_the_right_days(session, data_dir):
    worker = add_worker(session, data_dir, "casey")
    worker.lock()
    registers.update_staff_record(session, "casey", start_date="2025-01-06", induction_on="2025-01-10",
                                  dp_training_on="2025-12-20", today=TODAY)
    # Training valid for 365 days: due 20/12/2026, within 30 days of 25/11/2026 -> due soon.
    assert _kinds(registers.staff_reminders(session, TODAY), "Casey") == {"training_due"}
    assert _kinds(registers.staff_reminders(session, date(2026, 11, 19)), "Casey") == set()
    assert _kinds(registers.staff_reminders(session, date(2026, 12, 20)), "Casey") == {"training_due"}
    assert _kinds(registers.staff_reminders(session, date(2026, 12, 21)), "Casey") == {"training_lapsed"}


def test_volunteer_agreement_and_induction(session, data_dir):
    add_worker(session, data_dir, "vic", role="volunteer").lock()
    registers.update_staff_record(session, "vic", start_date="2026-09-01", dp_training_on="2026-09-02", today=TODAY)
    assert _kinds(registers.staff_reminders(session, TODAY), "Vic") == {"agreement_missing", "induction_missing"}
    registers.update_staff_record(session, "vic", start_date="2026-09-01", dp_training_on="2026-09-02",
                                  agreement_signed_on="2026-09-01", induction_on="2026-09-03", today=TODAY)
    assert _kinds(registers.staff_reminders(session, TODAY), "Vic") == set()


def test_bad_register_input(session):
    with pytest.raises(ValidationError, match="future"):
        registers.update_staff_record(session, "manager", dp_training_on="2027-01-01", today=TODAY)
    with pytest.raises(ValidationError, match="before the start"):
        registers.update_staff_record(session, "manager", start_date="2026-05-01", induction_on="2026-04-01",
                                      today=TODAY)


def test_policy_review_due_dates(session):
    assert registers.policy_reminder(session, TODAY).severity == "overdue"
    registers.record_policy_review(session, "2025-12-10", "Steering group", "SG-2025-12", today=TODAY)
    assert registers.policy_reminder(session, TODAY).severity == "due_soon"  # next due 10/12/2026
    assert registers.policy_reminder(session, date(2026, 11, 9)) is None
    assert registers.policy_reminder(session, date(2026, 12, 11)).severity == "overdue"
    review = registers.record_policy_review(session, "29/02/2024", "Steering group", None, today=TODAY)
    assert review.next_review_on == "2025-02-28"


def test_paper_file_out_and_back(session, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    paper = paper_files.add_file(session, "HART-01", "Cabinet B, drawer 2", case.id)
    with pytest.raises(ValidationError, match="already"):
        paper_files.add_file(session, "HART-01", "Cabinet B")
    out = paper_files.check_out(session, paper.id, "2026-11-27", taken_to="Family meeting at Hillside",
                                today=TODAY)
    assert out.is_out and out.checked_out_by == "manager"
    with pytest.raises(ValidationError, match="already out"):
        paper_files.check_out(session, paper.id, "2026-11-30", today=TODAY)
    assert paper_files.overdue(session, date(2026, 11, 27)) == []
    assert [f.label for f in paper_files.overdue(session, date(2026, 11, 28))] == ["HART-01"]
    back = paper_files.check_in(session, paper.id, today=date(2026, 11, 29))
    assert not back.is_out and paper_files.overdue(session, date(2026, 12, 30)) == []
    history = paper_files.movements(session, paper.id)
    assert history[0].returned_on == "2026-11-29" and history[0].returned_by == "manager"
    with pytest.raises(ValidationError, match="past"):
        paper_files.check_out(session, paper.id, "2026-11-01", today=TODAY)


def test_volunteer_cannot_take_files_out(session, data_dir):
    paper = paper_files.add_file(session, "GEN-01", "Office")
    vol = add_worker(session, data_dir, "vic", role="volunteer")
    with pytest.raises(PermissionDenied):
        paper_files.check_out(vol, paper.id, "2026-11-30", today=TODAY)
    vol.lock()


def test_open_cases_by_worker_count_open_live_cases_from_their_index(session, data_dir):
    """Counted over schema 26's index of open cases (casefile_open_worker): a closed case, a
    reopened one, a deleted one and a worker with no staff row still count as before."""
    add_worker(session, data_dir, "casey").lock()

    def new_case(worker="manager"):
        parent, kid = family(session)
        return cases.open_case(session, parent.id, kid.id, worker=worker, opened_on=date(2026, 1, 5)).id

    new_case(), new_case()
    reopened = new_case()
    cases.close_case(session, reopened, "resolved", ["better_informed"], closed_on="2026-02-01")
    cases.reopen_case(session, reopened, on=date(2026, 3, 1))
    cases.close_case(session, new_case(), "resolved", ["better_informed"], closed_on="2026-02-01")
    new_case("casey"), new_case("casey")
    deleted, gone = new_case(), new_case("casey")
    conn = session.conn
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE casefile SET deleted_at = '2026-04-01T10:00:00+00:00' WHERE id = ?", (deleted,))
    conn.execute("UPDATE casefile SET worker = 'left_in_2025' WHERE id = ?", (gone,))
    conn.execute("COMMIT")
    assert dashboard.build_dashboard(session, TODAY).open_cases_by_worker == [
        ("manager", "Test Manager", 3), ("casey", "Casey Worker", 2), ("left_in_2025", "left_in_2025", 1)]


def test_dashboard_brings_together_what_needs_attention(session, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id, opened_on=date(2026, 1, 5))
    actions.add_action(session, case.id, "Chase the draft plan", date(2026, 11, 1))
    actions.add_action(session, case.id, "Future thing", date(2026, 12, 1))
    paper = paper_files.add_file(session, "HART-01", "Cabinet B", case.id)
    paper_files.check_out(session, paper.id, "2026-11-20", today=date(2026, 11, 18))
    safeguarding.raise_concern(session, case.id, date(2026, 11, 2), "Concern.", today=TODAY)
    board = dashboard.build_dashboard(session, TODAY)
    assert board.open_cases_by_worker == [("manager", "Test Manager", 1)]
    overdue = board.section("actions_overdue").items
    assert len(overdue) == 1 and overdue[0].target_type == "case" and overdue[0].target_id == case.id
    files = board.section("paper_files_overdue").items
    assert files[0].target_type == "paper_file" and files[0].target_id == paper.id
    assert board.section("safeguarding_open").items[0].target_id == case.id
    staff_texts = [i.text for i in board.section("staff_lapsed").items]
    assert any("no data protection training" in t for t in staff_texts)
    assert any("policy" in t for t in staff_texts)


def test_dashboard_is_for_managers(session, data_dir):
    worker = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied):
        dashboard.build_dashboard(worker, TODAY)
    worker.lock()
