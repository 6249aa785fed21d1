"""Documents' words in a full-text index of their own (schema 27): a read of documents stops
after its newest hits instead of walking every matching person, case and note."""

import io

from app.services.casework import search
from app.services.documents import documents as docs
from app.storage import migrations
from app.storage.migrations.v027_document_search import document_search
from tests.unit.consent_helpers import TODAY, family_case
from tests.unit.test_documents import pdf_bytes, report_input


def _kinds(conn, table: str) -> list[str]:
    return [r[0] for r in conn.execute(f"SELECT kind FROM {table}")]


def test_a_document_is_indexed_in_its_own_table_and_found(session):
    # Failed before: documents shared search_index with people and cases.
    fam = family_case(session)
    added = docs.add_document(session, report_input(fam, title="Dyslexia screening"),
                              io.BytesIO(pdf_bytes("Phonological awareness")), today=TODAY)
    assert _kinds(session.conn, "document_search") == ["document"]
    assert "document" not in _kinds(session.conn, "search_index")
    assert [h.ref_id for h in search.search(session, "phonological")] == [added.id]
    docs.remove_document(session, added.id)
    assert _kinds(session.conn, "document_search") == [] and search.search(session, "phonological") == []


def test_schema_27_moves_documents_out_of_the_shared_index_keeping_their_rowids(session):
    conn = session.conn
    fam = family_case(session)
    added = docs.add_document(session, report_input(fam, title="Speech and language report"),
                              io.BytesIO(pdf_bytes("Expressive vocabulary")), today=TODAY)
    (key,) = conn.execute("SELECT id FROM search_key WHERE ref_id = ?", (added.id,)).fetchone()
    people_and_cases = sorted(r[0] for r in conn.execute("SELECT rowid FROM search_index"))
    # The file as schema 26 left it: the document's entry in the shared index.
    conn.execute("INSERT INTO search_index (rowid, kind, ref_id, case_id, title, body) "
                 "SELECT rowid, kind, ref_id, case_id, title, body FROM document_search")
    conn.execute("DROP TABLE document_search")
    conn.execute("DROP INDEX audit_event_object")
    conn.execute("PRAGMA user_version = 26")
    assert migrations.migrate(conn, session.paths.db) == 26
    assert [r[0] for r in conn.execute("SELECT rowid FROM document_search")] == [key]
    assert sorted(r[0] for r in conn.execute("SELECT rowid FROM search_index")) == people_and_cases
    conn.execute("INSERT INTO document_search(document_search) VALUES('integrity-check')")
    conn.execute("INSERT INTO search_index(search_index) VALUES('integrity-check')")
    assert [h.ref_id for h in search.search(session, "expressive vocabulary")] == [added.id]
    assert conn.execute("SELECT v FROM document_search_config WHERE k = 'pgsz'").fetchone()[0] == 3900
    document_search(conn)   # a step run twice (a restored copy) neither fails nor doubles
    assert [r[0] for r in conn.execute("SELECT rowid FROM document_search")] == [key]


def test_a_records_request_finds_who_read_a_record_through_an_index(session):
    # Failed before: every audit event was read to find the few about the subject's records.
    plan = " ".join(r[-1] for r in session.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM audit_event WHERE object_id IN (?, ?) AND "
        "(action LIKE 'view_%' OR action = 'document_viewed')", ("a", "b")))
    assert "audit_event_object" in plan


def test_a_records_request_finds_what_other_computers_saw_read_through_an_index(session):
    # Failed before: every event another computer sent was read and parsed as JSON.
    plan = " ".join(r[-1] for r in session.conn.execute(
        "EXPLAIN QUERY PLAN SELECT json_extract(event, '$.id') FROM sync_remote_audit "
        "WHERE json_extract(event, '$.object_id') IN (?, ?) AND (json_extract(event, '$.action') LIKE 'view_%' "
        "OR json_extract(event, '$.action') = 'document_viewed')", ("a", "b")))
    assert "sync_remote_audit_object" in plan
