"""Small look-ups the casework screens need: checking a new person before saving, and
finding a note's case (through the R4 firewall)."""

from datetime import date

import pytest

from app.errors import NotFound, PermissionDenied, ValidationError
from app.services.casework import cases, notes, people
from app.services.casework.people import PersonInput
from tests.unit.casework_helpers import add_worker, child, family


def test_validate_person_checks_without_saving(session):
    people.validate_person(PersonInput(kind="child", first_name="Ellie", date_of_birth="09/03/2014"))
    with pytest.raises(ValidationError) as caught:
        people.validate_person(PersonInput(kind="parent_carer"))
    assert caught.value.field == "first_name"
    with pytest.raises(ValidationError) as caught:
        people.validate_person(PersonInput(kind="child", first_name="Ellie", date_of_birth="31/02/2014"))
    assert caught.value.field == "date_of_birth"
    assert session.conn.execute("SELECT count(*) FROM person").fetchone()[0] == 0


def test_get_note_finds_its_case_and_respects_the_firewall(session, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    note = notes.add_note(session, case.id, "phone_call", date.today(), 10, "Called about the review.")
    assert notes.get_note(session, note.id).case_id == case.id
    with pytest.raises(NotFound):
        notes.get_note(session, "no-such-note")

    young = child(session, "Jordan", "Reeve", born="2008-06-01")
    own = cases.open_case(session, young.id, young.id)
    private = notes.add_note(session, own.id, "meeting", date.today(), 30, "Their own words.")
    other = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied):
        notes.get_note(other, private.id)
    other.lock()
