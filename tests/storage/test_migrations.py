"""Schema migrations: the registry, upgrading a real schema-1 file, a failing step that must
leave the file byte-identical, and databases too new or too old for this build."""

import hashlib
import shutil
from importlib import resources

import pytest

from app.errors import MigrationFailed, SchemaTooNew, SchemaTooOld
from app.security import audit
from app.security.device import KeyFileStore
from app.services import vault as vault_service
from app.storage import db, migrations
from app.storage.staff_repo import StaffRepo
from tests.conftest import PASSPHRASE
from tests.fixtures.make_v1_fixture import FIXTURE, STAFF, fixture_key
from tests.security.support import SQLITE_MAGIC, run_cli, sha256, stderr_lines, subprocess_env

# Released steps are frozen: a vault in use was built by exactly these statements.
RELEASED_STEP_SHA256 = {
    "v001_foundation.sql": "2e1a043849a44b5c53067c29738b172b26a32cc84d4c223dfda528280fd5ea54",
    "v002_staff_activity.sql": "defcd86110d3e9f399385bc72f22153cb3134e40448cba093a222cedf56b6be2",
}


def _columns(conn, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _tables(conn) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@pytest.fixture
def v1_copy(tmp_path):
    target = tmp_path / "confide.db"
    shutil.copyfile(FIXTURE, target)
    return target


@pytest.fixture
def v1_conn(v1_copy):
    conn = db.open_database(v1_copy, fixture_key())
    # Opening switches the fixture to WAL, which rewrites page 1 once; fold it in first.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    yield conn
    conn.close()


def test_upgrades_list_is_sane():
    versions = [version for version, _step in migrations.MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert migrations.CURRENT_VERSION == versions[-1]
    assert all(callable(step) for _version, step in migrations.MIGRATIONS)
    assert migrations.OLDEST_UPGRADABLE <= 1  # every fixture below must stay upgradable


def test_released_steps_are_never_edited():
    folder = resources.files(migrations)
    for name, digest in RELEASED_STEP_SHA256.items():
        assert hashlib.sha256(folder.joinpath(name).read_bytes()).hexdigest() == digest, (
            f"{name} was edited after release; add a new step instead")


def test_v1_fixture_is_an_encrypted_schema_1_database(v1_conn, v1_copy):
    assert FIXTURE.read_bytes()[:16] != SQLITE_MAGIC
    assert migrations.schema_version(v1_conn) == 1
    assert "last_unlock_at" not in _columns(v1_conn, "staff")
    assert db.integrity_problems(v1_conn) == []


def test_v1_database_upgrades_to_current_with_its_data(v1_conn, v1_copy):
    staff_before = v1_conn.execute("SELECT id, username, full_name, role, active FROM staff ORDER BY id").fetchall()
    audit_before = v1_conn.execute("SELECT * FROM audit_event ORDER BY seq").fetchall()
    head_before = audit.head(v1_conn)
    assert [tuple(r) for r in staff_before] == [tuple(s) for s in STAFF]

    steps = []
    assert migrations.migrate(v1_conn, v1_copy, steps.append) == 1
    assert steps == list(range(2, migrations.CURRENT_VERSION + 1))
    assert migrations.schema_version(v1_conn) == migrations.CURRENT_VERSION
    assert {"last_unlock_at", "passphrase_changed_at"} <= _columns(v1_conn, "staff")
    assert {"person", "casefile", "note"} <= _tables(v1_conn)

    assert v1_conn.execute("SELECT id, username, full_name, role, active FROM staff ORDER BY id").fetchall() == staff_before
    assert v1_conn.execute("SELECT * FROM audit_event ORDER BY seq").fetchall() == audit_before
    assert audit.verify(v1_conn, head_before).ok
    assert v1_conn.execute("SELECT value FROM setting WHERE key = 'auto_lock_minutes'").fetchone()[0] == "10"
    member = StaffRepo(v1_conn).get_by_username("casey")
    assert member.full_name == "Fixture Caseworker Two" and member.last_unlock_at is None
    assert db.integrity_problems(v1_conn) == []
    assert not list(v1_copy.parent.glob("*.before-v*"))  # the safety copies are cleaned up


def test_upgraded_database_reopens_at_the_current_version(v1_copy):
    conn = db.open_database(v1_copy, fixture_key())
    migrations.migrate(conn, v1_copy)
    conn.close()
    conn = db.open_database(v1_copy, fixture_key())
    try:
        assert migrations.schema_version(conn) == migrations.CURRENT_VERSION
        assert migrations.migrate(conn, v1_copy) == migrations.CURRENT_VERSION  # nothing left to do
    finally:
        conn.close()


@pytest.mark.parametrize("escapes_transaction", [False, True], ids=["rolled-back", "committed-half"])
def test_failing_step_leaves_the_file_byte_identical(v1_conn, v1_copy, monkeypatch, escapes_transaction):
    def broken_step(conn):
        conn.execute("CREATE TABLE half_done (x)")
        conn.execute("INSERT INTO half_done VALUES (1)")
        conn.execute("UPDATE staff SET full_name = 'Overwritten Name'")
        if escapes_transaction:
            # What executescript() would do: commit behind the migrator's back, then go on.
            conn.execute("COMMIT")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM setting")
        raise RuntimeError("step 2 broke half-way")

    monkeypatch.setattr(migrations, "MIGRATIONS", [migrations.MIGRATIONS[0], (2, broken_step)])
    monkeypatch.setattr(migrations, "CURRENT_VERSION", 2)
    before = sha256(v1_copy)
    with pytest.raises(MigrationFailed, match="put back") as info:
        migrations.migrate(v1_conn, v1_copy)
    assert "step 2 broke half-way" in info.value.message
    assert sha256(v1_copy) == before
    v1_conn.close()
    assert sha256(v1_copy) == before  # closing the connection wrote nothing either
    assert not list(v1_copy.parent.glob("*.before-v*"))

    conn = db.open_database(v1_copy, fixture_key())
    try:
        assert migrations.schema_version(conn) == 1
        assert "half_done" not in _tables(conn)
        assert conn.execute("SELECT count(*) FROM setting").fetchone()[0] == 1
        assert "Overwritten Name" not in {r[0] for r in conn.execute("SELECT full_name FROM staff")}
        assert db.integrity_problems(conn) == []
    finally:
        conn.close()


def test_database_newer_than_this_build_is_refused_untouched(v1_conn, v1_copy):
    v1_conn.execute(f"PRAGMA user_version = {migrations.CURRENT_VERSION + 1}")
    v1_conn.close()
    before = sha256(v1_copy)
    conn = db.open_database(v1_copy, fixture_key())
    try:
        with pytest.raises(SchemaTooNew, match="newer version of Confide"):
            migrations.migrate(conn, v1_copy)
    finally:
        conn.close()
    assert sha256(v1_copy) == before


def test_database_older_than_the_oldest_upgradable_is_refused_untouched(v1_conn, v1_copy, monkeypatch):
    monkeypatch.setattr(migrations, "OLDEST_UPGRADABLE", 2)
    before = sha256(v1_copy)
    with pytest.raises(SchemaTooOld, match="too old"):
        migrations.migrate(v1_conn, v1_copy)
    assert sha256(v1_copy) == before and migrations.schema_version(v1_conn) == 1


def test_vault_from_a_newer_confide_is_refused_by_unlock_and_the_cli(tmp_path, data_dir):
    key_file = tmp_path / "device.key"
    session, _ = vault_service.create_vault(data_dir, "Svc", "manager", "Test Manager", PASSPHRASE,
                                            KeyFileStore(key_file))
    data_key = session.data_key
    session.lock()
    conn = db.open_database(data_dir / "confide.db", data_key)
    conn.execute(f"PRAGMA user_version = {migrations.CURRENT_VERSION + 1}")
    conn.close()
    before = {p.name: sha256(p) for p in data_dir.iterdir()}

    with pytest.raises(SchemaTooNew) as info:
        vault_service.unlock(data_dir, "manager", PASSPHRASE)
    assert f"schema {migrations.CURRENT_VERSION + 1}" in info.value.message
    assert "nothing has been changed" in info.value.message

    result = run_cli(["staff", "list", "--data-dir", data_dir, "--user", "manager", "--passphrase-stdin",
                      "--device-key-file", key_file], subprocess_env(tmp_path), PASSPHRASE + "\n")
    assert result.returncode == 1
    lines = stderr_lines(result)
    assert len(lines) == 1 and lines[0].startswith("confide: ") and "newer version" in lines[0]
    assert {p.name: sha256(p) for p in data_dir.iterdir()} == before


def test_v7_keeps_a_schema_6_clarification_as_a_stopped_clock(v1_conn, v1_copy, monkeypatch):
    """A request whose clarification was recorded under schema 6 keeps its paused days."""
    from app.services.sar import Sar

    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:6])
    migrations.migrate(v1_conn, v1_copy)
    now = "2026-03-02T10:00:00+00:00"
    v1_conn.execute("INSERT INTO person (id, kind, first_name, last_name, created_at, updated_at) VALUES "
                    "('p1', 'parent_carer', 'Dana', 'Hartley', ?, ?)", (now, now))
    for ref, asked, answered in (("SAR-2026-0001", "2026-02-20", "2026-03-02"), ("SAR-2026-0002", None, None)):
        v1_conn.execute(
            "INSERT INTO subject_access_request (id, reference, received_on, subject_id, requester_kind, "
            "requester_name, identity_received_on, clarification_requested_on, clarification_received_on, status, "
            "created_at, updated_at) VALUES (?, ?, '2026-02-10', 'p1', 'subject', 'Dana Hartley', '2026-02-10', "
            "?, ?, 'in_review', ?, ?)", (ref, ref, asked, answered, now, now))
    v1_conn.commit()
    monkeypatch.undo()
    migrations.migrate(v1_conn, v1_copy)
    assert migrations.schema_version(v1_conn) == migrations.CURRENT_VERSION
    rows = {r["reference"]: r for r in v1_conn.execute("SELECT * FROM subject_access_request")}
    assert rows["SAR-2026-0001"]["clarification_pauses"] == '[["2026-02-20","2026-03-02"]]'
    assert rows["SAR-2026-0002"]["clarification_pauses"] == "[]"
    assert Sar.from_row(rows["SAR-2026-0001"]).deadline().due.isoformat() == "2026-03-23"
