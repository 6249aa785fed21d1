"""Damaged pages in confide.db: `confide verify` names the page, unlocking says plainly that
the database is damaged, and nothing Confide does rewrites (or "repairs") the damaged file."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from app.domain.staff import Role
from app.errors import DatabaseDamaged
from app.security import audit
from app.security.device import KeyFileStore
from app.security.throttle import AttemptLog
from app.services.vault import unlock as vault_service
from app.services.vault.verify import verify_vault
from app.storage import db
from app.storage.staff_repo import StaffRepo
from tests.conftest import PASSPHRASE
from tests.security.support import (
    flip_bytes,
    page_count,
    run_cli,
    sha256,
    stderr_lines,
    subprocess_env,
)

FILLER_EVENTS = 1500
BULK_STAFF = 300


@dataclass
class DamagedVault:
    data_dir: Path
    key_file: Path
    filler: range  # pages holding only old audit rows: nothing at unlock reads them
    staff: range  # pages holding only staff rows and their indexes: unlock reads them

    @property
    def db(self) -> Path:
        return self.data_dir / "confide.db"

    def cli(self, tmp_path, *args, stdin=PASSPHRASE + "\n"):
        return run_cli([*args, "--data-dir", self.data_dir, "--device-key-file", self.key_file,
                        "--passphrase-stdin"], subprocess_env(tmp_path), stdin)


def _pages(conn) -> int:
    return conn.execute("PRAGMA page_count").fetchone()[0]


def _filler(session, tag: str) -> None:
    with db.transaction(session.conn):
        for i in range(FILLER_EVENTS):
            # No object: events about a record also go into the index of object_id (schema 27),
            # whose pages would fall among these and hold no audit row.
            session.audit("filler", "test", None, {"tag": f"{tag}-{i}", "pad": "synthetic " * 8})


@pytest.fixture
def big_vault(tmp_path, data_dir) -> DamagedVault:
    """A vault of several hundred pages, laid out so that we know which pages hold what.

    With no deletes the freelist is empty, so each batch's new pages come after the last.
    """
    key_file = tmp_path / "device.key"
    session, _ = vault_service.create_vault(data_dir, "Svc", "manager", "Test Manager", PASSPHRASE,
                                            KeyFileStore(key_file))
    start = _pages(session.conn)
    _filler(session, "a")
    after_filler = _pages(session.conn)
    repo = StaffRepo(session.conn)
    with db.transaction(session.conn):
        for i in range(BULK_STAFF):
            repo.insert(f"bulk{i:04d}", f"Synthetic Bulk Colleague Number {i:04d}", Role.CASEWORKER, "manager")
    after_staff = _pages(session.conn)
    _filler(session, "b")
    session.lock()
    vault = DamagedVault(data_dir, key_file, range(start + 1, after_filler + 1),
                         range(after_filler + 1, after_staff + 1))
    assert page_count(vault.db) >= after_staff + 50
    assert len(vault.filler) > 50 and len(vault.staff) > 5
    return vault


def _assert_one_plain_line(result, *words):
    lines = stderr_lines(result)
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("confide: ") and "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def test_damaged_middle_page_is_named_by_verify_and_never_rewritten(big_vault, tmp_path):
    page = big_vault.filler[len(big_vault.filler) // 2]
    flip_bytes(big_vault.db, page)
    damaged = sha256(big_vault.db)

    result = big_vault.cli(tmp_path, "verify", "--user", "manager")
    assert result.returncode == 1
    assert f"HMAC verification failed for page {page}" in result.stdout
    assert len(result.stdout.splitlines()) <= 30  # the named page, not pages of B-tree noise
    _assert_one_plain_line(result, "verification failed")
    report = verify_vault(big_vault.data_dir, "manager", PASSPHRASE)
    assert not report.ok and any(f"page {page}" in line for line in report.lines)
    assert sha256(big_vault.db) == damaged

    # Unlock reads only what it needs; it may open. Reading the whole trail must then fail.
    try:
        session = vault_service.unlock(big_vault.data_dir, "manager", PASSPHRASE)
    except DatabaseDamaged as exc:
        assert "damaged" in exc.message
        assert sha256(big_vault.db) == damaged
    else:
        with pytest.raises(db.DatabaseError):
            audit.verify(session.conn)
        session.lock()

    # A backup checks every page's HMAC as it copies it (app/storage/page_copy.py): a damaged
    # database is refused in one plain line naming the page, and no file is left.
    out = tmp_path / "should-not-exist.confide-backup"
    result = big_vault.cli(tmp_path, "backup", "--user", "manager", "--out", out)
    _assert_one_plain_line(result, f"Page {page} of the database is damaged")
    assert not out.exists() and not list(tmp_path.glob(".should-not-exist*"))

    # Whatever was written since, the damaged page was not silently rewritten.
    result = big_vault.cli(tmp_path, "verify", "--user", "manager")
    assert result.returncode == 1 and f"HMAC verification failed for page {page}" in result.stdout


def test_damage_in_pages_unlock_needs_gives_database_damaged_and_touches_nothing(big_vault, tmp_path):
    for page in big_vault.staff:
        flip_bytes(big_vault.db, page)
    damaged = sha256(big_vault.db)

    with pytest.raises(DatabaseDamaged) as info:
        vault_service.unlock(big_vault.data_dir, "manager", PASSPHRASE)
    message = info.value.message
    assert "damaged" in message and "backup" in message and "\n" not in message
    assert sha256(big_vault.db) == damaged
    # Damage is not a wrong passphrase: nobody gets throttled for it.
    assert AttemptLog(big_vault.data_dir / "unlock-attempts.json").failures("manager") == []

    _assert_one_plain_line(big_vault.cli(tmp_path, "staff", "list", "--user", "manager"), "damaged")
    result = big_vault.cli(tmp_path, "verify", "--user", "manager")
    assert result.returncode == 1
    assert f"HMAC verification failed for page {big_vault.staff[0]}" in result.stdout
    assert sha256(big_vault.db) == damaged


@pytest.mark.parametrize("offsets", [(3, 7), (100, 2000)], ids=["salt", "body"])
def test_damaged_first_page_is_refused_at_unlock(big_vault, tmp_path, offsets):
    flip_bytes(big_vault.db, 1, offsets)
    damaged = sha256(big_vault.db)
    with pytest.raises(DatabaseDamaged, match="damaged"):
        vault_service.unlock(big_vault.data_dir, "manager", PASSPHRASE)
    result = big_vault.cli(tmp_path, "verify", "--user", "manager")
    assert result.returncode == 1 and "damaged" in result.stdout
    assert sha256(big_vault.db) == damaged
    assert sorted(p.name for p in big_vault.data_dir.iterdir()) == ["confide.db", "vault.json"]
