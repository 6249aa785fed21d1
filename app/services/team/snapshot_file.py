"""The rows a snapshot carries: an encrypted SQLCipher database file (docs/sync.md §10).

Measured on 5,000 cases (140,000 rows), with SQLCipher's memory security on as Confide
always runs: a row bound from Python (executemany) or extracted from JSON costs 100-250 µs,
a row copied by INSERT ... SELECT between databases 1.5 µs. So the writer copies the
replicated tables into a new database file keyed with a random snapshot key (CREATE TABLE
... AS SELECT), and the joiner attaches that file and copies the rows into its own tables,
emptied of rows, indexes and capture triggers, then builds the indexes once. The file
holds only the replicated tables and each computer's chain position: never device keys,
staff slots, the outbox or any other local-only table. It is written fresh, so it has no
free pages holding older data.
"""

import hashlib
import mmap
import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

from uuid6 import uuid7

from app.services.team.bundle import BundleRefused
from app.storage import capture as triggers
from app.storage.capture import columns, replicated_tables

CHAINS = "confide_chains"       # the snapshot's own table: each computer's place in its chain
_PREFIX = "snapshot-"
COPY_CHUNK = 1 << 20
BROKEN = "The hub's snapshot was altered or not written by a computer of this team."


def _key_literal(key: bytes) -> str:
    return f"x'{key.hex()}'"


def _folder(conn) -> Path:
    return Path(next(r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main")).parent


_IN_USE: set[Path] = set()      # files of a restore in progress: never swept


def _temp_path(conn) -> Path:
    folder = _folder(conn)
    # Left by a computer stopped half-way: ciphertext under a key that was never stored.
    for old in folder.glob(f"{_PREFIX}*.tmp*"):
        if old not in _IN_USE:
            try:
                old.unlink(missing_ok=True)
            except OSError:
                pass                                        # open elsewhere: swept next time
    return folder / f"{_PREFIX}{uuid7()}.tmp"


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


def dump_to(conn, key: bytes, path: Path) -> None:
    """Write the replicated tables and each known computer's chain position to a new database
    file at `path`, encrypted under `key`. Call outside a transaction.

    (Tried: the file made with this schema's indexes, so that SQLite copies tables with their
    indexes page by page at both ends. At 50,000 cases it was slower at both ends than
    copying rows and building indexes once: 3x at the writer, 1.5x at the joiner.)"""
    conn.execute("ATTACH DATABASE ? AS snap KEY ?", (str(path), _key_literal(key)))
    # Off so SQLite's transfer optimisation applies (it never does with foreign keys on):
    # nothing is written to main here.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("PRAGMA snap.journal_mode = OFF")      # a scratch file: no durability needed
        conn.execute("PRAGMA snap.synchronous = OFF")
        conn.execute("BEGIN")                               # one consistent state of main
        try:
            for table in replicated_tables(conn):
                conn.execute(_in_snap(conn, table))
                conn.execute(f"INSERT INTO snap.{table} SELECT * FROM main.{table}")
            conn.execute(f"CREATE TABLE snap.{CHAINS} AS SELECT device_id, last_dseq, last_hash, last_seq "
                         "FROM main.sync_device")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DETACH DATABASE snap")


def _in_snap(conn, table: str) -> str:
    """The table's own CREATE TABLE, made in `snap`: same columns, constraints and primary
    key, no other index. With both sides alike, `INSERT INTO t SELECT * FROM t` is SQLite's
    transfer optimisation at both ends: records copied as they are, neither decoded nor
    checked again."""
    sql = conn.execute("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
    made, n = re.subn(rf'^CREATE TABLE\s+("?){re.escape(table)}\1', f'CREATE TABLE snap."{table}"', sql, count=1)
    if n != 1:
        raise ValueError(f"unexpected definition of table {table}")
    return made


def dump_into(conn, key: bytes, out) -> None:
    """dump_to, appended to the open file `out` a chunk at a time. Call outside a transaction."""
    path = _temp_path(conn)
    try:
        dump_to(conn, key, path)
        with open(path, "rb") as src:
            shutil.copyfileobj(src, out.file, COPY_CHUNK)
    finally:
        _remove(path)


class Payload:
    """A snapshot being put together in a file beside the vault (ciphertext, 0600), removed
    at the end of the `with` block: what the hub is handed, a piece at a time."""

    def __init__(self, conn):
        self.conn, self.path, self.file = conn, None, None

    def __enter__(self):
        self.path = Path(f"{_temp_path(self.conn)}-out")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        self.file = os.fdopen(fd, "w+b")
        _IN_USE.add(self.path)
        return self

    def write(self, data) -> None:
        self.file.write(data)

    @contextmanager
    def mapped(self):
        """The bytes written so far, mapped read-only (pages of the file, not a heap copy)."""
        self.file.flush()
        whole = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
        view = memoryview(whole)
        try:
            yield view
        finally:
            view.release()
            whole.close()

    def digest(self) -> tuple[str, int]:
        """SHA-256 (hex) and size of what was written."""
        with self.mapped() as whole:
            return hashlib.sha256(whole).hexdigest(), len(whole)

    def rewind(self) -> None:
        self.file.flush()
        self.file.seek(0)

    def __exit__(self, *exc):
        self.file.close()
        _IN_USE.discard(self.path)
        self.path.unlink(missing_ok=True)
        return False


class Fetched:
    """The hub's latest snapshot (or, with `skip`, an older one) copied into a file beside the vault (ciphertext, 0600) and
    mapped into memory read-only for the time of a `with` block, then removed: checking it
    (its signature covers every byte) reads the pages the system already holds for the file,
    and no copy of hundreds of megabytes is made on the heap. `info` is None when the hub
    holds no snapshot. May raise: HubError, OSError."""

    def __init__(self, conn, hub, skip: int = 0):
        self.conn, self.hub, self.skip = conn, hub, skip
        self.path, self.file, self.map, self.info = None, None, None, None

    def __enter__(self):
        self.path = Path(f"{_temp_path(self.conn)}-payload")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        self.file = os.fdopen(fd, "w+b")
        _IN_USE.add(self.path)
        try:
            self.info = self.hub.fetch_latest_snapshot(self.file, self.skip)
            if self.info is not None and self.info.size:
                self.map = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    @property
    def payload(self):
        return self.map if self.map is not None else b""

    def __exit__(self, *exc):
        if self.map is not None:
            try:
                self.map.close()
            except BufferError:
                pass                                        # a view still open: freed with it
        self.file.close()
        _IN_USE.discard(self.path)
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass                                            # still mapped (Windows): swept next time
        return False


class Attached:
    """The snapshot's database file, written beside the vault, attached as `snap` and then
    removed at the end of a `with` block. The file is written on a thread of its own from the
    start of the block, while the caller checks the snapshot's signature (which gives up
    Python's lock while it hashes): at 200,000 cases each takes seconds. Nothing reads the
    file before `attach`, which the caller reaches only once the signature holds.
    ATTACH and DETACH cannot happen inside a transaction: open this around it."""

    def __init__(self, conn, data: bytes):
        self.conn, self.data = conn, data
        self.path, self._writer, self._failed = None, None, None

    def __enter__(self):
        self.path = _temp_path(self.conn)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        _IN_USE.add(self.path)
        self._writer = threading.Thread(target=self._write, args=(fd,), name="snapshot-file", daemon=True)
        self._writer.start()
        return self

    def _write(self, fd: int) -> None:
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(self.data)
        except BaseException as exc:                        # raised by attach, on the caller's thread
            self._failed = exc

    def _written(self) -> None:
        if self._writer is not None:
            self._writer.join()
            self._writer = None
        self.data = None

    def attach(self, key: bytes) -> None:
        """May raise: OSError (the file could not be written), BundleRefused."""
        self._written()
        if self._failed is not None:
            raise self._failed
        try:
            self.conn.execute("ATTACH DATABASE ? AS snap KEY ?", (str(self.path), _key_literal(key)))
            self.conn.execute("SELECT count(*) FROM snap.sqlite_master").fetchone()
        except Exception as exc:
            raise BundleRefused(BROKEN) from exc

    def __exit__(self, *exc):
        self._written()
        try:
            self.conn.execute("DETACH DATABASE snap")
        except Exception:
            pass                                            # never attached
        _IN_USE.discard(self.path)
        _remove(self.path)
        return False


def load(conn, skip: frozenset = frozenset()) -> list[tuple]:
    """Replace every replicated table's rows with those of the attached snapshot, except the
    tables in `skip`, left as they are (a laptop's casework: docs/sync.md §14). Call
    inside one transaction with capture off and foreign keys off: on any failure the caller
    rolls back and nothing has changed. Returns the computers' chain positions.

    May raise: BundleRefused (the snapshot does not fit this computer's schema).
    """
    tables = replicated_tables(conn)
    theirs = {r[0] for r in conn.execute("SELECT name FROM snap.sqlite_master WHERE type = 'table'")}
    unknown = theirs - set(tables) - {CHAINS}
    if unknown:
        raise BundleRefused(f"The hub's snapshot holds tables this computer does not have ({', '.join(sorted(unknown))}). "
                            "Update Confide on this computer, then try again.", deterministic=False)
    marks = ",".join("?" for _ in tables)
    indexes = conn.execute(f"SELECT name, sql, tbl_name FROM main.sqlite_master WHERE type = 'index' "
                           f"AND sql IS NOT NULL AND tbl_name IN ({marks})", tables).fetchall()
    capture_triggers = conn.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND name LIKE ?",
                                    (triggers.TRIGGER_PREFIX + "%",)).fetchall()
    # This connection's own temporary watchers on these tables (the volunteers' compartments
    # note each row written) would run for every row and rule out the transfer optimisation.
    # They are dropped, not made again: every row is replaced, so what they would have noted
    # is "everything", and a watcher that finds itself gone starts from the whole tables.
    for (name,) in conn.execute(f"SELECT name FROM temp.sqlite_master WHERE type = 'trigger' "
                                f"AND tbl_name IN ({marks})", tables).fetchall():
        conn.execute(f"DROP TRIGGER temp.{name}")
    # Indexes are built once at the end, faster than kept up to date row by row; capture
    # triggers would only test the flag for every row.
    for name, _, _ in indexes:
        conn.execute(f"DROP INDEX main.{name}")
    for name, _ in capture_triggers:
        conn.execute(f"DROP TRIGGER main.{name}")
    for table in reversed(tables):
        if table not in skip:
            conn.execute(f"DELETE FROM main.{table}")
    checks = _Checks(conn) if not skip else None
    for table in tables:
        if table in theirs and table not in skip:
            _copy(conn, table)
        # Each table's indexes right after its rows, while its pages are still in the cache.
        for _, sql, _ in (i for i in indexes if i[2] == table):
            conn.execute(sql)
        if checks is not None:
            checks.loaded(table)
    if checks is not None:
        checks.rest()
    for _, sql in capture_triggers:
        conn.execute(sql)
    return [tuple(r) for r in conn.execute(f"SELECT device_id, last_dseq, last_hash, last_seq FROM snap.{CHAINS}")]



class _Checks:
    """The foreign-key check of a whole restore, one table at a time: each table's references
    are checked as soon as it and every table it refers to are loaded, while its pages are
    still in the cache. Checked once at the end instead, at 200,000 cases, the check read
    every table again from disk (21.5 s of CPU). The same references are checked: rows are
    only added after a table is loaded, so a reference that held then holds at the end.

    May raise: BundleRefused (a row refers to one the snapshot does not hold)."""

    def __init__(self, conn):
        self.conn, self.present = conn, set()
        # Each table with references not yet checked, with the tables it refers to (itself
        # included). Local-only tables too: one referring to a row the snapshot replaced
        # must be refused as before.
        self.waiting = {}
        for (t,) in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'").fetchall():
            parents = {r[2] for r in conn.execute(f'PRAGMA main.foreign_key_list("{t}")')}
            if parents:
                self.waiting[t] = parents

    def loaded(self, table: str) -> None:
        self.present.add(table)
        for t in [t for t, parents in self.waiting.items() if t in self.present and parents <= self.present]:
            self._check(t)

    def rest(self) -> None:
        """Check what is left: local-only tables, and any table referring to one."""
        for t in list(self.waiting):
            self._check(t)

    def _check(self, table: str) -> None:
        del self.waiting[table]
        if self.conn.execute(f"PRAGMA main.foreign_key_check({table})").fetchone() is not None:
            raise BundleRefused(BROKEN)


def _copy(conn, table: str) -> None:
    have = [r[1] for r in conn.execute(f"PRAGMA snap.table_info({table})")]
    ours = columns(conn, table)
    if have == ours:
        # The same table at both ends (a snapshot made by this schema: dump_to): SQLite's
        # transfer optimisation copies the records as they are. Any other shape (an older
        # snapshot's CREATE TABLE ... AS SELECT, another schema) goes row by row.
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM snap.{table}")
    else:
        cols = ", ".join(c for c in ours if c in set(have))
        conn.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM snap.{table}")
