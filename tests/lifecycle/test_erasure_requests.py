"""The register of right-to-erasure requests (docs/lifecycle.md): its deadline, the outcome,
and the ground and reason when it is refused; carrying one out erases the records and names
the request in the erasure, never the person."""

from datetime import date

import pytest

from app.errors import PermissionDenied, ValidationError
from app.services.casework import cases
from app.services.lifecycle import erase, requests
from app.services.sar import register as sar_register
from tests.lifecycle.support import closed_case


def test_a_request_is_due_one_month_on_at_the_next_working_day(session):
    # Received on Friday 30 January 2026: one month on is 28 February (a Saturday) -> Monday 2 March.
    req = requests.register(session, "2026-01-30", "Mabel Hartley", today=date(2026, 2, 1))
    assert req.reference.startswith("ERA-2026-") and req.status == "open"
    assert req.due_on == "2026-03-02"
    assert req.overdue(date(2026, 3, 3)) and not req.overdue(date(2026, 3, 2))
    section = requests.dashboard_section(session, date(2026, 3, 3))
    assert section.items[0].severity == "overdue" and section.items[0].detail == "overdue: was due 02/03/2026"


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


def test_a_request_about_a_person_erases_every_closed_case_of_theirs_and_is_marked_erased(session):
    first, parent, kid = closed_case(session, born="2001-12-31", closed="2019-01-10")
    req = requests.register(session, "2026-11-02", "Mabel Hartley", subject_id=parent, today=date(2026, 11, 3))
    found = requests.subject_records(session, req.id)
    assert found.person_name == "Mabel Hartley" and [i for i, _ in found.cases] == [first]
    assert found.open_cases == []
    done = requests.carry_out_for_subject(session, req.id)
    assert done.status == "erased" and done.subject_id is None
    for table, key in (("casefile", first), ("person", parent), ("person", kid)):
        assert session.conn.execute(f"SELECT count(*) FROM {table} WHERE id = ?", (key,)).fetchone()[0] == 0
    assert session.conn.execute("SELECT request_ref FROM erasure").fetchone()[0] == req.reference


def test_a_request_about_someone_with_an_open_case_is_refused_and_nothing_is_erased(session):
    closed_id, parent, kid = closed_case(session, born="2001-12-31", closed="2019-01-10")
    still_open = cases.open_case(session, parent, kid)
    req = requests.register(session, "2026-11-02", "Mabel Hartley", subject_id=parent, today=date(2026, 11, 3))
    with pytest.raises(PermissionDenied, match=f"has an open case \\({still_open.reference}\\)"):
        requests.carry_out_for_subject(session, req.id)
    assert session.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (closed_id,)).fetchone()[0] == 1
    assert requests.get_request(session, req.id).status == "open"


def test_a_request_whose_records_are_already_gone_is_marked_erased(session):
    case_id, parent, _ = closed_case(session, born="2001-12-31", closed="2019-01-10")
    req = requests.register(session, "2026-11-02", "Mabel Hartley", subject_id=parent, today=date(2026, 11, 3))
    erase.erase(session, "case", [case_id], "Past the retention schedule")
    assert requests.subject_records(session, req.id).nothing_left
    assert requests.carry_out_for_subject(session, req.id).status == "erased"
