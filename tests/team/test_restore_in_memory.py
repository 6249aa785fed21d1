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
