"""The audit trail is append-only in SQL, every edit is caught at the right event, and a cut
tail (or an older database file put in place) is caught through the head kept in vault.json."""

import shutil

import pytest

from app.security import audit
from app.security.device import KeyFileStore
from app.services.vault import unlock as vault_service
from app.services.vault.verify import verify_vault
from app.storage import db
from tests.conftest import PASSPHRASE
from tests.security.support import run_cli, subprocess_env


def _events(session, n: int) -> None:
    with db.transaction(session.conn):
        for i in range(n):
            session.audit("case_viewed", "casefile", f"case-{i}")


@pytest.fixture
def raw(vault, data_dir):
    """A connection with the data key but none of the app's rules: what a tamperer has."""
    session = vault[0]
    _events(session, 8)
    key = session.data_key
    session.lock()
    conn = db.open_database(data_dir / "confide.db", key)
    yield conn
    conn.close()


def test_the_app_connection_cannot_change_or_delete_audit_rows(session):
    _events(session, 3)
    with pytest.raises(db.IntegrityError, match="append-only"):
        session.conn.execute("UPDATE audit_event SET actor = 'someone' WHERE seq = 2")
    with pytest.raises(db.IntegrityError, match="append-only"):
        session.conn.execute("DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)")
    assert audit.verify(session.conn).ok


def test_expected_head_beyond_the_end_reports_removal(session):
    _events(session, 5)
    head = audit.head(session.conn)
    report = audit.verify(session.conn, {"seq": head["seq"] + 3, "hash": "f" * 64})
    assert not report.ok and report.first_broken_seq == head["seq"] + 1
    assert "removed from the end" in report.message
    # The same head, and an earlier genuine one, are fine; an earlier forged one is not.
    assert audit.verify(session.conn, head).ok
    row = session.conn.execute("SELECT seq, hash FROM audit_event WHERE seq = 3").fetchone()
    assert audit.verify(session.conn, {"seq": row[0], "hash": row[1]}).ok
    forged = audit.verify(session.conn, {"seq": 3, "hash": "0" * 64})
    assert not forged.ok and forged.first_broken_seq == 3


def _drop_triggers(conn):
    conn.execute("DROP TRIGGER audit_event_no_update")
    conn.execute("DROP TRIGGER audit_event_no_delete")


def test_an_edited_row_is_named(raw):
    _drop_triggers(raw)
    raw.execute("UPDATE audit_event SET object_id = 'another-case' WHERE seq = 5")
    report = audit.verify(raw)
    assert not report.ok and report.first_broken_seq == 5 and "altered" in report.message


def test_an_edited_row_with_its_hash_recomputed_breaks_the_next_link(raw):
    _drop_triggers(raw)
    row = dict(raw.execute("SELECT * FROM audit_event WHERE seq = 5").fetchone())
    row["actor"] = "someone-else"
    raw.execute("UPDATE audit_event SET actor = ?, hash = ? WHERE seq = 5",
                (row["actor"], audit.row_hash(row, row["prev_hash"])))
    report = audit.verify(raw)
    assert not report.ok and report.first_broken_seq == 6 and "does not follow" in report.message


def test_a_deleted_row_is_named(raw):
    _drop_triggers(raw)
    raw.execute("DELETE FROM audit_event WHERE seq = 4")
    report = audit.verify(raw)
    assert not report.ok and report.first_broken_seq == 4 and "missing" in report.message


def test_verify_on_the_command_line_names_the_altered_event(tmp_path, data_dir):
    key_file = tmp_path / "device.key"
    session, _ = vault_service.create_vault(data_dir, "Svc", "manager", "Test Manager", PASSPHRASE,
                                            KeyFileStore(key_file))
    _events(session, 6)
    key = session.data_key
    session.lock()
    conn = db.open_database(data_dir / "confide.db", key)
    _drop_triggers(conn)
    conn.execute("UPDATE audit_event SET action = 'nothing_to_see' WHERE seq = 4")
    conn.close()
    result = run_cli(["verify", "--data-dir", data_dir, "--user", "manager", "--passphrase-stdin",
                      "--device-key-file", key_file], subprocess_env(tmp_path), PASSPHRASE + "\n")
    assert result.returncode == 1
    assert "Audit event 4 was altered" in result.stdout


def test_an_older_database_put_back_is_caught_and_an_unlock_does_not_erase_that(vault, data_dir, tmp_path):
    """Someone copies yesterday's confide.db over today's (vault.json stays): the missing
    events must be reported, and the next ordinary unlock must not wipe the evidence by
    recording the older head in vault.json as if nothing had happened."""
    session = vault[0]
    _events(session, 3)
    session.lock()
    old_copy = tmp_path / "yesterday.db"
    shutil.copyfile(data_dir / "confide.db", old_copy)
    session = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    _events(session, 5)
    removed_from = session.conn.execute("SELECT max(seq) FROM audit_event").fetchone()[0]
    session.lock()
    shutil.copyfile(old_copy, data_dir / "confide.db")

    report = verify_vault(data_dir, "manager", PASSPHRASE)
    assert not report.ok and any("removed from the end" in line for line in report.lines)

    vault_service.unlock(data_dir, "manager", PASSPHRASE).lock()
    report = verify_vault(data_dir, "manager", PASSPHRASE)
    assert not report.ok, report.lines
    assert any("removed" in line for line in report.lines), report.lines
    session = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    noted = session.conn.execute(
        "SELECT detail FROM audit_event WHERE action = 'audit_head_mismatch'").fetchall()
    session.lock()
    assert len(noted) == 1 and f'"recorded_seq": {removed_from + 1}' in noted[0][0]
