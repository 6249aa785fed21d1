"""The `vault` fixture copies a template instead of calling create_vault: a copy must be the
vault create_vault makes, or every test that uses it proves something about another vault."""

import json

from app.security.device import KeyringStore
from app.services.vault.unlock import create_vault, unlock
from app.services.vault.verify import verify_vault
from tests.conftest import PASSPHRASE
from tests.vault_template import MANAGER, MANAGER_NAME, SERVICE_NAME, open_copy

# Differ between any two vaults by design: random ids, keys, times.
_VARYING = {"id", "created_at", "updated_at", "at", "hash", "prev_hash", "entity_id",
            "last_unlock_at", "passphrase_changed_at", "detail", "created_by", "updated_by",
            "private_wrap"}


def _snapshot(conn):
    schema = sorted(tuple(r) for r in conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
    rows = {}
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                 "AND name NOT LIKE 'sqlite_%' ORDER BY name"):
        cur = conn.execute(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cur.description]
        kept = [sorted((n, v) for n, v in zip(names, tuple(r), strict=True)
                       if n not in _VARYING and not n.endswith("_id") and "key" not in n)
                for r in cur]
        rows[table] = sorted(map(repr, kept))
    pragmas = {p: conn.execute(f"PRAGMA {p}").fetchone()[0]
               for p in ("user_version", "journal_mode", "synchronous", "foreign_keys",
                         "secure_delete", "cipher_memory_security")}
    return schema, rows, pragmas


def _vault_json_shape(path):
    data = json.loads(path.read_text())
    slots = sorted((s["user"], sorted(s), s["kdf"]) for s in data["slots"])
    return sorted(data), slots, data["service_name"], data.get("test_kdf")


def test_a_copy_of_the_template_is_the_vault_create_vault_makes(vault, data_dir, tmp_path):
    copy, copy_recovery = vault
    fresh, fresh_recovery = create_vault(tmp_path / "fresh", SERVICE_NAME, MANAGER, MANAGER_NAME,
                                         PASSPHRASE, KeyringStore())
    try:
        (c_schema, c_rows, c_pragmas), (f_schema, f_rows, f_pragmas) = \
            _snapshot(copy.conn), _snapshot(fresh.conn)
        assert c_schema == f_schema
        assert c_pragmas == f_pragmas
        assert sorted(c_rows) == sorted(f_rows)
        for table in f_rows:
            assert c_rows[table] == f_rows[table], table
        assert _vault_json_shape(data_dir / "vault.json") == \
            _vault_json_shape(tmp_path / "fresh" / "vault.json")
        assert sorted(p.name for p in data_dir.iterdir() if not p.name.startswith("confide.db-")) \
            == sorted(p.name for p in (tmp_path / "fresh").iterdir()
                      if not p.name.startswith("confide.db-"))
        assert (data_dir.stat().st_mode & 0o777) == ((tmp_path / "fresh").stat().st_mode & 0o777)
        for name in ("confide.db", "vault.json"):
            assert ((data_dir / name).stat().st_mode & 0o777) == \
                ((tmp_path / "fresh" / name).stat().st_mode & 0o777)
        assert (copy.user.username, copy.user.role, copy.user.full_name) == \
            (fresh.user.username, fresh.user.role, fresh.user.full_name)
        assert copy.must_change_passphrase == fresh.must_change_passphrase is False
        assert copy.private_key is not None and fresh.private_key is not None
        assert copy.vault.vault_id != fresh.vault.vault_id
        assert len(copy_recovery) == len(fresh_recovery)
    finally:
        fresh.lock("test")


def test_a_copy_unlocks_verifies_and_recovers_like_a_new_vault(vault, data_dir):
    session, recovery = vault
    session.lock("test")
    report = verify_vault(data_dir, MANAGER, PASSPHRASE)
    assert report.ok, report.lines
    again = unlock(data_dir, MANAGER, PASSPHRASE)
    actions = [r[0] for r in again.conn.execute("SELECT action FROM audit_event ORDER BY seq")]
    assert actions == ["vault_created", "staff_added", "lock", "unlock"]
    again.lock("test")


def test_each_test_gets_its_own_copy(vault, data_dir, vault_template, tmp_path):
    session, _ = vault
    session.conn.execute("UPDATE staff SET full_name = 'Changed By This Test'")
    session.lock("test")
    again = unlock(data_dir, MANAGER, PASSPHRASE)
    assert again.user.full_name == "Changed By This Test"
    again.lock("test")
    other = open_copy(vault_template, tmp_path / "another")
    try:
        assert other.user.full_name == MANAGER_NAME
    finally:
        other.lock("test")
