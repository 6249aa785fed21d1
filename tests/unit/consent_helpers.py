"""Builders for consent tests: a family with a case, the school SENCo and an educational
psychologist (professionals at organisations), and a signature drawn as a pen would."""

import math
from dataclasses import dataclass
from datetime import date

from app.domain.signature import Signature
from app.services.casework import cases, people
from app.services.casework.people import PersonInput
from app.services.consent import records as consent
from tests.unit.casework_helpers import adult, child

TODAY = date(2026, 11, 25)


def scribble(width: int = 480, height: int = 180) -> Signature:
    """Two strokes: a looping name and an underline."""
    name = [(30 + i * 4.0, 90 + 30 * math.sin(i / 4)) for i in range(90)]
    underline = [(40 + i * 8.0, 150) for i in range(40)]
    return Signature.from_points([name, underline], width, height)


def professional(session, first, last, job, organisation):
    return people.create_person(session, PersonInput(kind="professional", first_name=first, last_name=last,
                                                     job_title=job, organisation_name=organisation))


@dataclass
class Family:
    parent: object
    kid: object
    case: object
    senco: object
    ep: object


def family_case(session, born="2014-03-09", pr=True, opened_on=date(2026, 1, 5)) -> Family:
    kid = child(session, born=born)
    parent = adult(session)
    people.link_relationship(session, parent.id, kid.id, "mother", pr)
    case = cases.open_case(session, parent.id, kid.id, opened_on=opened_on)
    senco = professional(session, "Priya", "Okafor", "SENCo", "Hillside Primary School")
    ep = professional(session, "Sam", "Patel", "Educational Psychologist", "Northshire Educational Psychology Service")
    return Family(parent, kid, case, senco, ep)


def signed(session, fam: Family, *items: consent.ScopeItem, today=TODAY, **fields):
    """The parent signs on screen for the given scopes."""
    batch = consent.ConsentBatch(given_by_id=fields.pop("given_by_id", fam.parent.id),
                                 method=fields.pop("method", "signed_on_screen"), items=list(items),
                                 case_id=fam.case.id, signed_name=fields.pop("signed_name", "Dana Hartley"),
                                 signature=fields.pop("signature", scribble()), **fields)
    return consent.record_consents(session, batch, today=today)


def share_with(person=None, organisation_id=None, purpose=None) -> consent.ScopeItem:
    return consent.ScopeItem("share_with", person.id if person else None, organisation_id, purpose)


def verbal(session, fam: Family, scope: str, given_by=None, today=TODAY, **kwargs):
    return consent.record_consent(session, fam.case.id, (given_by or fam.parent).id, scope, "verbal_phone",
                                  today=today, **kwargs)
