"""Copy a whole encrypted database into another file under another raw key."""

from pathlib import Path

import sqlcipher3

from app.storage import db


def export_copy(conn, target: Path, target_key: bytes) -> None:
    """sqlcipher_export the open database into `target` (a new file) keyed with `target_key`.

    The key is passed as a bound parameter, never formatted into the SQL text.
    """
    db.raw_key_pragma(target_key)  # validates the key
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.execute("ATTACH DATABASE ? AS export_target KEY ?", (str(target), f"x'{bytes(target_key).hex()}'"))
    try:
        conn.execute("SELECT sqlcipher_export('export_target')").fetchone()
        conn.execute(f"PRAGMA export_target.user_version = {int(version)}")
    finally:
        conn.execute("DETACH DATABASE export_target")


def page_copy(conn, target: Path, target_key: bytes) -> None:
    """Copy every page of the open database into `target` (a new file) keyed with `target_key`,
    through SQLite's backup API: each page is decrypted and re-encrypted once, where
    sqlcipher_export re-inserts every row and rebuilds every index and full-text index.

    The copy holds a read snapshot, so writes made meanwhile are not in it and do not disturb
    it. The target is a scratch file for the caller to copy on (no journal, no syncs): the
    caller syncs what it keeps.

    May raise: DatabaseError (a page of the source fails its HMAC: the database is damaged).
    """
    target = Path(target)
    dest = sqlcipher3.connect(str(target), isolation_level=None, check_same_thread=False)
    try:
        dest.execute("PRAGMA cipher_log_level = NONE").fetchall()
        dest.execute(db.raw_key_pragma(target_key))
        dest.execute("PRAGMA journal_mode = OFF").fetchall()
        dest.execute("PRAGMA synchronous = OFF")
        conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE").fetchall()
    finally:
        dest.close()
