"""Saving a note is one durable commit (docs/security.md, "Saving a note"): the note, its search
entry and its audit event go in one transaction, written with synchronous = FULL, so a save
costs plain SQLite's single commit and one fsync, never a second transaction of its own."""

import os
from datetime import date

from app.services.casework import notes
from tests.team.replica import seed_case


def test_a_note_its_search_entry_and_its_audit_event_are_one_commit(session):
    case_id = seed_case(session)
    statements: list[str] = []
    session.conn.set_trace_callback(statements.append)
    try:
        note = notes.add_note(session, case_id, "phone_call", date(2026, 12, 1), 5, "Called about the annual review.")
    finally:
        session.conn.set_trace_callback(None)
    writes = [s for s in statements if s.split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE", "REPLACE")]
    begins = [i for i, s in enumerate(statements) if s.upper().startswith("BEGIN")]
    commits = [i for i, s in enumerate(statements) if s.upper().startswith("COMMIT")]
    assert len(begins) == len(commits) == 1, statements
    assert all(begins[0] < statements.index(w) < commits[0] for w in writes)
    assert any("INTO note " in w for w in writes) and any("audit_event" in w for w in writes)
    assert any("search" in w for w in writes)
    assert session.conn.execute("PRAGMA synchronous").fetchone()[0] == 2      # FULL: durability unchanged
    assert session.conn.execute("SELECT count(*) FROM audit_event WHERE object_id = ?", (note.id,)).fetchone()[0] == 1



def test_a_save_reuses_its_prepared_statements_after_a_long_session(session):
    """A session that has run many different statements (unlock's compartment sync, a day of
    screens) still saves with the statements it prepared before: re-compiling them at every save
    cost more CPU than the encryption (docs/security.md, "Saving a note")."""
    compiled = []

    def authorizer(*_args):  # asked only while SQLite compiles a statement, never when one runs again
        compiled.append(1)
        return 0  # SQLITE_OK

    # Set once, first: setting an authorizer expires every statement already prepared.
    session.conn.set_authorizer(authorizer)
    case_id = seed_case(session)
    for n in range(300):  # as many distinct statements as a long session runs, each used a few times
        for _ in range(3):
            session.conn.execute(f"SELECT {n} FROM staff LIMIT 1").fetchall()

    def save():
        notes.add_note(session, case_id, "phone_call", date(2026, 12, 1), 5, "Called about the annual review.")

    save()
    save()
    compiled.clear()
    save()
    session.conn.set_authorizer(None)
    assert compiled == []


def test_a_save_looks_at_the_data_folder_and_vault_json_once(session, monkeypatch):
    """A staff session follows what changed elsewhere (a re-key, volunteers' compartments)
    around its outermost service call only: the services a save calls inside itself
    (load_case and its own check) look at nothing again (docs/security.md, "Saving a note")."""
    case_id = seed_case(session)
    listings, vault_stats = [], []
    real_scandir, real_stat = os.scandir, os.stat

    def scandir(path="."):
        listings.append(str(path))
        return real_scandir(path)

    def stat(path, *args, **kwargs):
        if str(path) == str(session.paths.vault):
            vault_stats.append(1)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "stat", stat)
    notes.add_note(session, case_id, "phone_call", date(2026, 12, 1), 5, "Called about the annual review.")
    monkeypatch.undo()
    assert listings == [str(session.paths.data_dir)]
    assert len(vault_stats) == 1


def test_a_save_runs_only_the_statements_it_needs(session):
    """Nine statements of its own: the case (the access check), BEGIN, the note, its search
    key and entry (no look-up first: the note's id is new), the audit chain's head and the
    event, COMMIT, and the note read back. What FTS5 runs inside is its own."""
    case_id = seed_case(session)
    notes.add_note(session, case_id, "phone_call", date(2026, 12, 1), 5, "First call.")
    statements: list[str] = []
    session.conn.set_trace_callback(statements.append)
    try:
        notes.add_note(session, case_id, "phone_call", date(2026, 12, 1), 5, "Called about the annual review.")
    finally:
        session.conn.set_trace_callback(None)
    own = [s for s in statements if not s.startswith("--")]
    assert not [s for s in own if s.startswith("SELECT") and "search_key" in s], own
    assert len(own) == 9, own
