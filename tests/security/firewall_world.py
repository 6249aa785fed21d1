"""The issue's scenario: a parent with parental responsibility and their 17-year-old each come
to the service. The young person has their own case, worked by another caseworker, and has
not agreed to share. Every record of the young person's case carries a canary word that must
never reach the parent's caseworker, a volunteer, or the parent's subject access pack."""

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

from app.services.casework import actions, enquiries, notes, paper_files, people, safeguarding
from app.services.casework.enquiries import EnquiryInput
from app.services.consent import disclosures
from app.services.consent import records as consent_service
from app.services.consent.disclosures import DisclosureInput
from app.services.documents import documents, letters
from app.services.documents.documents import DocumentInput
from tests.unit.casework_helpers import add_worker, adult, child
from tests.unit.consent_helpers import professional

TODAY = date(2026, 11, 25)

# One made-up word per kind of record, so a leak names its source.
CANARIES = {
    "enquiry": "frobnitzal",
    "note": "quenderby",
    "action": "mirtlepox",
    "consent": "sklundrith",
    "disclosure": "varbleton",
    "safeguarding": "grizzmark",
    "incident": "plonkwhistle",
    "paper_file": "wobbleshanks",
    "document": "drizzlequop",
    "letter": "snorkelwade",
    "counterparty": "Quillfeather",  # the named professional in the young person's consent
}
PARENT_NOTE = "tambourelle"  # in the parent's own case: must reach the parent's own pack


@dataclass
class FirewallWorld:
    manager: object
    yp_worker: object  # works the young person's own case
    parent_worker: object  # works the parent's case
    volunteer: object
    parent: object
    yp: object
    nurse: object
    own_case: object
    parent_case: object
    yp_enquiry: object
    note: object
    action: object
    consent: object
    disclosure: object
    concern: object
    incident: object
    paper: object
    document: object = None     # in the young person's own case
    letter: object = None       # written in it, to the nurse
    person_document: object = None   # filed on the young person themself

    def firewalled_ids(self) -> dict[str, str]:
        return {"case": self.own_case.id, "enquiry": self.yp_enquiry.id, "note": self.note.id,
                "action": self.action.id, "consent": self.consent.id, "disclosure": self.disclosure.id,
                "safeguarding": self.concern.id, "incident": self.incident.id, "paper_file": self.paper.id,
                "document": self.document.id, "letter": self.letter.id,
                "person_document": self.person_document.id}


def build(manager, data_dir) -> FirewallWorld:
    yp_worker = add_worker(manager, data_dir, "casey")
    parent_worker = add_worker(manager, data_dir, "cara")
    volunteer = add_worker(manager, data_dir, "vera", role="volunteer")
    yp = child(manager, "Ellie", "Hartley", born="2009-05-01")  # 17
    parent = adult(manager)  # Dana Hartley
    people.link_relationship(manager, parent.id, yp.id, "mother", True)
    nurse = professional(manager, "Zephyrine", CANARIES["counterparty"], "Sexual health nurse",
                         "Northshire Sexual Health Clinic")
    c = CANARIES
    first = enquiries.record_enquiry(yp_worker, EnquiryInput(
        channel="phone", caller_role="young_person", caller_id=yp.id, child_id=yp.id, enquiry_type="casework",
        topics=["ehc_needs_assessment"], summary=f"Ellie rang about {c['enquiry']} and asked us not to tell her mum.",
        worker="casey", received_at=datetime(2026, 9, 1, 10, 0, tzinfo=UTC)))
    own = first.case
    note = notes.add_note(yp_worker, own.id, "phone_call", date(2026, 10, 2), 10,
                          f"Ellie talked about {c['note']}. Dana Hartley must not be told.")
    action = actions.add_action(yp_worker, own.id, f"Book the {c['action']} appointment", date(2026, 10, 20))
    given = consent_service.record_consent(yp_worker, own.id, yp.id, "share_with", "verbal_phone",
                                           counterparty_person_id=nurse.id, purpose=f"About {c['consent']}",
                                           today=TODAY)
    shared = disclosures.record_disclosure(yp_worker, DisclosureInput(
        own.id, f"Shared the {c['disclosure']} letter", counterparty_person_id=nurse.id, disclosed_on=TODAY),
        today=TODAY)
    concern = safeguarding.raise_concern(yp_worker, own.id, date(2026, 10, 3), f"Worry about {c['safeguarding']}.",
                                         today=TODAY)
    incident = safeguarding.record_incident(yp_worker, yp.id, date(2026, 10, 4), f"Upset about {c['incident']}.",
                                            case_id=own.id, marker_note=None, today=TODAY)
    paper = paper_files.add_file(yp_worker, f"Ellie {c['paper_file']}", "Cabinet C", own.id)
    second = enquiries.record_enquiry(parent_worker, EnquiryInput(
        channel="phone", caller_role="parent_carer", caller_id=parent.id, child_id=yp.id, enquiry_type="casework",
        topics=["ehc_needs_assessment"], summary="Dana asked about the annual review.", worker="cara",
        received_at=datetime(2026, 9, 2, 10, 0, tzinfo=UTC)))
    notes.add_note(parent_worker, second.case.id, "phone_call", date(2026, 10, 5), 10,
                   f"Dana asked about the {PARENT_NOTE} timetable.")
    document = documents.add_document(yp_worker, DocumentInput(
        f"Clinic letter about {c['document']}", "letter_received", TODAY, "The clinic", "clinic.pdf", case_id=own.id),
        io.BytesIO(b"%PDF-1.4 clinic letter"), today=TODAY)
    person_document = documents.add_document(yp_worker, DocumentInput(
        f"Ellie's own {c['document']} notes", "evidence", TODAY, "Ellie", "notes.txt", person_id=yp.id),
        io.BytesIO(b"notes"), today=TODAY)
    draft = letters.draft_letter(yp_worker, own.id, "letter_to_professional", nurse.id, today=TODAY)
    letter = letters.send_letter(yp_worker, draft, f"Dear nurse, about {c['letter']}.", today=TODAY).document
    return FirewallWorld(manager, yp_worker, parent_worker, volunteer, parent, yp, nurse, own, second.case,
                         first.enquiry, note, action, given, shared, concern, incident, paper, document, letter,
                         person_document)
