"""Schema 16: the full-text index is written in blocks that fit in one encrypted page, and an
index written before (blocks that spill into overflow pages) is rewritten once, unchanged."""

import pytest
from faker import Faker

from app.storage import db
from app.storage.migrations.v016_fts_blocks import FITS, PGSZ, fts_blocks_fit, oversized_blocks

WORDS = ["tribunal", "transport", "annual", "review", "placement", "sensory", "exclusion", "mediation"]


def _fill(conn, rows: int, per_transaction: int) -> None:
    fake = Faker("en_GB")
    fake.seed_instance(14)
    for start in range(0, rows, per_transaction):
        with db.transaction(conn):
            for i in range(start, min(rows, start + per_transaction)):
                body = f"{fake.paragraph(nb_sentences=4)} {WORDS[i % len(WORDS)]} {fake.word()}{i}"
                conn.execute("INSERT INTO note_search (kind, ref_id, case_id, title, body) "
                             "VALUES ('note', ?, ?, ?, ?)", (f"n{i}", f"c{i % 40}", f"CAS-{i % 40}", body))


def _matches(conn) -> dict[str, list[int]]:
    return {w: [r[0] for r in conn.execute("SELECT rowid FROM note_search WHERE note_search MATCH ? "
                                           "ORDER BY rowid DESC", (w,))] for w in WORDS}


def test_a_new_vault_writes_blocks_that_fit_in_an_encrypted_page(session):
    conn = session.conn
    assert conn.execute("SELECT v FROM note_search_config WHERE k = 'pgsz'").fetchone()[0] == PGSZ
    _fill(conn, 3000, 500)
    assert conn.execute("SELECT count(*) FROM note_search_data").fetchone()[0] > 20
    assert oversized_blocks(conn, "note_search") == 0
    # 4,096 bytes less SQLCipher's 80 reserved, less the cell's own overhead: 3,981 of payload.
    assert FITS < 4096 - 80 - 35


@pytest.mark.parametrize("per_transaction", [3000, 300], ids=["one segment", "many segments"])
def test_an_index_written_with_the_old_block_size_is_rewritten_once(session, per_transaction):
    conn = session.conn
    conn.execute("INSERT INTO note_search(note_search, rank) VALUES('pgsz', 4050)")  # FTS5's default
    _fill(conn, 3000, per_transaction)
    assert oversized_blocks(conn, "note_search") > 0  # what schema 13 left
    before = _matches(conn)
    with db.transaction(conn):
        fts_blocks_fit(conn)
    assert oversized_blocks(conn, "note_search") == 0
    assert _matches(conn) == before and all(before.values())
    assert conn.execute("INSERT INTO note_search(note_search) VALUES('integrity-check')").rowcount == 1
