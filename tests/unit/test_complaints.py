"""The data protection complaints register (s.164A DPA 2018): 30 days to acknowledge, the
reply with its outcome, the manager's dashboard item and its deadline, managers only, and an
audit trail that names no complainant."""

from datetime import date, timedelta

import pytest

from app.errors import PermissionDenied, ValidationError
from app.services.reports import complaints as package
from app.services.reports import dashboard
from app.services.reports.complaints import register as complaints
from app.services.reports.complaints import reporting
from app.services.reports.complaints.rules import acknowledgement_due
from tests.unit.casework_helpers import add_worker

TODAY = date(2026, 8, 20)
NAME = "Imogen Thistlewood"


def test_the_acknowledgement_is_due_30_days_after_receipt():
    assert acknowledgement_due(date(2026, 6, 19)) == date(2026, 7, 19)
    assert acknowledgement_due(date(2026, 2, 1)) == date(2026, 3, 3)  # through February
    assert acknowledgement_due(date(2028, 2, 1)) == date(2028, 3, 2)  # a leap year
    assert package.ACK_DAYS == 30


def test_register_acknowledge_and_answer(session):
    c = complaints.register_complaint(session, date(2026, 7, 1), "email", NAME, "My notes went to the school.",
                                      today=TODAY)
    assert c.reference.startswith("DPC-2026") and c.ack_due_on == date(2026, 7, 31)
    assert c.state(date(2026, 7, 20)) == "awaiting_ack" and c.state(date(2026, 7, 25)) == "ack_due_soon"
    assert c.state(date(2026, 8, 1)) == "ack_overdue"
    c = complaints.acknowledge(session, c.id, date(2026, 7, 30), "letter", today=TODAY)
    assert c.acknowledged_on_time and c.state(TODAY) == "awaiting_reply"
    with pytest.raises(ValidationError, match="already acknowledged on 30/07/2026"):
        complaints.acknowledge(session, c.id, date(2026, 7, 31), today=TODAY)
    c = complaints.record_outcome(session, c.id, "partly_upheld", "We have asked the school to delete them.",
                                  date(2026, 8, 10), today=TODAY)
    assert c.state(TODAY) == "closed" and c.outcome_label == "Partly upheld"
    assert [x.id for x in complaints.list_complaints(session, open_only=True)] == []


def test_a_reply_without_an_acknowledgement_acknowledges_on_its_day(session):
    c = complaints.register_complaint(session, date(2026, 8, 1), "phone", NAME, "Mailing list.", today=TODAY)
    c = complaints.record_outcome(session, c.id, "upheld", "Removed.", date(2026, 8, 3), today=TODAY)
    assert c.acknowledged_on == date(2026, 8, 3) and c.acknowledged_on_time


@pytest.mark.parametrize("call,message", [
    (lambda s: complaints.register_complaint(s, TODAY + timedelta(days=1), "email", NAME, "x", today=TODAY),
     "in the future"),
    (lambda s: complaints.register_complaint(s, TODAY, "pigeon", NAME, "x", today=TODAY), "Choose one of"),
    (lambda s: complaints.register_complaint(s, TODAY, "email", "  ", "x", today=TODAY), "who complained"),
    (lambda s: complaints.register_complaint(s, TODAY, "email", NAME, "", today=TODAY), "what the complaint"),
])
def test_bad_input_gets_a_plain_message_and_nothing_is_saved(session, call, message):
    with pytest.raises(ValidationError, match=message):
        call(session)
    assert complaints.list_complaints(session) == []


def test_an_acknowledgement_before_receipt_names_both_dates(session):
    c = complaints.register_complaint(session, date(2026, 8, 1), "email", NAME, "x", today=TODAY)
    with pytest.raises(ValidationError, match=r"\(31/07/2026\) is before the date the complaint was received "
                                              r"\(01/08/2026\)"):
        complaints.acknowledge(session, c.id, date(2026, 7, 31), today=TODAY)
    assert complaints.get_complaint(session, c.id).acknowledged_on is None


def test_the_dashboard_shows_each_open_complaint_with_its_deadline(session):
    late = complaints.register_complaint(session, date(2026, 7, 1), "email", NAME, "x", today=TODAY)
    soon = complaints.register_complaint(session, date(2026, 7, 25), "email", NAME, "y", today=TODAY)
    acked = complaints.register_complaint(session, date(2026, 8, 1), "email", NAME, "z", today=TODAY)
    complaints.acknowledge(session, acked.id, date(2026, 8, 2), today=TODAY)
    section = dashboard.build_dashboard(session, TODAY).section("complaints")
    items = {i.target_id: i for i in section.items}
    assert items[late.id].severity == "overdue" and "overdue since 31/07/2026" in items[late.id].text
    assert items[soon.id].severity == "due_soon" and "Acknowledge by 24/08/2026" in items[soon.id].text
    assert items[acked.id].severity == "info" and items[late.id].target_type == "complaint"
    assert NAME not in " ".join(i.text + i.detail for i in section.items)  # the dashboard names no one


def test_complaints_are_for_managers_only(session, data_dir):
    c = complaints.register_complaint(session, date(2026, 8, 1), "email", NAME, "x", today=TODAY)
    worker = add_worker(session, data_dir)
    for call in (lambda: complaints.list_complaints(worker), lambda: complaints.get_complaint(worker, c.id),
                 lambda: complaints.register_complaint(worker, TODAY, "email", NAME, "x", today=TODAY),
                 lambda: complaints.acknowledge(worker, c.id, TODAY, today=TODAY),
                 lambda: complaints.record_outcome(worker, c.id, "upheld", "r", TODAY, today=TODAY),
                 lambda: reporting.dashboard_section(worker, TODAY)):
        with pytest.raises(PermissionDenied):
            call()
    worker.lock()


def test_the_audit_trail_names_the_complaint_not_the_complainant(session):
    c = complaints.register_complaint(session, date(2026, 8, 1), "email", NAME, "About Thistlewood's file.",
                                      today=TODAY)
    complaints.acknowledge(session, c.id, date(2026, 8, 2), today=TODAY)
    rows = session.conn.execute("SELECT * FROM audit_event WHERE object_id = ?", (c.id,)).fetchall()
    assert {r["action"] for r in rows} == {"complaint_registered", "complaint_acknowledged"}
    assert all("Thistlewood" not in " ".join(str(v) for v in tuple(r)) for r in rows)
