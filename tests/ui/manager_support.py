"""Builders for the manager's screen tests: a family whose notes name another family, a
paper file out past its return date, and a subject access request ready for review."""

from datetime import date, timedelta

from app.services.casework import cases, notes, paper_files, people
from app.services.casework.people import PersonInput
from app.services.sar import register as sar
from tests.unit.casework_helpers import family

OTHER_FAMILY = "Quentin Marchbanks"  # named in the Hartleys' note: a third party to redact


def casework(session, extra_notes: int = 0):
    """The Hartleys (Dana, parent with PR, and Ellie), a case with a note naming another family."""
    parent, kid = family(session)
    people.create_person(session, PersonInput(kind="parent_carer", first_name="Quentin", last_name="Marchbanks"))
    today = date.today()
    case = cases.open_case(session, parent.id, kid.id, opened_on=today - timedelta(days=60))
    notes.add_note(session, case.id, "meeting", today - timedelta(days=50), 60,
                   f"Dana met the SENCo. {OTHER_FAMILY} was also at the coffee morning and shared his own story.")
    for n in range(extra_notes):
        notes.add_note(session, case.id, "phone_call", today - timedelta(days=40 - n % 30), 15,
                       f"Call {n}: went through the annual review timetable, the draft plan and the next steps "
                       "with the school. " * 4)
    return parent, kid, case


def overdue_file(session, case_id: str | None = None, label: str = "PF-HART-01"):
    """A paper file taken out ten days ago, due back five days ago."""
    paper = paper_files.add_file(session, label, "Cabinet B, drawer 2", case_id)
    today = date.today()
    return paper_files.check_out(session, paper.id, today - timedelta(days=5), taken_to="Family meeting",
                                 today=today - timedelta(days=10))


def ready_request(session, parent):
    """A request from Dana about herself, identity confirmed: in review."""
    received = date.today() - timedelta(days=3)
    return sar.register(session, received, parent.id, "subject", identity_method="Passport seen at the office",
                        identity_received_on=received)
