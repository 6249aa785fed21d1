"""Kill a syncing replica at a random moment, then check the team still converges.
Used by test_kill9.py (a few rounds) and tests/perf/sync_kill_loop.py (many)."""

import random
import subprocess
import sys
import time
from pathlib import Path

PROC = Path(__file__).with_name("sync_proc.py")


def run_and_kill(db_path: Path, hub_dir: Path, mode: str, key: bytes, log: Path, rng: random.Random,
                 max_delay: float = 0.6, device_secret: bytes | None = None) -> float:
    with open(log, "wb") as out, open(log.with_suffix(".err"), "wb") as err:
        proc = subprocess.Popen([sys.executable, str(PROC), str(db_path), str(hub_dir), mode],
                                stdin=subprocess.PIPE, stdout=out, stderr=err)
    try:
        proc.stdin.write(key.hex().encode() + b"\n" + (device_secret or b"").hex().encode() + b"\n")
        proc.stdin.close()
        deadline = time.monotonic() + 60
        while b"READY" not in log.read_bytes():
            if proc.poll() is not None:
                raise AssertionError(f"the replica stopped early: {log.with_suffix('.err').read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("the replica never became ready")
            time.sleep(0.005)
        delay = rng.uniform(0.01, max_delay)
        time.sleep(delay)
        if proc.poll() is not None:
            raise AssertionError(f"the replica stopped: {log.with_suffix('.err').read_text()[-2000:]}")
    finally:
        proc.kill()   # SIGKILL, and never at a pid already reaped (poll() above may have)
        proc.wait()
    return delay


def integrity_problems_fresh(session) -> list[str]:
    """Both integrity checks on a new connection. A connection that stayed open while another
    process wrote keeps a stale FTS5 structure, and SQLite's FTS5 integrity check then reports a
    checksum mismatch that a fresh connection (and the file) do not have."""
    from app.storage import db

    conn = db.open_database(session.paths.db, session.data_key)
    try:
        return db.integrity_problems(conn)
    finally:
        conn.close()
