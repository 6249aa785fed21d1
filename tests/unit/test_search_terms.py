"""Widening the last word reads the index's term pages (app/storage/search_terms.py), not
fts5vocab's walk of every posting: it must list what fts5vocab lists, in every state FTS5
leaves an index in (many segments, a merge half done, rows deleted)."""

import random
from datetime import date

import sqlcipher3

from app.services.casework import cases, notes, search
from app.storage import search_terms
from tests.unit.casework_helpers import family

WORDS = ["plan", "planned", "planning", "plans", "plane", "planet", "plaintiff", "play", "review",
         "reviewed", "reviews", "letter", "letters", "school", "schools", "schoolhouse", "tribunal",
         "café", "naïve", "zebra", "annual", "draft", "model"]


def _index(pgsz: int = 64) -> sqlcipher3.Connection:
    """An index shaped as note_search, with tiny pages so that a few hundred rows give
    doclists over many pages, many segments and merges that stop half way."""
    conn = sqlcipher3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(kind UNINDEXED, body, "
                 "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')")
    conn.execute("INSERT INTO t(t, rank) VALUES('pgsz', ?)", (pgsz,))
    conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, t, row)")
    return conn


def _vocab(conn, prefix: str, limit: int) -> list[str]:
    return [r[0] for r in conn.execute("SELECT term FROM temp.v WHERE term >= ? AND term < ? LIMIT ?",
                                       (prefix, prefix + "\uffff", limit))]


def _assert_same_words(conn, limit: int = 41):
    for prefix in sorted({w[:k] for w in WORDS + [f"word{i}" for i in range(0, 400, 37)]
                          for k in range(1, len(w) + 1)} | {"zzz", "plann", "x"}):
        found = search_terms.with_prefix(conn, "t", prefix, limit)
        assert found is not None, prefix
        live = _vocab(conn, prefix, limit)
        if len(live) == limit:      # many: the caller needs only to know that
            assert len(found) == limit, prefix
            continue
        # A word whose rows were all deleted may stay listed until a merge drops it: it finds nothing.
        assert set(live) <= set(found), prefix
        for extra in set(found) - set(live):
            assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (f'"{extra}"',)).fetchone()[0] == 0
        assert found == sorted(found)


def _fill(conn, rows: int, seed: int = 1):
    rng = random.Random(seed)
    for i in range(rows):   # one transaction each, as saves are: many small segments
        conn.execute("INSERT INTO t (rowid, kind, body) VALUES (?, 'note', ?)",
                     (i + 1, " ".join(rng.choice(WORDS) for _ in range(6)) + f" word{i}"))


def test_the_words_of_a_prefix_are_those_fts5vocab_lists():
    conn = _index()
    _fill(conn, 400)
    assert conn.execute("SELECT count(DISTINCT segid) FROM t_idx").fetchone()[0] >= 3
    _assert_same_words(conn)
    _assert_same_words(conn, limit=3)


def test_the_same_words_while_a_merge_is_half_done_and_after_deletes():
    conn = _index()
    _fill(conn, 400)
    conn.execute("INSERT INTO t(t, rank) VALUES('usermerge', 2)")
    for step in range(40):     # each step merges a few pages and trims what it took from its inputs
        conn.execute("INSERT INTO t(t, rank) VALUES('merge', 3)")
        if step % 8 == 0:
            _assert_same_words(conn)
    for rowid in range(1, 400, 3):
        conn.execute("DELETE FROM t WHERE rowid = ?", (rowid,))
    conn.execute("DELETE FROM t WHERE body MATCH 'zebra'")
    _assert_same_words(conn)
    conn.execute("INSERT INTO t(t) VALUES('optimize')")
    _assert_same_words(conn)
    assert search_terms.with_prefix(conn, "t", "zebr", 41) == []


def test_an_empty_index_has_no_words_and_a_format_we_do_not_read_gives_none():
    conn = _index()
    assert search_terms.with_prefix(conn, "t", "plan", 41) == []
    conn.execute("CREATE VIRTUAL TABLE c USING fts5(body, content='', contentless_delete=1)")
    conn.execute("INSERT INTO c (rowid, body) VALUES (1, 'planning meeting')")
    assert search_terms.with_prefix(conn, "c", "plan", 41) is None   # the caller asks fts5vocab


def test_widening_the_last_word_does_not_walk_its_postings_and_finds_the_same(session):
    # Failed before: fts5vocab (a temp table) counted every posting of every word it listed.
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    ids = [notes.add_note(session, case.id, "phone_call", date.today(), 5, body).id
           for body in ("Draft plan agreed.", "Planning meeting booked.", "Plans sent.", "Draft planet poster.")]
    query = search.fts_query(session, "note_search", "draft plan")
    assert query == '"draft" AND ("plan" OR "planet" OR "planning" OR "plans")'
    assert session.conn.execute("SELECT count(*) FROM temp.sqlite_schema WHERE name LIKE '%vocab'").fetchone()[0] == 0
    assert [h.ref_id for h in search.search(session, "draft plan")] == [ids[3], ids[0]]
    assert [h.ref_id for h in search.search(session, "plann")] == [ids[1]]


def test_search_finds_the_same_with_the_term_pages_as_with_fts5vocab(session, monkeypatch):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    rng = random.Random(3)
    for _ in range(120):
        notes.add_note(session, case.id, "meeting", date.today(), 5, " ".join(rng.sample(WORDS, 5)))
    queries = ["plan", "plann", "draft plan", "annual revi", "school", "schoolh", "letters", "cafe", "naive",
               "model lett", "zebra", "tribunal", "plai"]
    found = {q: [(h.ref_id, h.snippet) for h in search.search(session, q)] for q in queries}
    assert found["plan"] and found["cafe"]
    monkeypatch.setattr(search_terms, "with_prefix", lambda *args: None)     # fts5vocab, as before
    assert {q: [(h.ref_id, h.snippet) for h in search.search(session, q)] for q in queries} == found
