"""Correcting an enquiry keeps the version it replaces, like a note; anonymous ones too."""

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import StaleEdit, ValidationError
from app.services.casework import enquiries
from app.services.casework.enquiry_corrections import (
    EnquiryCorrection,
    correct_enquiry,
    enquiry_history,
)
from tests.unit.casework_helpers import phone_enquiry


def _anonymous(session):
    return enquiries.record_enquiry(session, phone_enquiry(anonymous=True, anonymous_first_name="Sam",
                                                           summary="Asked about transport")).enquiry


def test_a_correction_keeps_the_earlier_version(session):
    first = _anonymous(session)
    when = datetime.fromisoformat(first.received_at) - timedelta(hours=1)
    fixed = correct_enquiry(session, first.id, EnquiryCorrection(
        when, "email", "Asked about school transport", ["transport"], "Sam", "Northshire"),
        expected_version=first.version)
    assert (fixed.channel, fixed.summary, fixed.topics, fixed.anonymous_area) == (
        "email", "Asked about school transport", ["transport"], "Northshire")
    assert fixed.version == first.version + 1 and fixed.is_anonymous
    (kept,) = enquiry_history(session, first.id)
    assert (kept.version, kept.channel, kept.summary, kept.topics) == (1, first.channel, "Asked about transport",
                                                                      first.topics)
    assert kept.received_at == first.received_at and kept.written_by == first.handled_by
    # A second correction adds a second version; the order is kept.
    correct_enquiry(session, first.id, EnquiryCorrection(when, "phone", "Third wording"))
    assert [r.version for r in enquiry_history(session, first.id)] == [1, 2]


def test_a_stale_correction_is_refused_and_nothing_changes(session):
    first = _anonymous(session)
    when = datetime.fromisoformat(first.received_at)
    correct_enquiry(session, first.id, EnquiryCorrection(when, "email", "One"))
    with pytest.raises(StaleEdit):
        correct_enquiry(session, first.id, EnquiryCorrection(when, "phone", "Two"), expected_version=first.version)
    assert enquiries.get_enquiry(session, first.id).summary == "One"
    assert len(enquiry_history(session, first.id)) == 1


def test_bad_corrections_are_refused_plainly(session):
    first = _anonymous(session)
    future = datetime.now(UTC) + timedelta(days=2)
    with pytest.raises(ValidationError, match="future"):
        correct_enquiry(session, first.id, EnquiryCorrection(future, "phone"))
    with pytest.raises(ValidationError):
        correct_enquiry(session, first.id, EnquiryCorrection(datetime.now(UTC), "carrier pigeon"))
    named = enquiries.record_enquiry(session, phone_enquiry()).enquiry
    with pytest.raises(ValidationError, match="anonymous"):
        correct_enquiry(session, named.id, EnquiryCorrection(datetime.now(UTC), "phone", anonymous_area="Leeds"))
    assert enquiry_history(session, first.id) == []
