"""Erase everywhere (docs/lifecycle.md): a case erased on the manager's computer goes from
the other office computer and the laptop it is checked out to at their next sync; each
compacts its file; the hub's history is rewritten (a new snapshot, the entries that carried
the case compacted away) on a folder hub and on PostgreSQL. Then every computer's database
and WAL, and everything the hub holds decrypted with the team's keys, is scanned for the
canary: absent. The manager sees which computers have not yet carried the erasure out."""

import io
from datetime import date

import pytest

from app.services.casework import cases, notes, people
from app.services.documents import documents, letters
from app.services.lifecycle import erase
from app.services.team import compaction, snapshot
from app.services.team import team as team_service
from app.services.team.laptop import checkout
from app.services.team.sync import sync_now
from app.storage.hub.folder import FolderHub
from app.storage.hub.location import open_hub
from app.storage.hub.postgres import PostgresHub
from tests.lifecycle import hub_scan
from tests.lifecycle.support import CANARY, file_holds
from tests.team.conftest import new_vault
from tests.team.laptop_world import family_case
from tests.team.replica import rows_of
from tests.unit.document_helpers import pdf_with_plain_text

TEAM = "0190a0b0-0000-7000-8000-00000000e7a5"
SURNAME = "Canarywood"
DOC_CANARY = "Docanary-Pellucid-4471"       # in a document's content only
LETTER_CANARY = "Letcanary-Brindle-9902"    # in a letter's text only
CANARIES = (CANARY.encode(), DOC_CANARY.encode(), LETTER_CANARY.encode())


@pytest.fixture(params=["folder", "postgres"])
def hubs(request, tmp_path):
    """(the hub the computers use, the hub as its administrator opens it, owner conninfo)"""
    if request.param == "folder":
        hub = FolderHub(tmp_path / "hub", TEAM, create=True)
        yield hub, hub, None
        return
    server = request.getfixturevalue("postgres_server")
    names = server.new_hub_database()
    device = PostgresHub(names["conninfo"], TEAM, create=True)
    owner = server.admin_conninfo(names["dbname"])
    admin = PostgresHub(owner, TEAM)
    yield device, admin, owner
    device.close()
    admin.close()


@pytest.fixture
def hub_factory(hubs):
    return lambda: hubs[0]


def _add_laptop(team):
    """A laptop with its own hub login (on PostgreSQL every computer has its own)."""
    session = new_vault(team.template_root, team.root / "laptop")
    invitation = team_service.invite_device(team.sessions[0], team.hub, "Laptop 1")
    own = open_hub(invitation["hub_login"], TEAM) if invitation.get("hub_login") else team.hub
    team_service.join_team(session, own, {**invitation, "kind": "laptop"})
    team.sessions.append(session)
    team.hubs.append(own)
    return session, own


def _sync(hub, session) -> None:
    """What membership.sync does after pulling: carry out an erasure applied here and say so."""
    sync_now(session, hub)
    if erase.carry_out(session):
        sync_now(session, hub)


def _sync_all(own, *sessions) -> None:
    for s in sessions:
        sync_now(s, own[id(s)])


def _document_and_letter(session, case_id: str) -> None:
    """A document whose content carries one canary, a letter whose text carries another."""
    data = pdf_with_plain_text(f"Report {DOC_CANARY}")
    documents.add_document(session, documents.DocumentInput("School report", "report", "2026-01-07", "School",
                                                            "report.pdf", case_id=case_id), io.BytesIO(data))
    draft = letters.draft_letter(session, case_id, "summary_of_advice", today=date(2026, 1, 8))
    text = (draft.text.replace("[the question]", f"Whether {LETTER_CANARY} applies.")
            .replace("[the advice]", "It does.").replace("[the next steps, and who does them]", "None."))
    letters.send_letter(session, draft, text, today=date(2026, 1, 8))


def _set_aside_on_the_hub(hub, admin, office) -> None:
    """What `hub repair` and a crash leave beside the log, for every entry that carries a
    canary: the entry set aside as replaced (folder damaged/, PostgreSQL entries_replaced)
    and, on a folder, a torn claim holding its start."""
    set_aside = 0
    for entry in list(hub.read_after(0)):
        if entry.kind != "bundle" or not any(
                _carries(p, n) for p in hub_scan.payload_opened(entry.payload, office.conn) for n in CANARIES):
            continue
        set_aside += 1
        admin.restore_entry(entry.seq, entry.device_id, entry.kind, entry.payload, replace=True)
        root = getattr(hub, "root", None)
        if root is not None:
            whole = (root / "entries" / f"{entry.seq:012d}.entry").read_bytes()
            (root / "torn" / f"{entry.seq:012d}.entry.torn").write_bytes(whole[:len(whole) * 3 // 4])
    assert set_aside


def _carries(blob: bytes, needle: bytes) -> bool:
    """As typed, or as a bundle writes a document's bytes (hex, docs/sync.md §3)."""
    return any(n in blob for n in (needle, needle.hex().encode(), needle.hex().upper().encode()))


def _holds(session, needle: bytes) -> list[str]:
    return file_holds(session.paths.data_dir, session.data_key, needle)


@pytest.mark.slow
def test_an_erased_case_leaves_no_trace_on_any_computer_or_the_hub(make_team, hubs):
    hub, admin, owner = hubs
    team = make_team(2)
    office, annexe = team.sessions
    laptop, laptop_hub = _add_laptop(team)
    own = {id(office): team.hubs[0], id(annexe): team.hubs[1], id(laptop): laptop_hub}
    case_id, ref = family_case(office, SURNAME, canary=CANARY)
    kept_id, _ = family_case(office, "Staywell")
    _document_and_letter(office, case_id)
    _sync_all(own, office, annexe, laptop)
    _set_aside_on_the_hub(hub, admin, office)
    checkout.request(laptop, [ref])
    _sync_all(own, laptop, office, laptop)
    assert laptop.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (case_id,)).fetchone()[0] == 1
    cases.close_case(office, case_id, "resolved", ["better_informed"])
    _sync_all(own, office, annexe, laptop)
    snapshot.put_snapshot(office.conn, hub)         # an older snapshot that holds the case
    computers = {"office": office, "annexe": annexe, "laptop": laptop}
    for s in computers.values():
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        for needle in CANARIES:
            assert _holds(s, needle), f"the scan must see {needle!r} before the erasure"
    for needle in CANARIES:
        assert any(_carries(p, needle) for p in hub_scan.plaintexts(hub, office.conn)), needle
        assert any(_carries(p, needle) for p in hub_scan.set_aside_plaintexts(hub, office.conn, owner)), needle
    assert office.conn.execute("SELECT count(*) FROM search_key WHERE kind = 'document'").fetchone()[0] >= 2

    done = erase.erase(office, "case", [case_id], "Past the retention schedule")
    sync_now(office, own[id(office)])
    waiting = erase.not_yet_carried_out(office)
    assert [w.erasure_id for w in waiting] == [done.erasure_id]
    assert set(waiting[0].computers) == {"computer2", "Laptop 1"}

    _sync(own[id(annexe)], annexe)
    _sync(own[id(laptop)], laptop)
    sync_now(office, own[id(office)])
    assert erase.not_yet_carried_out(office) == []

    # The hub's history rewritten: a new snapshot, then everything before it compacted.
    upto = snapshot.put_snapshot(office.conn, hub)
    plan = compaction.compact(admin, force=True)
    assert plan.upto == upto
    for s in computers.values():
        _sync(own[id(s)], s)

    for name, s in computers.items():
        assert s.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (case_id,)).fetchone()[0] == 0, name
        assert s.conn.execute("SELECT count(*) FROM document WHERE case_id = ?", (case_id,)).fetchone()[0] == 0
        assert s.conn.execute("SELECT count(*) FROM sync_piece_queue").fetchone()[0] == 0, name
        for needle in (*CANARIES, SURNAME.encode()):
            assert _holds(s, needle) == [], (name, needle)
    assert office.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (kept_id,)).fetchone()[0] == 1
    assert rows_of(office) == rows_of(annexe)
    assert hub_scan.snapshots_held(hub) == 1
    for blob in (hub_scan.plaintexts(hub, office.conn) + hub_scan.set_aside_plaintexts(hub, office.conn, owner)
                 + hub_scan.raw_bytes(hub, owner)):
        for needle in (*CANARIES, SURNAME.encode()):
            assert not _carries(blob, needle), needle


def test_an_erasure_wins_over_what_another_computer_typed_on_the_case_meanwhile(make_team):
    team = make_team(2)
    office, annexe = team.sessions
    case_id, _ = family_case(office, SURNAME, canary="first")
    cases.close_case(office, case_id, "resolved", ["better_informed"])
    sync_now(office, team.hubs[0])
    sync_now(annexe, team.hubs[1])
    # Offline, the annexe edits the parent and adds a note to the case; the office erases it.
    annexe_note = notes.add_note(annexe, case_id, "phone_call", date(2026, 2, 1), 5, f"Late {CANARY}")
    parent = annexe.conn.execute("SELECT client_id FROM casefile WHERE id = ?", (case_id,)).fetchone()[0]
    person = people.get_person(annexe, parent)
    data = people.as_input(person)
    data.address = "1 Offline Lane"
    people.update_person(annexe, parent, data)
    erase.erase(office, "case", [case_id], "Past the retention schedule")
    sync_now(office, team.hubs[0])
    result = sync_now(annexe, team.hubs[1])
    assert result.conflicts == 0 and not result.blocked
    for s in (office, annexe):
        assert s.conn.execute("SELECT count(*) FROM note WHERE id = ?", (annexe_note.id,)).fetchone()[0] == 0
        assert s.conn.execute("SELECT count(*) FROM person WHERE id = ?", (parent,)).fetchone()[0] == 0
    assert annexe.conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0] == 0
    assert annexe.conn.execute("SELECT count(*) FROM sync_conflict").fetchone()[0] == 0
    sync_now(office, team.hubs[0])
    assert rows_of(office) == rows_of(annexe)
