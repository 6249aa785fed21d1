"""What a snapshot holds: only the replicated tables (and each computer's chain position),
encrypted; no local-only table (device keys, staff slots, the outbox, the audit trail, this
computer's settings, the search index), and no readable text."""

from app.security import crypto
from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.team import snapshot, snapshot_file, state
from app.storage.capture import replicated_tables

CANARY = "Thistlewhumpery"


def test_a_snapshot_holds_the_replicated_tables_only_and_no_plaintext(make_team):
    team = make_team(1)
    a = team.sessions[0]
    people.create_person(a, PersonInput(kind="parent_carer", first_name="Ada", last_name=CANARY))
    from app.services.team.sync import sync_conn

    sync_conn(a.conn, team.hub, "manager")
    snapshot.put_snapshot(a.conn, team.hub)
    payload = team.hub.latest_snapshot().payload
    for needle in (CANARY.encode(), CANARY.encode("utf-16-le"), CANARY.lower().encode()):
        assert needle not in payload
    p = snapshot.read(payload)
    _, key = state.current_epoch(a.conn)
    snap_key = crypto.open_sealed(key, p.nonce, p.sealed_key, p.header_bytes)
    with snapshot_file.Attached(a.conn, p.file) as snap:
        snap.attach(snap_key)
        tables = {r[0] for r in a.conn.execute("SELECT name FROM snap.sqlite_master WHERE type = 'table'")}
        assert a.conn.execute("SELECT count(*) FROM snap.person WHERE last_name = ?", (CANARY,)).fetchone()[0] == 1
        assert a.conn.execute("PRAGMA snap.freelist_count").fetchone()[0] == 0
        # Each table as the vault defines it (columns, NOT NULL, defaults, primary key), so
        # the joiner's INSERT ... SELECT * is SQLite's transfer optimisation (docs/sync.md §10);
        # and no other index, which the joiner builds once.
        shapes = [(t, [tuple(r) for r in a.conn.execute(f"PRAGMA {db}.table_info({t})")])
                  for t in replicated_tables(a.conn) for db in ("main", "snap")]
        indexes = a.conn.execute("SELECT count(*) FROM snap.sqlite_master WHERE type = 'index' "
                                 "AND sql IS NOT NULL").fetchone()[0]
    assert shapes[0::2] == shapes[1::2]
    assert indexes == 0
    assert tables == set(replicated_tables(a.conn)) | {snapshot_file.CHAINS}
    for local in ("sync_state", "sync_outbox", "sync_epoch", "key_state", "audit_event", "setting",
                  "search_key", "search_index", "note_search", "reference_counter"):
        assert local not in tables
    # The file's folder keeps no scratch copy.
    assert not list(a.paths.data_dir.glob("snapshot-*"))
