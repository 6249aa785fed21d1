"""Schema migrations: the registry, upgrading a fixture of every released schema row by row,
a failing or killed step that must leave the file byte-identical, and databases too new or
too old for this build."""

import hashlib
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from app.errors import MigrationFailed, SchemaTooNew, SchemaTooOld
from app.security import audit
from app.security.device import KeyFileStore
from app.services.vault import unlock as vault_service
from app.storage import db, migrations
from app.storage.staff_repo import StaffRepo
from tests.conftest import PASSPHRASE
from tests.fixtures import make_schema_fixtures as fixtures
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
    assert all(callable(step) for _version, step in migrations.MIGRATIONS)
    # Every released schema is still in the list, and upgradable.
    assert set(fixtures.RELEASED) <= set(versions)
    assert migrations.OLDEST_UPGRADABLE == min(fixtures.RELEASED)


def test_every_released_schema_has_a_fixture():
    missing = [v for v in fixtures.RELEASED if not fixtures.fixture_path(v).exists()]
    assert missing == [], "build them with: python -m tests.fixtures.make_schema_fixtures"


# What each fixture must hold, by the version that brought the tables in.
EXPECTED_ROWS = {
    1: {"staff", "setting", "audit_event"},
    3: {"person", "organisation", "relationship", "enquiry", "casefile", "note", "note_revision",
        "action_item", "safeguarding_concern", "incident"},
    4: {"consent", "consent_withdrawal", "disclosure", "mailing_list_member"},
    5: {"paper_file", "paper_file_movement", "staff_record", "policy_review"},
    6: {"subject_access_request"},
    8: {"dp_complaint"},
    10: {"sync_state", "sync_device", "sync_outbox", "sync_conflict", "sync_remote_audit", "sync_refused"},
}
NO_KEYS_IN_FIXTURES = ("staff_key", "sync_epoch")


def _open_fixture(version: int, tmp_path: Path):
    target = tmp_path / "confide.db"
    shutil.copyfile(fixtures.fixture_path(version), target)
    conn = db.open_database(target, fixtures.fixture_key(version))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return conn, target


def _all_rows(conn) -> dict[str, dict[int, dict]]:
    return {table: {row[0]: dict(zip(fixtures.columns(conn, table), row[1:], strict=True))
                    for row in conn.execute(f'SELECT rowid, * FROM "{table}"')}
            for table in fixtures.base_tables(conn)}


@pytest.mark.parametrize("version", fixtures.RELEASED)
def test_fixture_holds_what_its_version_allows(version, tmp_path):
    conn, target = _open_fixture(version, tmp_path)
    try:
        assert target.read_bytes()[:16] != SQLITE_MAGIC
        assert migrations.schema_version(conn) == version
        expected = set().union(*(t for v, t in EXPECTED_ROWS.items() if v <= version))
        empty = {t for t in expected if conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] == 0}
        assert empty == set()
        for table in NO_KEYS_IN_FIXTURES:
            if table in fixtures.base_tables(conn):
                assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
        assert db.integrity_problems(conn) == []
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


@pytest.mark.parametrize("version", fixtures.RELEASED)
def test_released_schema_upgrades_to_current_row_by_row(version, tmp_path):
    """Whatever the current version is (other steps are added all the time): every row of
    every table keeps every value it had; new columns and tables are added around them."""
    conn, target = _open_fixture(version, tmp_path)
    try:
        before = _all_rows(conn)
        searchable = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                      for t in fixtures.search_tables(conn)}
        head = audit.head(conn)
        steps = []
        assert migrations.migrate(conn, target, steps.append) == version
        assert steps == list(range(version + 1, migrations.CURRENT_VERSION + 1))
        assert migrations.schema_version(conn) == migrations.CURRENT_VERSION

        after = _all_rows(conn)
        for table, rows in before.items():
            assert set(after[table]) == set(rows), f"{table}: rows lost or added"
            for rowid, old in rows.items():
                new = {column: after[table][rowid][column] for column in old}
                assert new == old, f"{table} row {rowid} changed"
        for table, count in searchable.items():
            assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == count
        assert audit.verify(conn, head).ok
        assert db.integrity_problems(conn) == []
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        if version >= 10:  # a team member's replica: changes are captured again after the upgrade
            triggers = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                    "AND tbl_name = 'note'").fetchone()[0]
            assert triggers >= 3
        assert not list(target.parent.glob("*.before-v*"))
    finally:
        conn.close()


def test_a_version_0_file_with_tables_is_refused_plainly(tmp_path):
    """Version 0 is only a new, empty file; one with tables was not made by any release."""
    path = tmp_path / "confide.db"
    conn = db.open_database(path, fixture_key(), create=True)
    try:
        conn.execute("CREATE TABLE staff (id TEXT)")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        before = sha256(path)
        with pytest.raises(SchemaTooOld) as info:
            migrations.migrate(conn, path)
        assert "too old to upgrade" in info.value.message and "(schema 0)" in info.value.message
        assert "\n" not in info.value.message
        assert migrations.schema_version(conn) == 0 and sha256(path) == before
    finally:
        conn.close()


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
    monkeypatch.setattr(migrations, "OLDEST_UPGRADABLE", 2)  # the day schema 1 is retired
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
    from app.services.sar.register import Sar

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


KILL_PROC = Path(__file__).with_name("migration_kill_proc.py")


@pytest.mark.parametrize("mode", ["step", "restore"])
def test_killed_upgrade_is_put_back_before_the_next_open(v1_copy, mode):
    """kill -9 in the middle of a step that committed half its work, or half-way through
    putting the safety copy back: the next open restores the file byte for byte."""
    conn = db.open_database(v1_copy, fixture_key())
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    conn.close()
    before = sha256(v1_copy)

    done = subprocess.run([sys.executable, str(KILL_PROC), str(v1_copy), mode],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr[-2000:]
    assert sha256(v1_copy) != before  # the kill did leave a damaged or half-upgraded file
    assert [p.name for p in v1_copy.parent.glob("*.before-v*")] == ["confide.db.before-v2"]

    assert migrations.recover_interrupted(v1_copy) is True
    assert sha256(v1_copy) == before
    assert not list(v1_copy.parent.glob("*.before-v*"))
    assert not Path(f"{v1_copy}-wal").exists()
    assert migrations.recover_interrupted(v1_copy) is False
    conn = db.open_database(v1_copy, fixture_key())
    try:
        assert migrations.schema_version(conn) == 1
        assert "half_done" not in _tables(conn)
        assert "Overwritten Name" not in {r[0] for r in conn.execute("SELECT full_name FROM staff")}
        assert db.integrity_problems(conn) == []
    finally:
        conn.close()


def test_unlock_puts_back_an_interrupted_upgrade(data_dir, vault):
    """The vault's own open path runs the recovery (not only the test above)."""
    session, _ = vault
    db_path = data_dir / "confide.db"
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    shutil.copyfile(db_path, db_path.with_name("confide.db.before-v99"))
    from app.services.vault import staff as staff_service

    staff_service.add_staff(session, "later", "Added After The Copy", "caseworker", PASSPHRASE + " 2")
    session.lock("test")
    again = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    try:
        assert StaffRepo(again.conn).get_by_username("later") is None
        assert not list(data_dir.glob("*.before-v*"))
    finally:
        again.lock("test")


def test_a_new_file_is_built_in_one_step_and_a_failure_leaves_it_empty(tmp_path, monkeypatch):
    path = tmp_path / "confide.db"
    conn = db.open_database(path, fixture_key(), create=True)
    try:
        steps = []
        assert migrations.migrate(conn, path, steps.append) == 0
        assert steps == list(range(1, migrations.CURRENT_VERSION + 1))
        assert migrations.schema_version(conn) == migrations.CURRENT_VERSION
    finally:
        conn.close()

    def broken_step(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("step 3 broke")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS[:2], (3, broken_step)])
    other = tmp_path / "other.db"
    conn = db.open_database(other, fixture_key(), create=True)
    try:
        with pytest.raises(MigrationFailed, match="Nothing was saved"):
            migrations.migrate(conn, other)
        assert migrations.schema_version(conn) == 0
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        assert not list(tmp_path.glob("*.before-v*"))
    finally:
        conn.close()


def test_the_national_step_fills_the_histories_alike_on_every_computer(tmp_path):
    """docs/national.md: upgrading gives every existing case its opening (and closing) state and
    its level as history rows, keeps the old level for the manager to map, and writes the same
    rows on two computers upgrading the same records (ids derived from the case), so a team's
    replicas meet as one."""
    found = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        conn, target = _open_fixture(max(fixtures.RELEASED), tmp_path / name)
        try:
            migrations.migrate(conn, target)
            cases = conn.execute("SELECT id, level, opened_on, closed_on FROM casefile").fetchall()
            assert cases
            states = conn.execute("SELECT id, case_id, state, changed_on, how, created_at FROM case_state_change "
                                  "ORDER BY id").fetchall()
            level_rows = conn.execute("SELECT id, case_id, level, changed_on FROM case_level_change "
                                      "ORDER BY id").fetchall()
            for case_id, level, opened, closed in cases:
                assert (f"{case_id}:opened", case_id, "open", opened) in [tuple(r[:4]) for r in states]
                assert (f"{case_id}:level", case_id, level, opened) in [tuple(r) for r in level_rows]
                assert level in {"information", "advice", "casework", "meeting_support"}   # not mapped yet
                if closed:
                    assert (f"{case_id}:closed", case_id, "closed", closed) in [tuple(r[:4]) for r in states]
            found.append(([tuple(r) for r in states], [tuple(r) for r in level_rows]))
        finally:
            conn.close()
    assert found[0] == found[1]


def test_an_upgrade_of_several_steps_copies_the_file_once_and_fails_whole(v1_conn, v1_copy, monkeypatch):
    # Failed before: a copy per step (the whole file each time), and a failure at the third
    # step left the file at the second.
    copies = []
    real_copy = migrations._copy_durably
    monkeypatch.setattr(migrations, "_copy_durably", lambda src, dst: (copies.append(dst.name), real_copy(src, dst)))

    def fine(conn):
        conn.execute("CREATE TABLE IF NOT EXISTS step_ran (n)")
        conn.execute("INSERT INTO step_ran VALUES (1)")

    def broken(conn):
        raise RuntimeError("step 4 broke")

    monkeypatch.setattr(migrations, "MIGRATIONS", [migrations.MIGRATIONS[0], (2, fine), (3, fine), (4, broken)])
    monkeypatch.setattr(migrations, "CURRENT_VERSION", 4)
    before = sha256(v1_copy)
    with pytest.raises(MigrationFailed, match="before the upgrade") as info:
        migrations.migrate(v1_conn, v1_copy)
    assert "schema 4" in info.value.message and "schema 1" in info.value.message
    assert copies == ["confide.db.before-v2.partial", "confide.db"]   # the copy, then putting it back
    v1_conn.close()
    assert sha256(v1_copy) == before and not list(v1_copy.parent.glob("*.before-v*"))

    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:3])
    monkeypatch.setattr(migrations, "CURRENT_VERSION", 3)
    copies.clear()
    conn = db.open_database(v1_copy, fixture_key())
    try:
        assert migrations.migrate(conn, v1_copy) == 1
        assert copies == ["confide.db.before-v2.partial"]
        assert migrations.schema_version(conn) == 3
        assert conn.execute("SELECT count(*) FROM step_ran").fetchone()[0] == 2
    finally:
        conn.close()
