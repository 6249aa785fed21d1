"""Documents travel through the hub like notes, in bounded pieces: no hub entry holds a whole
large document; they reach a laptop with its checked-out case (the bytes after the package,
a few per bundle) and leave at check-in; the same moment on two computers makes two documents."""

import io
import os
from datetime import date

import pytest

from app.domain.documents import CHUNK_BYTES
from app.services.casework import cases, people
from app.services.casework.people import PersonInput
from app.services.documents import documents as docs
from app.services.documents import letters
from app.services.documents.documents import DocumentInput
from app.services.team import sync
from app.services.team.laptop import checkout
from app.services.team.sync import sync_now
from tests.team.laptop_world import add_laptop, family_case, sync_all
from tests.team.replica import rows_of

TODAY = date(2026, 11, 25)
PIECE = 3 * CHUNK_BYTES // 2     # one chunk's bytes per bundle (they travel raw, docs/sync.md §3)


def _add(session, case_id, data: bytes, title="EP report"):
    return docs.add_document(session, DocumentInput(title, "report", TODAY, "EP service", "report.pdf",
                                                    case_id=case_id), io.BytesIO(data), today=TODAY)


def _big(size: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(size - 9)


def _bundle_sizes(hub, after: int) -> list[int]:
    return [len(e.payload) for e in hub.read_after(after) if e.kind == "bundle"]


def test_a_large_document_reaches_the_hub_in_bounded_pieces(make_team, monkeypatch):
    monkeypatch.setattr(sync, "PIECE_BYTES", PIECE)
    team = make_team(2)
    a, b = team.sessions
    case_id, _ = family_case(a, "Hartley")
    sync_all(team.hub, a, b)
    head = team.hub.head()
    data = _big(5 * CHUNK_BYTES + 1000)           # six chunks
    added = _add(a, case_id, data)
    # The outbox notes a new chunk's length, not its bytes (app/storage/capture.py, BULK).
    assert a.conn.execute("SELECT max(length(after_img)) FROM sync_outbox WHERE tbl = 'document_chunk'"
                          ).fetchone()[0] < 1000
    sync_now(a, team.hub)
    sizes = _bundle_sizes(team.hub, head)
    # Before pieces, this was one bundle holding the whole file.
    assert len(sizes) >= 5 and max(sizes) < PIECE, sizes
    # The bytes travel as themselves: not hex, and not swollen by compressing random data.
    assert sum(sizes) < len(data) * 1.05, (sum(sizes), len(data))
    sync_now(b, team.hub)
    got, held = docs.read_for_viewing(b, added.id)
    assert bytes(held) == data and got.sha256 == added.sha256
    assert rows_of(a) == rows_of(b)


def test_a_document_still_arriving_says_so(make_team, monkeypatch):
    monkeypatch.setattr(sync, "PIECE_BYTES", PIECE)
    team = make_team(2)
    a, b = team.sessions
    case_id, _ = family_case(a, "Hartley")
    sync_all(team.hub, a, b)
    added = _add(a, case_id, _big(3 * CHUNK_BYTES))
    head = team.hub.head()
    sync_now(a, team.hub)
    # b reads only the first pieces: the document row is there, not all its bytes.
    monkeypatch.setattr(team.hub, "read_after", _limited(team.hub.read_after, head + 1))
    sync.pull(b.conn, team.hub)
    assert docs.get_document(b, added.id).title == "EP report"
    with pytest.raises(Exception, match="still arriving"):
        docs.read_for_viewing(b, added.id)


def _limited(read_after, last: int):
    def read(after, limit=None):
        return [e for e in read_after(after, limit=limit) if e.seq <= last]
    return read


def test_added_on_two_computers_at_once_is_two_documents(make_team):
    team = make_team(2)
    a, b = team.sessions
    case_id, _ = family_case(a, "Hartley")
    sync_all(team.hub, a, b)
    first = _add(a, case_id, b"%PDF-1.4 from the office", "School letter")
    second = _add(b, case_id, b"%PDF-1.4 from the other office", "School letter")
    for s in (a, b, a):
        assert sync_now(s, team.hub).conflicts == 0
    for s in (a, b):
        assert {d.id for d in docs.documents_for_case(s, case_id)} == {first.id, second.id}
    assert bytes(docs.read_for_viewing(a, second.id)[1]) == b"%PDF-1.4 from the other office"
    assert rows_of(a) == rows_of(b)


def test_a_letter_and_a_document_added_on_two_computers_at_once_are_two_documents(make_team):
    team = make_team(2)
    a, b = team.sessions
    case_id, _ = family_case(a, "Hartley")
    sync_all(team.hub, a, b)
    draft = letters.draft_letter(a, case_id, "summary_of_advice", today=TODAY)
    text = (draft.text.replace("[the question]", "Whether the school must assess.")
            .replace("[the advice]", "It must.").replace("[the next steps, and who does them]", "None."))
    letter = letters.send_letter(a, draft, text, today=TODAY).document
    document = _add(b, case_id, b"%PDF-1.4 from the other office", "School letter")
    for s in (a, b, a):
        assert sync_now(s, team.hub).conflicts == 0
    for s in (a, b):
        assert {d.id for d in docs.documents_for_case(s, case_id)} == {letter.id, document.id}
        assert letters.letter_text(s, letter.id) == text
    assert bytes(docs.read_for_viewing(a, document.id)[1]) == b"%PDF-1.4 from the other office"
    assert bytes(docs.read_for_viewing(b, letter.id)[1]) == bytes(docs.read_for_viewing(a, letter.id)[1])
    assert rows_of(a) == rows_of(b)


def test_a_laptop_gets_its_cases_documents_in_pieces_and_gives_them_up_at_checkin(make_team, monkeypatch):
    monkeypatch.setattr(sync, "PIECE_BYTES", PIECE)
    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    case_id, ref = family_case(office, "Hartley")
    other_id, _ = family_case(office, "Lowther")
    data = _big(4 * CHUNK_BYTES + 77)
    added = _add(office, case_id, data)
    _add(office, other_id, b"%PDF-1.4 not for the laptop", "Other family's report")
    sync_all(team.hub, office, laptop)
    assert laptop.conn.execute("SELECT count(*) FROM document").fetchone()[0] == 0
    head = team.hub.head()
    checkout.request(laptop, [ref])
    sync_all(team.hub, laptop, office, laptop)
    sizes = _bundle_sizes(team.hub, head)
    assert max(sizes) < PIECE and len(sizes) >= 5, sizes
    assert bytes(docs.read_for_viewing(laptop, added.id)[1]) == data
    assert laptop.conn.execute("SELECT count(*) FROM document").fetchone()[0] == 1
    # A document added at the office while the case is out follows it to the laptop.
    later = _add(office, case_id, b"%PDF-1.4 a later letter", "Later letter")
    sync_all(team.hub, office, laptop)
    assert bytes(docs.read_for_viewing(laptop, later.id)[1]) == b"%PDF-1.4 a later letter"
    checkout.check_in(laptop, sync=lambda s: sync_all(team.hub, s, office, s))
    assert laptop.conn.execute("SELECT count(*) FROM document").fetchone()[0] == 0
    assert laptop.conn.execute("SELECT count(*) FROM document_chunk").fetchone()[0] == 0


def _on_person(session, person_id, data: bytes, title: str):
    return docs.add_document(session, DocumentInput(title, "report", TODAY, "School", "note.pdf",
                                                    person_id=person_id), io.BytesIO(data), today=TODAY)


def _laptop_documents(laptop) -> set[str]:
    return {r[0] for r in laptop.conn.execute("SELECT id FROM document")}


def test_documents_filed_on_a_person_go_with_their_case_and_leave_at_checkin(make_team, monkeypatch):
    # Failed before: a document filed on the person, not the case, stayed in the office.
    monkeypatch.setattr(sync, "PIECE_BYTES", PIECE)
    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    case_id, ref = family_case(office, "Hartley")
    case = cases.load_case(office, case_id)
    data = _big(2 * CHUNK_BYTES + 5)
    on_child = _on_person(office, case.child_id, data, "School report on Owen")
    on_parent = _on_person(office, case.client_id, b"%PDF-1.4 the parent's letter", "Parent's letter")
    other = cases.load_case(office, family_case(office, "Lowther")[0])
    elsewhere = _on_person(office, other.child_id, b"%PDF-1.4 another family", "Another family's report")
    sync_all(team.hub, office, laptop)
    checkout.request(laptop, [ref])
    sync_all(team.hub, laptop, office, laptop)
    assert _laptop_documents(laptop) == {on_child.id, on_parent.id}
    assert elsewhere.id not in _laptop_documents(laptop)
    assert [d.id for d in docs.documents_for_person(laptop, case.child_id)] == [on_child.id]
    assert bytes(docs.read_for_viewing(laptop, on_child.id)[1]) == data
    checkout.check_in(laptop, sync=lambda s: sync_all(team.hub, s, office, s))
    assert _laptop_documents(laptop) == set()
    assert laptop.conn.execute("SELECT count(*) FROM document_chunk").fetchone()[0] == 0


def test_a_document_on_a_young_person_with_an_own_case_not_checked_out_stays_in_the_office(make_team):
    # The firewall (docs/rules.md, R4): documents filed on a young person who has their own
    # case are that case's worker's; a laptop with only the parent's case must not get them.
    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    young = people.create_person(office, PersonInput(kind="child", first_name="Jade", last_name="Pryce",
                                                     date_of_birth="2009-01-10"))
    parent = people.create_person(office, PersonInput(kind="parent_carer", first_name="Rhian", last_name="Pryce"))
    people.link_relationship(office, parent.id, young.id, "mother", parental_responsibility=True)
    parents_case = cases.open_case(office, parent.id, young.id)
    cases.open_case(office, young.id, young.id)
    walled = _on_person(office, young.id, b"%PDF-1.4 Jade's own", "Jade's college letter")
    on_parent = _on_person(office, parent.id, b"%PDF-1.4 the parent's", "Parent's letter")
    sync_all(team.hub, office, laptop)
    checkout.request(laptop, [parents_case.reference])
    sync_all(team.hub, laptop, office, laptop)
    assert _laptop_documents(laptop) == {on_parent.id}
    assert walled.id not in _laptop_documents(laptop)


def test_a_document_filed_on_a_person_while_their_case_is_out_reaches_the_laptop_at_its_next_sync(
        make_team, monkeypatch):
    # Failed before: filed at the office after the check-out, it stayed there until the laptop
    # checked the case out again. The firewall still holds (docs/sync.md §14, "Filed on a person").
    monkeypatch.setattr(sync, "PIECE_BYTES", PIECE)
    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    case_id, ref = family_case(office, "Hartley")
    case = cases.load_case(office, case_id)
    young = people.create_person(office, PersonInput(kind="child", first_name="Jade", last_name="Pryce",
                                                     date_of_birth="2009-01-10"))
    parent = people.create_person(office, PersonInput(kind="parent_carer", first_name="Rhian", last_name="Pryce"))
    people.link_relationship(office, parent.id, young.id, "mother", parental_responsibility=True)
    parents_case = cases.open_case(office, parent.id, young.id)
    cases.open_case(office, young.id, young.id)
    other = cases.load_case(office, family_case(office, "Lowther")[0])
    sync_all(team.hub, office, laptop)
    checkout.request(laptop, [ref, parents_case.reference])
    sync_all(team.hub, laptop, office, laptop)
    assert _laptop_documents(laptop) == set()
    data = _big(3 * CHUNK_BYTES + 11)       # its bytes follow in several bundles
    on_child = _on_person(office, case.child_id, data, "School report on Owen")
    on_parent = _on_person(office, parent.id, b"%PDF-1.4 the parent's letter", "Parent's letter")
    walled = _on_person(office, young.id, b"%PDF-1.4 Jade's own", "Jade's college letter")
    elsewhere = _on_person(office, other.child_id, b"%PDF-1.4 another family", "Another family's report")
    sync_all(team.hub, office, laptop)
    assert _laptop_documents(laptop) == {on_child.id, on_parent.id}
    assert {walled.id, elsewhere.id}.isdisjoint(_laptop_documents(laptop))
    assert laptop.conn.execute("SELECT count(*) FROM document_chunk WHERE document_id IN (?, ?)",
                               (walled.id, elsewhere.id)).fetchone()[0] == 0
    assert bytes(docs.read_for_viewing(laptop, on_child.id)[1]) == data
    assert [d.id for d in docs.documents_for_person(laptop, parent.id)] == [on_parent.id]
    # Later changes to it follow as to any row the laptop holds.
    docs.remove_document(office, on_parent.id)
    sync_all(team.hub, office, laptop)
    assert laptop.conn.execute("SELECT deleted_at FROM document WHERE id = ?", (on_parent.id,)).fetchone()[0]
    checkout.check_in(laptop, sync=lambda s: sync_all(team.hub, s, office, s))
    assert _laptop_documents(laptop) == set()
    assert laptop.conn.execute("SELECT count(*) FROM document_chunk").fetchone()[0] == 0
