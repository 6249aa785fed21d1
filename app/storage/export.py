"""Copy a whole encrypted database into another file under another raw key."""

from pathlib import Path

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
