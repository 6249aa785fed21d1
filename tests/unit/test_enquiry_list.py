"""The enquiries list pages, filters and sorts in the service: more than the latest 100, and a
volunteer still sees only the general enquiries they handled."""

import pytest

from app.errors import ValidationError
from app.services.casework import enquiries
from app.services.casework.enquiry_list import EnquiryQuery, list_enquiries
from tests.unit.casework_helpers import add_worker, phone_enquiry


def test_pages_filters_and_sorts(session):
    made = [enquiries.record_enquiry(session, phone_enquiry(channel="email" if i % 3 == 0 else "phone")).enquiry
            for i in range(130)]
    first, total = list_enquiries(session, EnquiryQuery(limit=100))
    assert total == 130 and len(first) == 100
    second, _ = list_enquiries(session, EnquiryQuery(offset=100, limit=100))
    assert len(second) == 30 and not {e.id for e in first} & {e.id for e in second}
    assert {e.id for e in first + second} == {e.id for e in made}

    emails, total_emails = list_enquiries(session, EnquiryQuery(channel="email"))
    assert total_emails == 44 and {e.channel for e in emails} == {"email"}
    by_reference, _ = list_enquiries(session, EnquiryQuery(sort="reference", descending=False, limit=5))
    assert [e.reference for e in by_reference] == sorted(e.reference for e in made)[:5]
    with pytest.raises(ValidationError):
        list_enquiries(session, EnquiryQuery(sort="caller_id; DROP TABLE enquiry"))
    with pytest.raises(ValidationError):
        list_enquiries(session, EnquiryQuery(channel="pigeon"))


def test_a_volunteer_sees_only_their_general_enquiries(session, data_dir):
    enquiries.record_enquiry(session, phone_enquiry())
    volunteer = add_worker(session, data_dir, "vic", role="volunteer")
    assert list_enquiries(volunteer) == ([], 0)
    mine = enquiries.record_enquiry(volunteer, phone_enquiry()).enquiry
    found, total = list_enquiries(volunteer)
    assert total == 1 and found[0].id == mine.id
