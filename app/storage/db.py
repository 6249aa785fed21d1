"""Open the SQLCipher database with the settings of docs/security.md, in their order."""

import re
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3
from sqlcipher3 import dbapi2

from app.errors import DatabaseDamaged

_HEX_KEY = re.compile(r"[0-9a-f]{64}")
MIN_CIPHER_MAJOR = 4
CACHE_KIB = 64 * 1024
# Prepared statements kept per connection. sqlcipher3's cache (pysqlite's) keeps the most used
# and, once full, evicts the newest: a full cache of 100 (its default; unlock's compartment
# sync alone fills it) re-compiled every statement of a save at every save, which under memory
# security cost more CPU than encrypting the pages (docs/security.md, "Saving a note").
CACHED_STATEMENTS = 1024

DatabaseError = dbapi2.DatabaseError
IntegrityError = dbapi2.IntegrityError

# SQLCipher's memory security is OFF, SQLCipher's own default since 4.5 (docs/security.md,
# "Memory security: off, and why"). ON, it mlock()ed and wiped every block SQLite allocated:
# search at 200,000 cases could not meet its target with it (50,000 cases, same run: p95 51 ms
# ON, 12 ms OFF). SQLCipher still wipes its own key material; the process is kept out of
# dumps and debuggers (security/hygiene.py). Set explicitly, so that a build whose default
# differs cannot change it unseen.
MEMORY_SECURITY = "OFF"


def raw_key_pragma(data_key: bytes) -> str:
    """The PRAGMA for a raw 32-byte key. The hex is validated before it is put into SQL."""
    hex_key = bytes(data_key).hex()
    if not _HEX_KEY.fullmatch(hex_key):
        raise ValueError("a data key must be exactly 32 bytes")
    return f"PRAGMA key = \"x'{hex_key}'\""


def rekey(conn, new_key: bytes) -> None:
    """Re-encrypt every page under `new_key` (one write transaction: the file holds the old
    key or the new one, never a mix), then checkpoint so the main file holds the new pages."""
    conn.execute(raw_key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey", 1)).fetchall()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()


def open_with_any(path: Path, keys: list[bytes]) -> tuple[dbapi2.Connection, bytes]:
    """Open with the first of `keys` that proves right (two during a re-key).

    May raise: DatabaseDamaged (none of them opens it).
    """
    failure: DatabaseDamaged | None = None
    for key in keys:
        try:
            return open_database(path, key), key
        except DatabaseDamaged as exc:
            failure = exc
    raise failure or DatabaseDamaged(f"No key in vault.json opens {Path(path).name}.")


def _damaged(path: Path, exc: Exception) -> DatabaseDamaged:
    return DatabaseDamaged(
        f"The database {path.name} cannot be read: it is damaged or does not belong to this "
        f"vault ({exc}). Nothing has been changed. Run 'confide verify' for details, or restore "
        "the latest backup."
    )


def open_database(path: Path, data_key: bytes, *, create: bool = False) -> dbapi2.Connection:
    """Key the connection, prove the key with a read, then apply the working settings.

    May raise: DatabaseDamaged (wrong key, not a database, damaged first page).
    """
    path = Path(path)
    if not create and not path.exists():
        raise DatabaseDamaged(f"The database file {path} is missing. Restore the latest backup.")
    return _open(path, data_key)


def _open(path: Path, data_key: bytes, switched: bool = False) -> dbapi2.Connection:
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10,
                              cached_statements=CACHED_STATEMENTS)
    conn.row_factory = dbapi2.Row
    try:
        # SQLCipher's own log goes to stderr; our errors say what matters in plain words.
        conn.execute("PRAGMA cipher_log_level = NONE").fetchall()
        conn.execute(raw_key_pragma(data_key))
        conn.execute(f"PRAGMA cipher_memory_security = {MEMORY_SECURITY}")
        conn.execute("PRAGMA temp_store = MEMORY")
        # A wrong key shows only here: SQLCipher cannot decrypt page 1.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal" and not switched:
            # A connection that switched the file to WAL itself, with the temporary database's
            # setting below, refuses every later checkpoint ("database table is locked"): the
            # switch is made on a connection of its own (a new vault, a file from long ago).
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal":
                conn.close()
                return _open(path, data_key, switched=True)
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        # Before any temporary table exists (it applies only then): a dropped temporary table
        # gives its memory back at once, in the statement, instead of at the close, which
        # frees (and wipes) it while holding Python's lock: 0.26 s of a frozen window for one
        # 40 MB working table (volunteers' compartments, compartment._write_difference).
        conn.execute("PRAGMA temp.auto_vacuum = FULL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        # SQLCipher keeps decrypted pages in this cache; the default 2,000 pages (8 MB) made a
        # year's report decrypt the same pages again and again. 64 MB stays well inside the
        # memory budget and holds a large service's working set.
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except DatabaseError as exc:
        conn.close()
        raise _damaged(path, exc) from exc
    return conn


def cipher_version(conn) -> str:
    return conn.execute("PRAGMA cipher_version").fetchone()[0]


def check_cipher_version(conn) -> str:
    version = cipher_version(conn) or ""
    try:
        major = int(version.split(".")[0])
    except ValueError:
        major = 0
    if major < MIN_CIPHER_MAJOR:
        raise DatabaseDamaged(
            f"This copy of Confide was built with SQLCipher {version or 'unknown'}; it needs "
            f"version {MIN_CIPHER_MAJOR} or newer. Reinstall Confide.")
    return version


@contextmanager
def transaction(conn):
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error: nothing is saved half-way."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def integrity_problems(conn) -> list[str]:
    """Both checks: SQLCipher's page HMACs and SQLite's own structure check."""
    problems: list[str] = []
    try:
        problems += [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]
    except DatabaseError as exc:
        problems.append(f"cipher integrity check could not run: {exc}")
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        problems += [r for r in rows if r != "ok"]
    except DatabaseError as exc:
        problems.append(f"integrity check could not run: {exc}")
    return problems
