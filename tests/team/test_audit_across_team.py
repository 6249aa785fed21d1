"""Audit across the team (docs/sync.md §9), attacked as the insider would: with the data key
of an account on one computer, the audit trail is rewritten with raw SQL (the append-only
triggers dropped and put back, the chain re-made from the changed event, vault.json's head
and MAC set to fit). Plain `confide verify` on that computer reports it against the hub's
copy; once that computer has synced again, the other computer's sync reports the break and
its plain `confide verify` does too, and so does a computer that joins afterwards."""

import pytest

from app.security import audit
from app.security.device import KeyringStore
from app.security.keyslots import VaultFile
from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.team import membership
from app.services.vault.unlock import unlock
from app.services.vault.verify import verify_vault
from app.storage import db
from tests.conftest import PASSPHRASE
from tests.team.founding import found_and_join


def rewrite_trail(data_dir, data_key: bytes, seq: int) -> None:
    """The attack: event `seq` gets another actor, every later event is re-chained."""
    conn = db.open_database(data_dir / "confide.db", data_key)
    try:
        conn.execute("DROP TRIGGER audit_event_no_update")
        conn.execute("DROP TRIGGER audit_event_no_delete")
        cursor = conn.execute("SELECT seq, id, at, actor, action, object_type, object_id, detail "
                              "FROM audit_event ORDER BY seq")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor]
        conn.execute("BEGIN")
        prev = audit.GENESIS
        for row in rows:
            if row["seq"] == seq:
                row["actor"] = "someone_else"
            row["prev_hash"], row["hash"] = prev, audit.row_hash(row, prev)
            prev = row["hash"]
            conn.execute("UPDATE audit_event SET actor = :actor, prev_hash = :prev_hash, hash = :hash "
                         "WHERE seq = :seq", row)
        conn.execute("COMMIT")
        for sql in audit.SHIPPED_TRIGGERS.values():
            conn.execute(sql)
        head = audit.head(conn)
    finally:
        conn.close()
    vault = VaultFile.load(data_dir / "vault.json")
    vault.audit_head = head
    vault.save(data_dir / "vault.json", [data_key])


@pytest.fixture
def pair(tmp_path, vault, data_dir):
    a = vault[0]
    b = found_and_join(a, tmp_path, "Annexe")
    yield a, b, tmp_path
    for s in (a, b):
        if not s.locked:
            s.lock("test")


def _verify(folder):
    return verify_vault(folder, "manager", PASSPHRASE)


def test_a_rewritten_trail_is_reported_by_plain_verify_on_it_and_on_the_others(pair, data_dir):
    a, b, tmp = pair
    people.create_person(a, PersonInput(kind="parent_carer", first_name="Rhian", last_name="Pugh"))
    membership.sync(a)
    assert membership.sync(b).audit_breaks == []
    b.lock("test")
    pushed = a.conn.execute("SELECT max(seq) FROM audit_event").fetchone()[0]
    data_key = a.data_key
    a.lock("test")
    for folder in (data_dir, tmp / "annexe"):
        report = _verify(folder)
        assert report.ok, report.lines
        assert any(line.startswith("Team audit: ") for line in report.lines), report.lines

    rewrite_trail(data_dir, data_key, seq=pushed - 1)

    # On the computer itself: its own checks pass (the insider re-made them) but the hub's
    # copy of what it sent does not match.
    report = _verify(data_dir)
    assert not report.ok
    assert f"Audit trail differs from the hub: Audit event {pushed - 1} on this computer differs from the copy " \
           "on the hub: it was changed after it was sent." in report.lines, report.lines
    assert "The audit trail is intact" in " ".join(report.lines)      # the local chain alone passes

    # It goes on working and syncs: its next events follow the rewritten chain.
    a = unlock(data_dir, "manager", PASSPHRASE)
    membership.sync(a)
    a.lock("test")
    b = unlock(tmp / "annexe", "manager", PASSPHRASE)
    result = membership.sync(b)
    b.lock("test")
    assert len(result.audit_breaks) == 1
    assert "from computer 'Office computer 1' does not follow its event" in result.audit_breaks[0]
    report = _verify(tmp / "annexe")
    assert not report.ok
    joined = " ".join(report.lines)
    assert "Audit trail on the hub broken: Audit event" in joined and "'Office computer 1'" in joined
    assert "Audit trail broken (found at sync)" in joined

    # A computer that joins afterwards starts from a snapshot (no audit trail in it) and
    # still finds the break on the hub.
    a = unlock(data_dir, "manager", PASSPHRASE)
    code = membership.invite(a, "Laptop", tmp / "laptop.invite")
    a.lock("test")
    c = membership.join(tmp / "laptop", tmp / "laptop.invite", code, "manager", PASSPHRASE, KeyringStore())
    c.lock("test")
    report = _verify(tmp / "laptop")
    assert not report.ok
    assert "Audit trail on the hub broken: Audit event" in " ".join(report.lines), report.lines


def test_verify_with_the_hub_out_of_reach_says_what_it_did_not_compare(pair):
    a, b, tmp = pair
    membership.sync(a)
    membership.sync(b)
    b.lock("test")
    (tmp / "hub").rename(tmp / "hub-away")
    report = _verify(tmp / "annexe")
    assert report.ok, report.lines
    assert any("not compared with the hub" in line for line in report.lines), report.lines
