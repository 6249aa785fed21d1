"""Change capture: every record table, generated from the schema; remote changes not re-captured."""

import json

from app.services.casework import notes
from app.services.demo import build as demo
from app.services.team import capture, state
from app.services.team.sync import sync_now
from app.storage import capture as triggers
from app.storage.db import transaction
from tests.team.replica import rows_of, seed_case


def test_every_record_table_is_captured_and_local_tables_are_not(session):
    conn = session.conn
    tables = triggers.replicated_tables(conn)
    for must in ("person", "casefile", "note", "consent", "staff", "sar_decision", "enquiry_topic"):
        assert must in tables
    for local in ("audit_event", "search_index", "search_index_data", "note_search_idx", "document_search_data",
                  "search_key",
                  "sync_outbox", "sync_state", "setting", "reference_counter"):
        assert local not in tables
    all_tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    # Nothing falls between the two lists: a table is replicated or named as local-only.
    unaccounted = {t for t in all_tables - set(tables)
                   if t not in triggers.LOCAL_ONLY and not t.startswith(triggers.LOCAL_ONLY_PREFIXES)
                   and not any(t == fts or t.startswith(f"{fts}_") for fts in triggers.fts_tables(conn))}
    assert unaccounted == set()
    # Merging needs a key: every replicated table has one.
    assert [t for t in tables if not triggers.primary_key(conn, t)] == []


def test_a_vault_outside_a_team_pays_for_no_triggers(session):
    names = session.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE "
                                 "'capture_%'").fetchall()
    assert names == []


def test_a_table_added_by_a_later_migration_is_captured(make_team):
    team = make_team(1)
    a = team.sessions[0]
    with transaction(a.conn):
        a.conn.execute("CREATE TABLE home_visit (id TEXT PRIMARY KEY, place TEXT, photo BLOB)")
        assert triggers.install_triggers(a.conn) == 3
        a.conn.execute("INSERT INTO home_visit VALUES ('v1', 'Library', x'00ff')")
    [(tbl, pk, op, after)] = a.conn.execute(
        "SELECT tbl, pk, op, after_img FROM sync_outbox WHERE tbl = 'home_visit'").fetchall()
    assert (tbl, json.loads(pk), op) == ("home_visit", ["v1"], "i")
    assert json.loads(after) == {"id": "v1", "place": "Library", "photo": {"$hex": "00FF"}}
    # Nothing to do when nothing changed.
    with transaction(a.conn):
        assert triggers.install_triggers(a.conn) == 0


def test_bulk_demo_data_is_captured_and_arrives_whole(make_team):
    team = make_team(2)
    a, b = team.sessions
    demo.populate(a, staff=2, cases=3, seed=7)
    assert capture.pending_count(a.conn) > 20
    sync_now(a, team.hub)
    assert capture.pending_count(a.conn) == 0
    sync_now(b, team.hub)
    assert rows_of(a) == rows_of(b)
    # Applying did not capture anything on b, and search works there from the rebuilt index.
    assert capture.pending_count(b.conn) == 0
    person = a.conn.execute("SELECT id, last_name FROM person WHERE kind = 'child' LIMIT 1").fetchone()
    hits = b.conn.execute("SELECT ref_id FROM search_index WHERE search_index MATCH ?",
                          (person[1],)).fetchall()
    assert person[0] in {h[0] for h in hits}


def test_before_and_after_images_are_written_in_the_same_transaction(make_team):
    team = make_team(1)
    a = team.sessions[0]
    case_id = seed_case(a)
    sync_now(a, team.hub)
    note = notes.add_note(a, case_id, "email", "2026-02-01", 3, "First words")
    notes.edit_note(a, note.id, "email", "2026-02-01", 3, "Second words")
    rows = a.conn.execute("SELECT op, before_img, after_img FROM sync_outbox WHERE tbl = 'note' ORDER BY seq"
                          ).fetchall()
    assert [r[0] for r in rows] == ["i", "u"]
    assert json.loads(rows[1][1])["body"] == "First words" and json.loads(rows[1][2])["body"] == "Second words"
    # A write that fails rolls its capture back with it.
    try:
        with transaction(a.conn):
            a.conn.execute("UPDATE note SET body = 'Third words' WHERE id = ?", (note.id,))
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert a.conn.execute("SELECT count(*) FROM sync_outbox WHERE tbl = 'note'").fetchone()[0] == 2
    assert state.get(a.conn, "team_id")
