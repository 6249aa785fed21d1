"""Format 3 backups: the database's pages copied as they are, consistent while the database
stays open; and format 2 backups, made by the code before it, still restore."""

import threading
import zipfile

import pytest

from app.errors import BackupInvalid, DatabaseBusy, DatabaseDamaged
from app.security import sealing
from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.vault import unlock as vault_service
from app.services.vault.backup import FORMAT, create_backup
from app.services.vault.restore import restore_backup
from app.services.vault.verify import verify_vault
from app.storage import page_copy
from tests.conftest import PASSPHRASE
from tests.security.support import sha256
from tests.storage.backup_format2 import make_format2_backup
from tests.storage.test_backup_restore import _rewrite


def _add(session, last_name: str) -> None:
    people.create_person(session, PersonInput(kind="parent_carer", first_name="Ada", last_name=last_name))


def _restored_names(data_dir) -> set[str]:
    session = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    try:
        return {p.last_name for p in people.find_people(session)}
    finally:
        session.lock()


def test_the_backup_is_the_database_file_as_it_is_on_disk(session, data_dir, tmp_path):
    out = tmp_path / "pages.confide-backup"
    manifest = create_backup(session, out)
    with zipfile.ZipFile(out) as archive:
        copied = archive.read("database.sqlcipher")
    assert manifest["format"] == FORMAT == 3 and "backup_key" not in manifest
    assert manifest["key_id"] == sealing.key_id(session.data_key, session.vault.vault_id)
    # Nothing was written since, and the WAL was checkpointed into the file before the copy.
    assert copied == (data_dir / "confide.db").read_bytes()
    assert not copied.startswith(b"SQLite format 3")


def test_commits_still_in_the_wal_of_another_connection_are_in_the_backup(session, data_dir, tmp_path):
    other = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    _add(other, "Onlyinthewal")
    assert (data_dir / "confide.db-wal").stat().st_size > 0
    out = tmp_path / "wal.confide-backup"
    create_backup(session, out)
    other.lock()
    session.lock()
    restore_backup(data_dir, out, username="manager", passphrase=PASSPHRASE)
    assert "Onlyinthewal" in _restored_names(data_dir)
    assert verify_vault(data_dir, "manager", PASSPHRASE).ok


def test_a_database_that_keeps_changing_is_refused_plainly_and_nothing_is_left(session, tmp_path, monkeypatch):
    monkeypatch.setattr(page_copy, "_wal_empty", lambda path: False)  # a commit lands every time
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(DatabaseBusy) as info:
        create_backup(session, folder / "busy.confide-backup")
    assert "\n" not in info.value.message and "Try again" in info.value.message
    assert list(folder.iterdir()) == []
    assert not session.conn.in_transaction  # the write lock was let go
    _add(session, "Stillsaves")


def test_a_format_2_backup_still_restores(session, data_dir, tmp_path):
    _add(session, "Formattwo")
    old = tmp_path / "old.confide-backup"
    make_format2_backup(session, old)
    _add(session, "Afterformattwo")
    session.lock()
    kept = restore_backup(data_dir, old, username="manager", passphrase=PASSPHRASE)
    assert kept is not None
    names = _restored_names(data_dir)
    assert "Formattwo" in names and "Afterformattwo" not in names
    assert verify_vault(data_dir, "manager", PASSPHRASE).ok


@pytest.mark.parametrize("fmt", [2, 3])
def test_an_edited_manifest_is_refused_in_either_format(session, data_dir, tmp_path, fmt):
    good = tmp_path / "good.confide-backup"
    manifest = make_format2_backup(session, good) if fmt == 2 else create_backup(session, good)
    session.lock()
    bad = _rewrite(good, tmp_path / "bad.confide-backup", manifest=dict(manifest, created_by="someone-else"))
    live = {p.name: sha256(p) for p in data_dir.iterdir() if p.is_file()}
    with pytest.raises(BackupInvalid, match="altered"):
        restore_backup(data_dir, bad, username="manager", passphrase=PASSPHRASE)
    assert {p.name: sha256(p) for p in data_dir.iterdir() if p.is_file()} == live


def _page_check(session, data_dir):
    page_size = session.conn.execute("PRAGMA page_size").fetchone()[0]
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return page_copy.PageCheck(session.data_key, page_size), bytearray((data_dir / "confide.db").read_bytes())


def test_the_page_check_accepts_every_page_sqlcipher_wrote(session, data_dir):
    for i in range(40):
        _add(session, f"Pagefill{i}")
    check, data = _page_check(session, data_dir)
    assert len(data) // check.page_size > 5
    check(memoryview(data), 0)  # no page refused: the HMAC is computed as SQLCipher computes it


@pytest.mark.parametrize("where", ["page 1, after the salt", "a middle page", "a page's IV"])
def test_a_flipped_byte_in_any_page_is_named(session, data_dir, where):
    for i in range(40):
        _add(session, f"Pagefill{i}")
    check, data = _page_check(session, data_dir)
    size = check.page_size
    page = {"page 1, after the salt": 1, "a middle page": 3, "a page's IV": 4}[where]
    at = (page - 1) * size + (20 if page == 1 else 100 if page == 3 else size - 70)
    data[at] ^= 0x01
    with pytest.raises(DatabaseDamaged) as info:
        check(memoryview(data), 0)
    assert f"Page {page} of the database is damaged" in info.value.message


def test_a_damaged_database_gives_no_backup_file(session, data_dir, tmp_path, monkeypatch):
    for i in range(40):
        _add(session, f"Pagefill{i}")
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    size = int(session.conn.execute("PRAGMA page_size").fetchone()[0])
    with open(data_dir / "confide.db", "r+b") as handle:
        handle.seek(2 * size + 200)
        byte = handle.read(1)
        handle.seek(2 * size + 200)
        handle.write(bytes([byte[0] ^ 0xFF]))
    out = tmp_path / "damaged.confide-backup"
    with pytest.raises(DatabaseDamaged):
        create_backup(session, out)
    assert list(tmp_path.glob("*damaged*")) == []


def test_the_lock_byte_page_at_one_gibibyte_is_not_checked(session, data_dir):
    """SQLite never writes the page holding byte 2**30 (its file locks live there), so a
    database over 1 GiB has one page with no HMAC; the pages either side are still checked."""
    check, data = _page_check(session, data_dir)
    size = check.page_size
    check(memoryview(data), 0)  # sets the HMAC key from page 1's salt
    blank = bytearray(size * 3)  # the page before, the lock-byte page, the page after: no HMACs
    with pytest.raises(DatabaseDamaged) as info:
        check(memoryview(blank), page_copy.PENDING_BYTE - size)
    assert f"Page {page_copy.PENDING_BYTE // size} of" in info.value.message
    check(memoryview(blank[size:2 * size]), page_copy.PENDING_BYTE)  # only the lock-byte page: passes
    with pytest.raises(DatabaseDamaged):
        check(memoryview(blank[2 * size:]), page_copy.PENDING_BYTE + size)


class _RecordingCheck:
    """A page check that records what it was given; after the first piece, each call waits
    (5 s at most) until another call is running beside it."""

    page_size = 4096

    def __init__(self):
        self.seen: list[tuple[int, int]] = []
        self.together = threading.Barrier(2, timeout=5)

    def __call__(self, piece, offset):
        self.seen.append((offset, len(piece)))
        if offset >= page_copy.CHUNK:
            self.together.wait()


def test_every_page_after_the_first_piece_is_checked_in_two_halves_beside_the_copy(tmp_path):
    """The page check costs four times the hash: every piece after the first (which sets the
    key) is checked as two halves at once, beside the copy, each page once (a check that runs
    alone would wait at the barrier and fail)."""
    data = bytes(range(256)) * (16 * 4096 // 256) * 70  # 4.4 MiB: five pieces, the last short
    source = tmp_path / "file"
    source.write_bytes(data)
    written, check, digest = bytearray(), _RecordingCheck(), page_copy.hashlib.sha256()
    assert page_copy.stream(source, written.extend, digest, check) == len(data)
    assert bytes(written) == data and digest.hexdigest() == page_copy.hashlib.sha256(data).hexdigest()
    covered = sorted(check.seen)
    assert covered[0] == (0, page_copy.CHUNK) and sum(length for _, length in covered) == len(data)
    assert all(a + la == b for (a, la), (b, _) in zip(covered, covered[1:], strict=False))  # no page twice, none left out
    assert all(length <= page_copy.CHUNK // 2 for offset, length in covered if offset >= page_copy.CHUNK)


def test_a_damaged_page_deep_in_a_large_database_gives_no_backup_file(session, data_dir, tmp_path):
    session.conn.execute("CREATE TABLE filler (x BLOB)")
    session.conn.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
                         "INSERT INTO filler SELECT randomblob(3000) FROM n")
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    size = int(session.conn.execute("PRAGMA page_size").fetchone()[0])
    assert (data_dir / "confide.db").stat().st_size > 3 * page_copy.CHUNK
    page = (page_copy.CHUNK * 2 + page_copy.CHUNK * 3 // 4) // size + 1  # the second half of the third piece
    with open(data_dir / "confide.db", "r+b") as handle:
        handle.seek((page - 1) * size + 300)
        byte = handle.read(1)
        handle.seek((page - 1) * size + 300)
        handle.write(bytes([byte[0] ^ 0xFF]))
    out = tmp_path / "damaged.confide-backup"
    with pytest.raises(DatabaseDamaged) as info:
        create_backup(session, out)
    assert f"Page {page} of the database is damaged" in info.value.message
    assert list(tmp_path.glob("*damaged*")) == []
