"""A volunteer's compartment is brought up to date by writing only what differs
(docs/security.md, "Volunteers hold no key to casework"): before, every refresh deleted and
wrote again every row a volunteer may see and the whole search index, so its cost grew with
the number of people whatever had changed."""

from app.services.casework import drafts, people
from app.services.demo import build as demo
from app.services.vault import compartment, staff
from app.services.vault import unlock as vault_service
from app.storage import db, records
from tests.conftest import PASSPHRASE

TEMP = "temporary words for vera 9"


def _vol_rows(session, sql: str):
    compartment._attach(session.conn, compartment.db_path(session.paths, "vera"),
                        compartment.key_of(session.conn, "vera"))
    try:
        return [tuple(r) for r in session.conn.execute(sql).fetchall()]
    finally:
        session.conn.execute("DETACH DATABASE vol")


def test_a_refresh_after_one_edit_writes_only_what_changed(session, data_dir):
    demo.populate(session, staff=0, cases=25, seed=3)
    staff.add_staff(session, "vera", "Vera Volunteer", "volunteer", TEMP)
    compartment.sync(session, "vera", True)
    total = _vol_rows(session, "SELECT count(*) FROM vol.person")[0][0]
    assert total > 40
    person = session.conn.execute("SELECT id FROM person WHERE kind = 'family_member' AND deleted_at IS NULL "
                                  "LIMIT 1").fetchone()[0]
    with session.conn:
        session.conn.execute("UPDATE person SET last_name = 'Quillfeather', version = version + 1 WHERE id = ?",
                             (person,))
    before = session.conn.total_changes
    compartment.sync(session, "vera", True)
    written = session.conn.total_changes - before
    # The changed person (row, search key, index entry and the index's own pages) and the
    # bookkeeping: not every row (before: every row deleted and written again, and the index).
    assert written < total // 2, f"{written} rows written for one changed person out of {total}"
    assert _vol_rows(session, f"SELECT last_name FROM vol.person WHERE id = '{person}'") == [("Quillfeather",)]
    # Nothing changed: nothing but the bookkeeping is written.
    before = session.conn.total_changes
    compartment.sync(session, "vera", True)
    assert session.conn.total_changes - before < 8
    session.lock("test")
    vera = vault_service.unlock(data_dir, "vera", TEMP)
    vera.must_change_passphrase = False
    assert person in {p.id for p in people.find_people(vera, text="Quillf")}
    vera.lock("test")


def test_a_person_hidden_since_leaves_the_compartment_and_its_index(session, data_dir):
    demo.populate(session, staff=0, cases=10, seed=4)
    staff.add_staff(session, "vera", "Vera Volunteer", "volunteer", TEMP)
    compartment.sync(session, "vera", True)
    person = _vol_rows(session, "SELECT id FROM vol.person LIMIT 1")[0][0]
    with session.conn:
        session.conn.execute("UPDATE person SET deleted_at = '2026-11-01T00:00:00+00:00' WHERE id = ?", (person,))
    compartment.sync(session, "vera", True)
    assert _vol_rows(session, f"SELECT count(*) FROM vol.person WHERE id = '{person}'") == [(0,)]
    assert _vol_rows(session, f"SELECT count(*) FROM vol.search_key WHERE ref_id = '{person}'") == [(0,)]
    keys = _vol_rows(session, "SELECT count(*) FROM vol.search_key")[0][0]
    assert keys == _vol_rows(session, "SELECT count(*) FROM vol.person")[0][0]


def test_only_the_people_this_session_changed_are_compared_unless_another_wrote(session, data_dir):
    demo.populate(session, staff=0, cases=12, seed=5)
    staff.add_staff(session, "vera", "Vera Volunteer", "volunteer", TEMP)
    compartment.sync(session, "vera", True)
    compared = []
    real = compartment._write_difference

    def spy(conn, table, keys, wanted, params, scope=""):
        compared.append((table, bool(scope)))
        real(conn, table, keys, wanted, params, scope)

    compartment._write_difference = spy
    try:
        # A case made the client's own (R4): the client leaves the compartment, though only the
        # case changed, and only the people this session touched were compared.
        case_id, client = session.conn.execute("SELECT id, client_id FROM casefile LIMIT 1").fetchone()
        with session.conn:
            session.conn.execute("UPDATE casefile SET own_case = 1, version = version + 1 WHERE id = ?", (case_id,))
        compartment.sync(session, "vera", True)
        assert ("person", True) in compared
        assert _vol_rows(session, f"SELECT count(*) FROM vol.person WHERE id = '{client}'") == [(0,)]
        # Another connection (another process) writes: the next refresh compares everything.
        other = db.open_database(session.paths.db, session.data_key)
        person = other.execute("SELECT id FROM person WHERE kind = 'family_member' LIMIT 1").fetchone()[0]
        with other:
            other.execute("UPDATE person SET first_name = 'Ottoline', version = version + 1 WHERE id = ?", (person,))
        other.close()
        compared.clear()
        compartment.sync(session, "vera", True)
        assert ("person", False) in compared
        assert _vol_rows(session, f"SELECT first_name FROM vol.person WHERE id = '{person}'") == [("Ottoline",)]
    finally:
        compartment._write_difference = real


def test_a_refresh_gives_its_working_tables_memory_back_before_the_lock(session):
    # Failed before: the refresh's working tables (in memory) were dropped but their pages
    # stayed with the connection until it closed, and the close frees (and wipes) them while
    # holding Python's lock: the window stood still at lock (0.26 s for one 40 MB table).
    demo.populate(session, staff=0, cases=25, seed=3)
    staff.add_staff(session, "vera", "Vera Volunteer", "volunteer", TEMP)
    compartment.sync(session, "vera", True)
    assert session.conn.execute("PRAGMA temp.freelist_count").fetchone()[0] == 0
    assert session.conn.execute("SELECT count(*) FROM temp.sqlite_master WHERE name = 'compartment_want'"
                                ).fetchone()[0] == 0


def _token(session) -> str:
    return session.conn.execute("SELECT token FROM volunteer_compartment WHERE username = 'vera'").fetchone()[0]


def test_a_lock_writes_no_compartment_when_only_staff_drafts_and_case_states_changed(session, data_dir):
    # Failed before: the draft staff keep at every lock (their open records), taken back at
    # unlock, and a case's status change each made the lock compare and write every
    # compartment anew: 9-10 s of the worker at 50,000 cases, "Locking..." all along.
    demo.populate(session, staff=0, cases=10, seed=5)
    staff.add_staff(session, "vera", "Vera Volunteer", "volunteer", TEMP)
    session.lock("test")
    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    token = _token(manager)
    case_id = manager.conn.execute("SELECT id FROM casefile WHERE deleted_at IS NULL LIMIT 1").fetchone()[0]
    drafts.keep_draft(manager, "records", {"open": [{"kind": "case", "id": case_id}]}, {})
    drafts.take_drafts(manager)
    with manager.conn:      # as the inactivity rule changes a case's state (casework/inactivity.py)
        records.update(manager.conn, "casefile", case_id, {"status": "inactive"}, "manager")
    drafts.keep_draft(manager, "records", {"open": [{"kind": "case", "id": case_id}]}, {})
    manager.lock("test")
    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    assert _token(manager) == token
    # What a compartment copies still makes the lock write it: a case given to a worker
    # (who may see its people) and a volunteer's own draft.
    with manager.conn:
        manager.conn.execute("UPDATE casefile SET worker = 'someone else' WHERE id = ?", (case_id,))
    manager.lock("test")
    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    assert _token(manager) != token
    token = _token(manager)
    with manager.conn:
        manager.conn.execute("INSERT INTO draft (id, owner, kind, context, fields, created_at) VALUES "
                             "('d1', 'vera', 'note', '{}', '{}', '2026-12-07T10:00:00+00:00')")
    manager.lock("test")
    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    assert _token(manager) != token
    manager.lock("test")


def test_taking_in_what_a_volunteer_wrote_reads_no_compartment_table_in_full(session):
    """_absorb runs at every unlock and lock; each of its look-ups of the rows a volunteer wrote
    goes through the compartment's own index of the writer (0.78 s a time at 200,000 cases, when
    it read every person and relationship the compartment held)."""
    demo.populate(session, staff=0, cases=10, seed=4)
    staff.add_staff(session, "vera", "Vera Volunteer", "volunteer", TEMP)
    compartment.sync(session, "vera", True)
    compartment._attach(session.conn, compartment.db_path(session.paths, "vera"),
                        compartment.key_of(session.conn, "vera"))
    try:
        for table, _keys, written in compartment.WRITTEN:
            plan = [row[3] for row in session.conn.execute(
                f"EXPLAIN QUERY PLAN SELECT * FROM vol.{table} v WHERE {written}", {"user": "vera"})]
            assert not any(step.startswith("SCAN v") for step in plan), f"{table}: {plan}"
    finally:
        session.conn.execute("DETACH DATABASE vol")
