"""The register of right-to-erasure requests (docs/lifecycle.md): its deadline, the outcome,
and the ground and reason when it is refused; carrying one out erases the records and names
the request in the erasure, never the person."""

from datetime import date

import pytest

from app.errors import PermissionDenied, ValidationError
from app.services.lifecycle import requests
from app.services.sar import register as sar_register
from tests.lifecycle.support import closed_case


def test_a_request_is_due_one_month_on_at_the_next_working_day(session):
    # Received on Friday 30 January 2026: one month on is 28 February (a Saturday) -> Monday 2 March.
    req = requests.register(session, "2026-01-30", "Mabel Hartley", today=date(2026, 2, 1))
    assert req.reference.startswith("ERA-2026-") and req.status == "open"
    assert req.due_on == "2026-03-02"
    assert req.overdue(date(2026, 3, 3)) and not req.overdue(date(2026, 3, 2))
    section = requests.dashboard_section(session, date(2026, 3, 3))
    assert section.items[0].severity == "overdue" and "due 02/03/2026" in section.items[0].detail


def test_a_refusal_needs_its_ground_and_reason(session):
    req = requests.register(session, "2026-11-02", "Mabel Hartley", today=date(2026, 11, 3))
    with pytest.raises(ValidationError, match="Choose the ground"):
        requests.refuse(session, req.id, "because", "We keep it")
    with pytest.raises(ValidationError, match="Say why"):
        requests.refuse(session, req.id, "legal_claims", "  ")
    done = requests.refuse(session, req.id, "legal_claims", "A claim against the service is in progress.")
    assert (done.status, done.refusal_ground) == ("refused", "legal_claims")
    with pytest.raises(ValidationError, match="already decided"):
        requests.withdraw(session, req.id)


def test_carrying_out_a_request_erases_and_records_it_without_the_person(session):
    case_id, parent, _ = closed_case(session, born="2001-12-31", closed="2019-01-10")
    req = requests.register(session, "2026-11-02", "Mabel Hartley", subject_id=parent, today=date(2026, 11, 3))
    sar = sar_register.register(session, "2026-11-01", parent, "subject", requester_name="Mabel Hartley",
                                identity_method="passport", identity_received_on="2026-11-01",
                                today=date(2026, 11, 2))
    with pytest.raises(PermissionDenied, match="open subject access request"):
        requests.carry_out_request(session, req.id, "case", [case_id])
    assert requests.get_request(session, req.id).status == "open"
    sar_register.withdraw(session, sar.id)
    done = requests.carry_out_request(session, req.id, "case", [case_id])
    assert done.status == "erased" and done.subject_id is None      # the link to the person went with them
    row = session.conn.execute("SELECT record_kind, reason, request_ref FROM erasure").fetchone()
    assert tuple(row) == ("case", f"Right to erasure request {req.reference}", req.reference)
