"""The SAR's "Who has looked at your record" (R13, R17): found on the documents walk, it listed
only the views made on the computer building the pack. A colleague's computer and the laptop
that had the case out had opened it too, and reading the family's documents counted nowhere."""

import io
import json

from app.services.documents import documents as docs
from app.services.documents.documents import DocumentInput
from app.services.sar import gather
from app.services.sar import register as sar
from tests.unit.consent_helpers import TODAY, family_case
from tests.unit.document_helpers import pdf_with_plain_text


def _log(session, request) -> str:
    item = next(i for i in gather.gather(session, request.id) if i.key == "access:log")
    return item.field("log").text


def test_views_on_other_computers_and_of_documents_are_in_the_record_of_access(session):
    fam = family_case(session)
    report = docs.add_document(session, DocumentInput("EP report", "report", TODAY, "EP service", "ep.pdf",
                                                      case_id=fam.case.id),
                               io.BytesIO(pdf_with_plain_text("Findings")), today=TODAY)
    session.audit("view_case", "case", fam.case.id)
    docs.read_for_viewing(session, report.id)
    # A colleague's computer opened the case; its audit trail arrived with its bundles
    # (app/services/team/audit_chain.py keeps other computers' events here).
    event = {"action": "view_case", "actor": "colleague", "at": "2026-11-26T09:15:00+00:00", "detail": "{}",
             "hash": "h", "id": "remote-1", "object_id": fam.case.id, "object_type": "case", "prev_hash": "p"}
    session.conn.execute("INSERT INTO sync_remote_audit (device_id, seq, event, hash, hub_seq) VALUES (?, ?, ?, ?, ?)",
                         ("other-device", 1, json.dumps(event), "h", 1))
    request = sar.register(session, "2026-11-02", fam.parent.id, "subject", identity_method="Passport seen",
                           identity_received_on="2026-11-02", today=TODAY)
    log = _log(session, request)
    assert "26/11/2026 09:15 UTC: colleague opened a case file" in log
    assert "opened a document" in log
    assert log.count("opened a case file") == 2


def test_a_consent_item_is_titled_with_whom_it_is_for(session):
    """Found on the walk: two items both read "09/11/2026 · Share information with", the
    professional named only inside each."""
    from tests.unit.consent_helpers import share_with, signed

    fam = family_case(session)
    signed(session, fam, share_with(fam.senco), share_with(fam.ep))
    request = sar.register(session, "2026-11-02", fam.parent.id, "subject", identity_method="Passport seen",
                           identity_received_on="2026-11-02", today=TODAY)
    titles = sorted(i.title for i in gather.gather(session, request.id) if i.kind == "consent")
    assert titles == ["Share information with Priya Okafor (SENCo, Hillside Primary School)",
                      "Share information with Sam Patel (Educational Psychologist, "
                      "Northshire Educational Psychology Service)"]
