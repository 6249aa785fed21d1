"""An insider with the data key rewrites the audit trail: drops the append-only
triggers, deletes their own events, re-chains the rest and sets the head (and a fresh MAC) in
vault.json. `verify` must say so: from the triggers, from a backup's head, from a printed
checkpoint. What one computer cannot show alone is stated, and pinned, too."""

import hashlib
import json

import pytest

from app.errors import ValidationError
from app.security import audit
from app.security.keyslots import VaultFile
from app.services.vault import checkpoint, staff
from app.services.vault import unlock as vault_service
from app.services.vault.backup import create_backup
from app.services.vault.verify import verify_vault
from app.storage import db
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE

SHIPPED = list(audit.SHIPPED_TRIGGERS.values())


def _rewrite_without(data_dir, data_key: bytes, actor: str, recreate_triggers: bool) -> int:
    """The attack, done with sqlcipher directly. Returns how many events were removed."""
    conn = db.open_database(data_dir / "confide.db", data_key)
    try:
        conn.execute("DROP TRIGGER audit_event_no_update")
        conn.execute("DROP TRIGGER audit_event_no_delete")
        cursor = conn.execute("SELECT seq, id, at, actor, action, object_type, object_id, detail "
                              "FROM audit_event ORDER BY seq")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor]
        kept = [r for r in rows if r["actor"] != actor]
        conn.execute("BEGIN")
        conn.execute("DELETE FROM audit_event")
        prev = audit.GENESIS
        for seq, row in enumerate(kept, start=1):
            row["seq"] = seq
            row["prev_hash"], row["hash"] = prev, audit.row_hash(row, prev)
            prev = row["hash"]
            conn.execute("INSERT INTO audit_event (seq, id, at, actor, action, object_type, object_id, "
                         "detail, prev_hash, hash) VALUES (:seq, :id, :at, :actor, :action, "
                         ":object_type, :object_id, :detail, :prev_hash, :hash)", row)
        conn.execute("COMMIT")
        if recreate_triggers:
            for sql in SHIPPED:
                conn.execute(sql)
        head = audit.head(conn)
    finally:
        conn.close()
    vault = VaultFile.load(data_dir / "vault.json")
    vault.audit_head = head
    vault.save(data_dir / "vault.json", [data_key])  # the insider holds the key: the MAC fits
    return len(rows) - len(kept)


@pytest.fixture
def insider(session, data_dir, tmp_path):
    """casey (a caseworker) does things, then the manager takes a checkpoint and a backup."""
    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    casey = vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)
    staff.change_own_passphrase(casey, OTHER_PASSPHRASE, "casey has her own words now")
    data_key = casey.data_key
    casey.lock()
    taken = checkpoint.current_checkpoint(session)
    backup = tmp_path / "evening.confide-backup"
    create_backup(session, backup)
    session.lock()
    return data_key, taken, backup


def _verify(data_dir, **kw):
    return verify_vault(data_dir, "manager", PASSPHRASE, **kw)


def test_the_trail_verifies_before_the_attack(insider, data_dir):
    _, taken, backup = insider
    report = _verify(data_dir, against=backup, checkpoints=[taken.text])
    assert report.ok, report.lines
    assert "Append-only triggers: exactly the shipped ones" in report.lines


def test_dropped_triggers_are_reported(insider, data_dir):
    data_key = insider[0]
    assert _rewrite_without(data_dir, data_key, "casey", recreate_triggers=False) > 0
    report = _verify(data_dir)
    assert not report.ok
    assert any("audit_event_no_delete is missing" in line for line in report.lines), report.lines


def test_an_altered_trigger_is_reported(insider, data_dir):
    conn = db.open_database(data_dir / "confide.db", insider[0])
    conn.execute("DROP TRIGGER audit_event_no_delete")
    conn.execute("CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
                 "WHEN 0 BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END")
    conn.close()
    report = _verify(data_dir)
    assert not report.ok
    assert any("not the one Confide ships" in line for line in report.lines), report.lines


def test_a_rewrite_with_triggers_put_back_is_caught_by_the_checkpoint_and_the_backup(insider, data_dir):
    data_key, taken, backup = insider
    _rewrite_without(data_dir, data_key, "casey", recreate_triggers=True)
    # One computer alone cannot tell: the trail, its triggers and vault.json agree again.
    alone = _verify(data_dir)
    assert alone.ok, alone.lines
    with_checkpoint = _verify(data_dir, checkpoints=[taken.text])
    assert not with_checkpoint.ok
    assert any("rewritten" in line for line in with_checkpoint.lines), with_checkpoint.lines
    with_backup = _verify(data_dir, against=backup)
    assert not with_backup.ok
    assert any(backup.name in line and "rewritten" in line for line in with_backup.lines)


def test_a_checkpoint_beyond_the_end_says_events_were_removed(insider, data_dir):
    _, taken, _ = insider
    later = audit.format_checkpoint({"seq": taken.seq + 500, "hash": hashlib.sha256(b"x").hexdigest()})
    report = _verify(data_dir, checkpoints=[later])
    assert not report.ok and any("events were removed" in line for line in report.lines)


@pytest.mark.parametrize("text", ["", "12", "abc:def", "12:" + "g" * 64, "-1:" + "0" * 64])
def test_a_malformed_checkpoint_is_one_plain_message(insider, data_dir, text):
    with pytest.raises(ValidationError, match="not a checkpoint"):
        _verify(data_dir, checkpoints=[text])


def test_taking_a_checkpoint_is_a_managers_action_and_audited(session, data_dir):
    from app.errors import PermissionDenied

    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    casey = vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)
    staff.change_own_passphrase(casey, OTHER_PASSPHRASE, "casey has her own words now")
    with pytest.raises(PermissionDenied):
        checkpoint.current_checkpoint(casey)
    casey.lock()
    taken = checkpoint.current_checkpoint(session)
    row = session.conn.execute("SELECT action, hash FROM audit_event WHERE seq = ?", (taken.seq,)).fetchone()
    assert row[0] == "audit_checkpoint_taken" and row[1] == taken.hash
    assert json.loads((data_dir / "vault.json").read_text())["audit_head"]["seq"] == taken.seq
