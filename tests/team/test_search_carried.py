"""A snapshot carries the writer's search index (docs/sync.md §10, search_carry): a computer
that joins finds notes by search at once, with no index left to build; the index it copied is
sound (FTS5's own integrity-check) and equals a full rebuild from its rows; an index that
does not match the rows it came with (an entry naming another case, the firewall's question)
is not taken but built; and no word of a note changed before the snapshot travels in it."""

from app.security import crypto
from app.services.casework import notes, search
from app.services.team import search_build, search_carry, snapshot, snapshot_file, state
from app.services.team.sync import sync_now
from app.storage.db import transaction
from tests.team.replica import seed_case
from tests.team.test_sync_search import _search_entries


def _note(session, case_id: str, text: str, day: int):
    return notes.add_note(session, case_id, "phone_call", f"2026-01-{day:02d}", 10, text)


def _integrity_checked(conn) -> list[str]:
    tables = list(search_carry.fts_tables(conn))
    for table in tables:
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")
    return tables


def test_a_joined_computer_finds_a_note_by_search_at_once_with_no_index_to_build(make_team):
    team = make_team(1)
    a = team.sessions[0]
    case_id = seed_case(a)
    written = [_note(a, case_id, f"Spoke about the transport appeal number {n}", n + 1) for n in range(5)]
    notes.edit_note(a, written[0].id, "phone_call", "2026-01-01", 10, "Spoke about the tribunal bundle")
    sync_now(a, team.hub)
    snapshot.put_snapshot(a.conn, team.hub)

    b = team.add("computer2")
    assert search_build.status(b) is None                    # nothing left to build
    assert {h.ref_id for h in search.search(b, "transport")} == {n.id for n in written[1:]}
    assert [h.ref_id for h in search.search(b, "tribunal")] == [written[0].id]
    assert {h.kind for h in search.search(b, "Hartley")} == {"person", "case"}
    assert set(_integrity_checked(b.conn)) >= {"search_index", "note_search"}
    # The same entries, under the same keys, as the writer's, and as a rebuild from b's rows.
    keys = "SELECT id, kind, ref_id FROM search_key ORDER BY id"
    assert b.conn.execute(keys).fetchall() == a.conn.execute(keys).fetchall()
    carried = _search_entries(b.conn)
    with transaction(b.conn):
        snapshot.index_everything(b.conn)
    assert carried == _search_entries(b.conn)
    # And it goes on being kept: a note synced after the join is found too.
    later = _note(a, case_id, "Newest note about the tribunal hearing", 20)
    sync_now(a, team.hub)
    sync_now(b, team.hub)
    assert {h.ref_id for h in search.search(b, "tribunal")} == {written[0].id, later.id}
    _integrity_checked(b.conn)


def test_an_index_still_being_built_is_not_carried_and_the_joiner_builds_its_own(make_team):
    team = make_team(1)
    a = team.sessions[0]
    case_id = seed_case(a)
    _note(a, case_id, "Spoke about the transport appeal", 3)
    sync_now(a, team.hub)
    with transaction(a.conn):
        search_build.start(a.conn)                             # as after a's own join
    snapshot.put_snapshot(a.conn, team.hub)

    b = team.add("computer2")
    assert search_build.status(b) is not None and search.search(b, "transport") == []
    search_build.build_rest(b)
    assert len(search.search(b, "transport")) == 1
    _integrity_checked(b.conn)


def test_a_carried_entry_that_names_another_case_is_not_taken(make_team):
    """Search decides who may see a note from its entry's case (the firewall, R4): a snapshot
    whose index files a note under another case (a signing computer's bug or its insider) must
    not be copied as it is. The joiner builds its index from its own rows instead."""
    team = make_team(1)
    a = team.sessions[0]
    case_id = seed_case(a)
    other_case = seed_case(a)
    walled = _note(a, case_id, "Zebracorn worries about college, not to be told", 4)
    sync_now(a, team.hub)
    key = a.conn.execute("SELECT id FROM search_key WHERE ref_id = ?", (walled.id,)).fetchone()[0]
    with transaction(a.conn):
        a.conn.execute("UPDATE note_search_content SET c2 = ? WHERE id = ?", (other_case, key))
    snapshot.put_snapshot(a.conn, team.hub)

    b = team.add("computer2")
    search_build.build_rest(b)
    assert [h.case_id for h in search.search(b, "zebracorn")] == [case_id]
    assert b.conn.execute("SELECT c2 FROM note_search_content WHERE id = "
                          "(SELECT id FROM search_key WHERE ref_id = ?)", (walled.id,)).fetchone()[0] == case_id
    _integrity_checked(b.conn)


def test_the_snapshot_carries_no_word_of_a_note_as_it_was_before_an_edit(make_team):
    """FTS5 keeps an edited note's old words in an older segment until segments merge; the
    snapshot's copy is merged ('optimize'), so the old wording (an erased or corrected
    detail) does not travel to the hub and every joiner."""
    team = make_team(1)
    a = team.sessions[0]
    case_id = seed_case(a)
    note = _note(a, case_id, "Mentioned the qvxjwkmzt allegation by mistake", 5)
    notes.edit_note(a, note.id, "phone_call", "2026-01-05", 10, "Mentioned the allegation")
    sync_now(a, team.hub)
    word = b"vxjwkmzt"
    assert any(word in bytes(r[0]) for r in a.conn.execute("SELECT block FROM note_search_data"))
    snapshot.put_snapshot(a.conn, team.hub)

    p = snapshot.read(team.hub.latest_snapshot().payload)
    _, team_key = state.current_epoch(a.conn)
    with snapshot_file.Attached(a.conn, p.file, crypto.open_sealed(team_key, p.nonce, p.sealed_key, p.header_bytes)):
        blocks = [bytes(r[0]) for r in a.conn.execute("SELECT block FROM snap.note_search_data")]
        held = a.conn.execute("SELECT count(*) FROM snap.note_search_content").fetchone()[0]
    assert held >= 1 and blocks
    assert not any(word in block for block in blocks)
    b = team.add("computer2")
    assert search.search(b, "qvxjwkmzt") == [] and len(search.search(b, "allegation")) == 1
