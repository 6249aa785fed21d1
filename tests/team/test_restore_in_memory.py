"""A snapshot's restore copies each table and builds its indexes at once, while its pages are
still in a page cache made large for the restore, and gives the cache back after (docs/sync.md
§10: at 50,000 cases the usual 64 MB cache decrypted the same pages again for every index and
for the foreign-key check)."""

from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.team import snapshot
from app.services.team.sync import sync_now
from app.storage import db


def _first(seen: list[str], start: int, prefix: str) -> int:
    return next(i for i in range(start, len(seen)) if seen[i].startswith(prefix))


def test_each_tables_indexes_are_built_right_after_its_rows_in_a_large_cache_given_back_after(make_team):
    team = make_team(2)
    a, b = team.sessions
    people.create_person(a, PersonInput(kind="parent_carer", first_name="Ivy", last_name="Quillfeather"))
    sync_now(a, team.hub)
    snapshot.put_snapshot(a.conn, team.hub)
    seen: list[str] = []
    b.conn.set_trace_callback(lambda sql: seen.append(" ".join(sql.split())))
    try:
        snapshot.restore_latest(b.conn, team.hub)
    finally:
        b.conn.set_trace_callback(None)
    copies = [i for i, sql in enumerate(seen) if sql.startswith("INSERT INTO main.")]
    # Failed before: every table was copied first, then every index built.
    for table, index in (("note", "note_case"), ("person", "person_name"), ("consent", "consent_case_scope")):
        copied = _first(seen, 0, f"INSERT INTO main.{table} ")
        built = _first(seen, copied, f"CREATE INDEX {index} ")
        assert not [i for i in copies if copied < i < built], f"{index} waited for other tables' rows"
    large = _first(seen, 0, f"PRAGMA main.cache_size = -{snapshot.RESTORE_CACHE_KIB}")
    assert large < copies[0]
    assert b.conn.execute("PRAGMA main.cache_size").fetchone()[0] == -db.CACHE_KIB
    assert b.conn.execute("PRAGMA threads").fetchone()[0] == 0
    assert b.conn.execute("SELECT count(*) FROM person WHERE last_name = 'Quillfeather'").fetchone()[0] == 1


def test_a_snapshot_signed_by_a_team_computer_with_a_broken_reference_is_refused_and_nothing_changes(make_team):
    """What the foreign-key check at the end of the restore guards: the writer's own signature
    holds, so only the check can catch a row whose parent is not there."""
    from app.services.team import state
    from app.storage.capture import replicated_tables
    from app.storage.db import transaction

    team = make_team(2)
    a, b = team.sessions
    people.create_person(a, PersonInput(kind="parent_carer", first_name="Ivy", last_name="Quillfeather"))
    sync_now(a, team.hub)
    sync_now(b, team.hub)
    broken = None
    a.conn.execute("PRAGMA foreign_keys = OFF")
    with transaction(a.conn):
        state.set_capture(a.conn, False)
        for table in replicated_tables(a.conn):
            for fk in a.conn.execute(f"PRAGMA foreign_key_list({table})").fetchall():
                col = fk[3]
                row = a.conn.execute(f"SELECT rowid FROM {table} WHERE {col} IS NOT NULL LIMIT 1").fetchone()
                if row is not None and broken is None:
                    a.conn.execute(f"UPDATE {table} SET {col} = 'no-such-parent' WHERE rowid = ?", (row[0],))
                    broken = (table, col)
        state.set_capture(a.conn, True)
    a.conn.execute("PRAGMA foreign_keys = ON")
    assert broken is not None
    upto = snapshot.put_snapshot(a.conn, team.hub)
    # Refused, and passed over for the older snapshot the team was founded with (§10).
    used = snapshot.restore_latest(b.conn, team.hub)
    assert 0 < used < upto
    table, col = broken
    assert b.conn.execute(f"SELECT count(*) FROM {table} WHERE {col} = 'no-such-parent'").fetchone()[0] == 0
    assert b.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def _traced_restore(conn, hub, **kwargs) -> tuple[int, list[str]]:
    seen: list[str] = []
    conn.set_trace_callback(lambda sql: seen.append(" ".join(sql.split())))
    try:
        return snapshot.restore_latest(conn, hub, **kwargs), seen
    finally:
        conn.set_trace_callback(None)


def _team_with_a_note(make_team):
    from tests.team.laptop_world import family_case

    team = make_team(2)
    a, b = team.sessions
    family_case(a, "Quillfeather")
    sync_now(a, team.hub)
    sync_now(b, team.hub)
    return team


def test_each_tables_references_are_checked_right_after_its_rows_and_indexes(make_team):
    """At 200,000 cases one check of every table at the end read them all again from disk
    (21.5 s of CPU): each table is checked while its pages are still in the cache."""
    team = _team_with_a_note(make_team)
    a, b = team.sessions
    snapshot.put_snapshot(a.conn, team.hub)
    _, seen = _traced_restore(b.conn, team.hub)
    copied = _first(seen, 0, "INSERT INTO main.note ")
    indexed = _first(seen, copied, "CREATE INDEX note_case ")
    checked = seen.index("PRAGMA main.foreign_key_check(note)")     # failed before: one check at the end
    assert indexed < checked
    assert not [s for s in seen[copied + 1:checked] if s.startswith("INSERT INTO main.")]
    # Its parent was checked before it: parents first.
    assert seen.index("PRAGMA main.foreign_key_check(casefile)") < copied
    assert "PRAGMA main.foreign_key_check" not in seen
    assert b.conn.execute("SELECT count(*) FROM search_key WHERE kind = 'note'").fetchone()[0] == \
        b.conn.execute("SELECT count(*) FROM note").fetchone()[0] == 1


def test_a_note_whose_case_is_missing_is_refused_in_a_fresh_restore_and_nothing_changes(make_team):
    """The notes' search keys no longer look up their case: the check must still refuse a
    snapshot with a note whose case is not in it (here in a new file's restore, journal in
    memory: the refusal rolls back and the older snapshot is used)."""
    from app.services.team import state
    from app.storage.db import transaction

    team = _team_with_a_note(make_team)
    a, b = team.sessions
    a.conn.execute("PRAGMA foreign_keys = OFF")
    with transaction(a.conn):
        state.set_capture(a.conn, False)
        a.conn.execute("UPDATE note SET case_id = 'no-such-case'")
        state.set_capture(a.conn, True)
    a.conn.execute("PRAGMA foreign_keys = ON")
    upto = snapshot.put_snapshot(a.conn, team.hub)
    used = snapshot.restore_latest(b.conn, team.hub, fresh=True)
    assert 0 < used < upto
    assert b.conn.execute("SELECT count(*) FROM note WHERE case_id = 'no-such-case'").fetchone()[0] == 0
    assert b.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert b.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _wal_bytes(conn) -> int:
    from pathlib import Path

    main = next(r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main")
    wal = Path(f"{main}-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_a_new_files_restore_writes_its_pages_to_the_file_not_the_write_ahead_log(make_team):
    """In the log, a restore larger than the cache wrote every page twice (commit 22 s of CPU at
    200,000 cases). A join's new file, used only once complete, keeps its journal in memory."""
    team = _team_with_a_note(make_team)
    a, b = team.sessions
    snapshot.put_snapshot(a.conn, team.hub)
    b.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _, seen = _traced_restore(b.conn, team.hub, fresh=True)
    memory = seen.index("PRAGMA main.journal_mode = MEMORY")
    assert memory < _first(seen, 0, "INSERT INTO main.")
    assert _wal_bytes(b.conn) == 0                          # failed before: every page went there
    assert b.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert b.conn.execute("SELECT count(*) FROM note").fetchone()[0] == 1
    # A vault in use (restarting after compaction) keeps its log: a power cut mid-restore
    # must leave it as it was.
    snapshot.put_snapshot(a.conn, team.hub)
    _, seen = _traced_restore(b.conn, team.hub)
    assert not [s for s in seen if "journal_mode" in s]
    assert _wal_bytes(b.conn) > 0


def test_the_snapshots_file_is_written_while_its_signature_is_checked_and_read_only_after(make_team, monkeypatch):
    """At 200,000 cases writing the file and checking the signature each take seconds: they
    overlap, and SQLite opens the file only once the signature holds."""
    import threading

    from app.services.team import keys, snapshot_file

    team = _team_with_a_note(make_team)
    a, b = team.sessions
    snapshot.put_snapshot(a.conn, team.hub)
    verifying, overlapped, seen = threading.Event(), [], []
    real_verify, real_write = keys.verify, snapshot_file.Attached._write

    def verify(*args):
        seen.append("verify")
        verifying.set()
        return real_verify(*args)

    def write(self, fd):
        # Failed before: the file was written only after the check, so this waits in vain.
        overlapped.append(verifying.wait(5))
        real_write(self, fd)

    monkeypatch.setattr(keys, "verify", verify)
    monkeypatch.setattr(snapshot_file.Attached, "_write", write)
    b.conn.set_trace_callback(lambda sql: seen.append("attach") if sql.startswith("ATTACH") else None)
    try:
        snapshot.restore_latest(b.conn, team.hub)
    finally:
        b.conn.set_trace_callback(None)
    assert overlapped == [True]
    assert seen == ["verify", "attach"]
    assert b.conn.execute("SELECT count(*) FROM note").fetchone()[0] == 1


def test_a_fresh_restore_while_another_connection_has_the_file_open_stays_in_the_log(make_team):
    """The journal can leave the log only when no other connection has the file open: then
    the restore goes on in the log, as before, rather than fail."""
    team = _team_with_a_note(make_team)
    a, b = team.sessions
    snapshot.put_snapshot(a.conn, team.hub)
    other = db.open_database(b.paths.db, b.data_key)
    try:
        other.execute("SELECT count(*) FROM note").fetchone()
        snapshot.restore_latest(b.conn, team.hub, fresh=True)
        assert b.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.execute("SELECT count(*) FROM note").fetchone()[0] == 1
    finally:
        other.close()
