"""An office computer and a laptop of one team, in process, meeting through a hub; and the
records a checked-out case carries (through the real services)."""

from datetime import date

from app.services.casework import cases, notes, people
from app.services.casework.people import PersonInput
from app.services.consent import records as consent
from app.services.team import team as team_service
from app.services.team.sync import sync_now
from tests.team.conftest import new_vault


def add_laptop(team, name: str = "Laptop 1"):
    session = new_vault(team.template_root, team.root / name.replace(" ", "_"))
    invitation = team_service.invite_device(team.sessions[0], team.hub, name)
    team_service.join_team(session, team.hub, {**invitation, "kind": "laptop"})
    team.sessions.append(session)
    return session


def family_case(session, surname: str, canary: str = "") -> tuple[str, str]:
    """A parent and child, the case, a professional with a consent, a note. Returns (case id,
    reference)."""
    parent = people.create_person(session, PersonInput(kind="parent_carer", first_name="Mabel",
                                                       last_name=surname))
    child = people.create_person(session, PersonInput(kind="child", first_name="Owen", last_name=surname,
                                                      date_of_birth="2015-03-02"))
    people.link_relationship(session, parent.id, child.id, "mother", parental_responsibility=True)
    case = cases.open_case(session, parent.id, child.id)
    pro = people.create_person(session, PersonInput(kind="professional", first_name="Sam", last_name="Okafor",
                                                    job_title="SENCo"))
    consent.record_consent(session, case.id, parent.id, "share_with", "verbal_phone",
                           counterparty_person_id=pro.id, today=date(2026, 1, 5))
    notes.add_note(session, case.id, "phone_call", date(2026, 1, 6), 10,
                   f"Discussed the annual review with the parent. {canary}".strip())
    return case.id, case.reference


def sync_all(hub, *sessions) -> None:
    for s in sessions:
        sync_now(s, hub)
