"""A computer that joins from a snapshot is ready before its search index is built; the index
is then built a chunk at a time (people and cases first, then notes newest first), search says
plainly that it is still being built, and changes that sync brings meanwhile are neither lost
nor doubled: the finished index equals a full rebuild (docs/sync.md §10)."""

from app.services.casework import notes, search
from app.services.team import search_build, snapshot
from app.services.team.sync import sync_now
from app.storage.db import transaction
from tests.team.replica import seed_case
from tests.team.test_sync_search import _search_entries


def _note(session, case_id: str, text: str, day: int):
    return notes.add_note(session, case_id, "phone_call", f"2026-01-{day:02d}", 10, text)


def test_a_joiner_is_ready_first_and_its_index_is_built_after_without_losing_synced_changes(make_team):
    team = make_team(1)
    a = team.sessions[0]
    case_id = seed_case(a)
    old = [_note(a, case_id, f"Spoke about the transport appeal number {n}", n + 1) for n in range(6)]
    sync_now(a, team.hub)
    snapshot.put_snapshot(a.conn, team.hub)

    b = team.add("computer2")
    progress = search_build.status(b)
    assert progress is not None and progress.done == 0 and progress.total >= 9
    assert "still building its search index" in progress.sentence()
    assert search.search(b, "transport") == []               # nothing indexed yet: said plainly

    # While b builds, the team goes on: an edited old note, a new note, both reach b by sync.
    notes.edit_note(a, old[0].id, "phone_call", "2026-01-01", 10, "Spoke about the tribunal bundle")
    _note(a, case_id, "Newest note about the tribunal hearing", 20)
    sync_now(a, team.hub)
    search_build.build_some(b, rows=2)                       # people first
    sync_now(b, team.hub)
    steps = 1
    while search_build.build_some(b, rows=2) is not None:
        steps += 1
        later = search_build.status(b)
        if later.people_and_cases_done and later.notes_before:
            assert "notes written on or before" in later.sentence()
    assert steps > 3 and search_build.status(b) is None

    built = _search_entries(b.conn)
    with transaction(b.conn):
        snapshot.index_everything(b.conn)
    assert built == _search_entries(b.conn)
    found = {h.ref_id for h in search.search(b, "tribunal")}
    assert old[0].id in found and len(found) == 2
    assert {h.ref_id for h in search.search(b, "transport")} == {n.id for n in old[1:]}


def test_a_chunk_stopped_half_way_leaves_the_backlog_as_it_was(make_team):
    """One chunk is one transaction: a failure inside it (here a broken insert) changes
    nothing, and the next step does the same chunk again."""
    team = make_team(1)
    a = team.sessions[0]
    case_id = seed_case(a)
    _note(a, case_id, "Spoke about the transport appeal", 3)
    sync_now(a, team.hub)
    snapshot.put_snapshot(a.conn, team.hub)
    b = team.add("computer2")
    before = search_build.status(b)

    real = search_build._index_range

    def broken(conn, kind, lo, hi):
        real(conn, kind, lo, hi)
        raise OSError("power cut")

    search_build._index_range = broken
    try:
        try:
            search_build.build_some(b, rows=1)
        except OSError:
            pass
    finally:
        search_build._index_range = real
    assert search_build.status(b) == before and _search_entries(b.conn) == set()
    search_build.build_rest(b)
    assert search_build.status(b) is None
    assert [h.kind for h in search.search(b, "transport")] == ["note"]


def test_the_bulk_build_holds_a_whole_chunk_in_memory_and_then_sets_the_bound_back(make_team, monkeypatch):
    """`confide team join` builds in 200,000-row chunks: with FTS5's memory bound raised for
    that build, a chunk is written as one segment (less to merge: about a fifth less CPU at
    50,000 cases); sync and the window's small chunks then keep the lower bound."""
    team = make_team(1)
    a = team.sessions[0]
    case_id = seed_case(a)
    for n in range(4):
        _note(a, case_id, f"Spoke about the transport appeal {n}", n + 1)
    sync_now(a, team.hub)
    snapshot.put_snapshot(a.conn, team.hub)
    b = team.add("computer2")

    def bound(table: str) -> int | None:
        row = b.conn.execute(f"SELECT v FROM {table}_config WHERE k = 'hashsize'").fetchone()
        return row[0] if row else None

    seen = []
    real = search_build.step

    def watched(conn, rows=search_build.STEP_ROWS):
        seen.append((bound("search_index"), bound("note_search")))
        return real(conn, rows)

    monkeypatch.setattr(search_build, "step", watched)
    search_build.build_rest(b)
    assert seen and set(seen) == {(search_build.BULK_HASH_SIZE, search_build.BULK_HASH_SIZE)}
    assert (bound("search_index"), bound("note_search")) == (search_build.HASH_SIZE, search_build.HASH_SIZE)
    assert search_build.status(b) is None and len(search.search(b, "transport")) == 4
    built = _search_entries(b.conn)
    with transaction(b.conn):
        snapshot.index_everything(b.conn)
    assert built == _search_entries(b.conn)
