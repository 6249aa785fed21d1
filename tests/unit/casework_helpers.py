"""Builders for casework tests: families with and without parental responsibility."""

from datetime import date

from app.services.casework import enquiries, people
from app.services.casework.enquiries import EnquiryInput
from app.services.casework.people import PersonInput
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from tests.conftest import OTHER_PASSPHRASE

FRESH = "a settled new passphrase for work"


def child(session, first="Ellie", last="Hartley", born="2014-03-09"):
    return people.create_person(session, PersonInput(kind="child", first_name=first, last_name=last,
                                                     date_of_birth=born, school_phase="primary",
                                                     primary_need="cognition_learning", ehcp_status="plan"))


def adult(session, first="Dana", last="Hartley", kind="parent_carer"):
    return people.create_person(session, PersonInput(kind=kind, first_name=first, last_name=last,
                                                     phone_mobile="07700 900123", ok_mobile=1, ok_work=0))


def family(session, pr=True, relationship="mother"):
    kid = child(session)
    parent = adult(session)
    people.link_relationship(session, parent.id, kid.id, relationship, pr)
    return parent, kid


def add_worker(manager_session, data_dir, username="casey", role="caseworker"):
    """Add a colleague and return their unlocked session (passphrase already changed)."""
    staff.add_staff(manager_session, username, f"{username.title()} Worker", role, OTHER_PASSPHRASE)
    other = vault_service.unlock(data_dir, username, OTHER_PASSPHRASE)
    staff.change_own_passphrase(other, OTHER_PASSPHRASE, FRESH)
    return other


def phone_enquiry(**overrides):
    values = dict(channel="phone", caller_role="parent_carer", topics=["ehc_needs_assessment"],
                  summary="Asked how to request an EHC needs assessment.", statement_shared=True,
                  statement_how="verbal")
    values.update(overrides)
    return EnquiryInput(**values)


def record(session, **overrides):
    return enquiries.record_enquiry(session, phone_enquiry(**overrides))


TODAY = date(2026, 11, 25)
