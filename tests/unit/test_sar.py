"""Subject access requests: register and deadline, gathering (firewall, restrictions, mentions),
redaction, and the encrypted pack."""

import io
import zlib
from datetime import date

import pytest
from pypdf import PdfReader

from app.errors import PermissionDenied, ValidationError
from app.services.casework import cases, notes, people, safeguarding
from app.services.casework.people import PersonInput
from app.services.sar import pack as sar_pack
from app.services.sar import register as sar
from app.services.sar import review as sar_review
from tests.unit.casework_helpers import add_worker, child, family

TODAY = date(2026, 11, 25)
SECRET = "Quentin Marchbanks"  # another family's parent, named in a note


def _setup(session):
    parent, kid = family(session)
    other = people.create_person(session, PersonInput(kind="parent_carer", first_name="Quentin",
                                                      last_name="Marchbanks"))
    case = cases.open_case(session, parent.id, kid.id, opened_on=date(2026, 9, 1))
    notes.add_note(session, case.id, "meeting", date(2026, 9, 10), 60,
                   f"Dana met the SENCo. {SECRET} was also at the coffee morning and shared his own story.")
    notes.add_note(session, case.id, "phone_call", date(2026, 9, 12), 15, "Explained the annual review timetable.")
    return parent, kid, other, case


def _complete(session, request):
    return sar_review.complete_review(session, request.id)


def _request(session, parent, received="2026-11-02"):
    return sar.register(session, received, parent.id, "subject", identity_method="Passport seen at the office",
                        identity_received_on=received, today=TODAY)


def test_register_sets_reference_status_and_deadline(session):
    parent, kid, _, _ = _setup(session)
    waiting = sar.register(session, "2026-11-02", parent.id, "subject", today=TODAY)
    assert waiting.reference == "SAR-2026-0001" and waiting.status == "awaiting_id"
    assert waiting.due_on is None and waiting.timeliness(TODAY) == "waiting"
    ready = sar.confirm_identity(session, waiting.id, "Driving licence copy", "2026-11-05", today=TODAY)
    assert ready.status == "in_review" and ready.due_on == "2026-12-07"  # 5 Dec is a Saturday
    extended = sar.extend(session, ready.id, 2, "Over 2,000 notes to review", today=TODAY)
    assert extended.status == "extended" and extended.due_on == "2027-02-05"


def test_parent_request_needs_parental_responsibility_and_representative_needs_authority(session):
    kid = child(session)
    gran = people.create_person(session, PersonInput(kind="family_member", first_name="Maureen", last_name="Hartley"))
    people.link_relationship(session, gran.id, kid.id, "grandparent", False)
    with pytest.raises(ValidationError, match="parental responsibility"):
        sar.register(session, "2026-11-02", kid.id, "parent", requester_id=gran.id, today=TODAY)
    with pytest.raises(ValidationError, match="written authority"):
        sar.register(session, "2026-11-02", kid.id, "representative", requester_name="A. Solicitor", today=TODAY)
    with pytest.raises(ValidationError, match="future"):
        sar.register(session, "2026-12-02", kid.id, "subject", today=TODAY)


def test_no_pack_before_identity_is_confirmed(session, tmp_path):
    parent, *_ = _setup(session)
    waiting = sar.register(session, "2026-11-02", parent.id, "subject", today=TODAY)
    with pytest.raises(ValidationError, match="identity has not been confirmed"):
        sar_pack.generate_pack(session, waiting.id, tmp_path / "p.pdf", password="open-sesame-2026")
    assert not (tmp_path / "p.pdf").exists()


def test_only_managers_handle_requests(session, data_dir):
    parent, *_ = _setup(session)
    worker = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied):
        sar.register(worker, "2026-11-02", parent.id, "subject", today=TODAY)
    worker.lock()


def test_gather_honours_the_firewall_and_offers_mentions(session):
    parent, kid, other, case = _setup(session)
    own = cases.open_case(session, kid.id, kid.id, opened_on=date(2026, 10, 1))
    notes.add_note(session, own.id, "phone_call", date(2026, 10, 2), 10, "Ellie asked us not to tell her mum.")
    other_kid = child(session, "Toby", "Marchbanks")
    people.link_relationship(session, other.id, other_kid.id, "father", True)
    other_case = cases.open_case(session, other.id, other_kid.id)
    notes.add_note(session, other_case.id, "meeting", date(2026, 10, 5), 30, "Met Dana Hartley at the group.")
    safeguarding.raise_concern(session, case.id, date(2026, 9, 20), "Concern noted.", today=TODAY)

    parents_request = sar.register(session, "2026-11-02", kid.id, "parent", requester_id=parent.id,
                                   identity_method="Known to us", identity_received_on="2026-11-02", today=TODAY)
    review = sar_review.load_review(session, parents_request.id)
    keys = {i.key for i in review.items}
    assert f"case:{own.id}" not in keys  # R4: the young person has not agreed
    assert f"case:{case.id}" in keys
    sar.record_young_person_agreement(session, parents_request.id, True)
    assert f"case:{own.id}" in {i.key for i in sar_review.load_review(session, parents_request.id).items}

    parent_request = _request(session, parent)
    review = sar_review.load_review(session, parent_request.id)
    mention = next(i for i in review.items if i.section == "mentions")
    assert not mention.included and mention.needs_decision
    concern = next(i for i in review.items if i.kind == "safeguarding")
    assert not concern.included and concern.needs_decision
    assert any(i.kind == "access" for i in review.items)
    assert any(s.text == SECRET for s in review.suggestions)


def test_redacted_text_is_nowhere_in_the_pack(session, tmp_path):
    parent, kid, other, case = _setup(session)
    request = _request(session, parent)
    review = sar_review.load_review(session, request.id)
    assert sar_review.accept_suggestions(session, request.id, review) >= 1
    _complete(session, request)
    out = tmp_path / "pack.pdf"
    result = sar_pack.generate_pack(session, request.id, out, password="open-sesame-2026", today=TODAY)
    raw = out.read_bytes()
    reader = PdfReader(io.BytesIO(raw))
    assert reader.is_encrypted
    assert reader.trailer["/Encrypt"]["/V"] == 5 and reader.trailer["/Encrypt"]["/R"] == 6
    assert reader.decrypt("wrong password") == 0
    assert reader.decrypt("open-sesame-2026") != 0
    pages = [p.extract_text() for p in reader.pages]
    whole = "\n".join(pages)
    assert "Redacted: third-party information" in whole
    assert "Quentin" not in whole and "Marchbanks" not in whole
    assert b"Marchbanks" not in raw
    for page in reader.pages:  # and not in any decrypted content stream either
        data = page.get_contents().get_data()
        assert b"Marchbanks" not in data and b"Marchbanks" not in zlib.compress(data)
    assert all(f"Page {n} of {len(pages)}" in text for n, text in enumerate(pages, start=1))
    assert all(request.reference in text for text in pages)
    assert "Information Commissioner" in whole and "rectification" in whole
    assert result.items >= 3 and result.redactions >= 1
    row = session.conn.execute("SELECT sha256 FROM sar_disclosure WHERE sar_id = ?", (request.id,)).fetchone()
    import hashlib

    assert row[0] == hashlib.sha256(raw).hexdigest() == result.sha256


def test_pack_refused_until_every_sensitive_item_is_decided(session, tmp_path):
    parent, kid, other, case = _setup(session)
    safeguarding.raise_concern(session, case.id, date(2026, 9, 20), "Concern noted.", today=TODAY)
    request = _request(session, parent)
    with pytest.raises(ValidationError, match="1 item needs a decision"):
        sar_pack.generate_pack(session, request.id, tmp_path / "p.pdf", password="open-sesame-2026")
    assert not (tmp_path / "p.pdf").exists()
    concern = next(i for i in sar_review.load_review(session, request.id).items if i.kind == "safeguarding")
    sar_review.decide(session, request.id, concern.key, False, "Serious-harm exemption")
    _complete(session, request)
    sar_pack.generate_pack(session, request.id, tmp_path / "p.pdf", password="open-sesame-2026")


def test_a_changed_record_invalidates_its_redaction(session, tmp_path):
    parent, kid, other, case = _setup(session)
    request = _request(session, parent)
    review = sar_review.load_review(session, request.id)
    sar_review.accept_suggestions(session, request.id, review)
    _complete(session, request)
    note = next(n for n in notes.notes_for_case(session, case.id) if SECRET in n.body)
    notes.edit_note(session, note.id, "meeting", note.occurred_on, 60, "Added a word. " + note.body)
    with pytest.raises(ValidationError, match="no longer matches"):
        sar_pack.generate_pack(session, request.id, tmp_path / "p.pdf", password="open-sesame-2026")


def test_redaction_input_is_checked(session):
    parent, *_ = _setup(session)
    request = _request(session, parent)
    item = next(i for i in sar_review.load_review(session, request.id).items if i.kind == "note")
    with pytest.raises(ValidationError, match="Select some text"):
        sar_review.redact(session, request.id, item, "body", 5, 5, "third_party")
    with pytest.raises(ValidationError, match="which exemption"):
        sar_review.redact(session, request.id, item, "body", 0, 4, "other")


def test_regenerate_gives_the_same_content(session, tmp_path):
    parent, kid, other, case = _setup(session)
    request = _request(session, parent)
    _complete(session, request)
    first = sar_pack.generate_pack(session, request.id, tmp_path / "a.pdf", password="open-sesame-2026")
    notes.add_note(session, case.id, "phone_call", date(2026, 11, 20), 5, "A later note, not in the pack.")
    again = sar_pack.regenerate_pack(session, first.disclosure_id, tmp_path / "b.pdf", password="open-sesame-2026")

    def words(path):
        reader = PdfReader(path)
        reader.decrypt("open-sesame-2026")
        return [p.extract_text() for p in reader.pages]

    assert words(tmp_path / "a.pdf") == words(tmp_path / "b.pdf")
    assert "A later note" not in "".join(words(tmp_path / "b.pdf"))
    assert again.sha256 != first.sha256  # new encryption, same words


def test_cancel_leaves_no_file_and_no_record(session, tmp_path):
    parent, *_ = _setup(session)
    request = _request(session, parent)
    _complete(session, request)
    with pytest.raises(sar_pack.Cancelled):
        sar_pack.generate_pack(session, request.id, tmp_path / "c.pdf", password="open-sesame-2026",
                               cancelled=lambda: True)
    assert not (tmp_path / "c.pdf").exists()
    assert sar_pack.disclosures(session, request.id) == []


def test_mark_sent_and_dashboard(session, tmp_path):
    parent, *_ = _setup(session)
    request = _request(session, parent, received="2026-10-28")
    with pytest.raises(ValidationError, match="Generate the response pack"):
        sar.mark_sent(session, request.id, "2026-11-20", "Secure email", today=TODAY)
    section = sar.dashboard_section(session, TODAY)
    assert [i.target_id for i in section.items] == [request.id] and section.items[0].severity == "due_soon"
    _complete(session, request)
    sar_pack.generate_pack(session, request.id, tmp_path / "p.pdf", password="open-sesame-2026")
    sent = sar.mark_sent(session, request.id, "2026-11-20", "Secure email", today=TODAY)
    assert sent.status == "sent" and sent.timeliness(TODAY) == "sent_on_time"
    assert sar_pack.disclosures(session, request.id)[0].sent_method == "Secure email"
    assert sar.dashboard_section(session, TODAY).items == []
