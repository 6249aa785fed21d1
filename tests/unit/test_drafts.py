"""Drafts kept across the auto-lock: only their author gets them back, once; old ones are
dropped; the table never replicates; what was typed is not readable in the files."""

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import ValidationError
from app.services.casework import drafts
from app.storage.capture import replicated_tables


def test_a_draft_comes_back_to_its_author_once(session):
    drafts.keep_draft(session, "note", {"case_id": "c1"}, {"QPlainTextEdit/The note#1": "Half a sentence"})
    taken = drafts.take_drafts(session)
    assert [(d.kind, d.context, d.fields) for d in taken] == [
        ("note", {"case_id": "c1"}, {"QPlainTextEdit/The note#1": "Half a sentence"})]
    assert drafts.take_drafts(session) == []

def test_someone_else_never_gets_my_draft(session):
    drafts.keep_draft(session, "note", {}, {"x": "mine"})
    session.conn.execute("UPDATE draft SET owner = 'someone_else'")
    assert drafts.take_drafts(session) == []
    assert session.conn.execute("SELECT count(*) FROM draft").fetchone()[0] == 1  # theirs is left alone

def test_old_drafts_are_dropped_unread(session):
    drafts.keep_draft(session, "action", {}, {"x": "old"})
    later = datetime.now(UTC) + timedelta(days=drafts.DRAFT_DAYS + 1)
    assert drafts.take_drafts(session, now=later) == []
    assert session.conn.execute("SELECT count(*) FROM draft").fetchone()[0] == 0

def test_unknown_kinds_and_runaway_sizes_are_refused(session):
    with pytest.raises(ValidationError):
        drafts.keep_draft(session, "passphrase", {}, {})
    with pytest.raises(ValidationError, match="too long"):
        drafts.keep_draft(session, "note", {}, {"x": "a" * drafts.MAX_BYTES})

def test_drafts_stay_on_this_computer(session):
    assert "draft" not in replicated_tables(session.conn)
    triggers = [name for (name,) in session.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'draft'")]
    assert triggers == []

def test_the_draft_text_is_not_in_the_files(session, data_dir):
    canary = "CANARY-draft-7f3a9c"
    drafts.keep_draft(session, "note", {"case_id": "c1"}, {"body": canary})
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    session.lock("test")
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert canary.encode() not in path.read_bytes(), path
