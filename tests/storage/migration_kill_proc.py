"""Killed with SIGKILL in the middle of a schema upgrade, for tests/storage/test_migrations.py.

Usage: python tests/storage/migration_kill_proc.py DB MODE
  MODE "step":    the step commits half its work behind the migrator's back, then the process dies.
  MODE "restore": the step fails; the process dies half-way through putting the copy back.
DB is a copy of tests/fixtures/schema_v1.db (schema 1).
"""

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.storage import db, migrations  # noqa: E402
from tests.fixtures.make_v1_fixture import fixture_key  # noqa: E402


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def broken_step(conn) -> None:
    conn.execute("CREATE TABLE half_done (x)")
    conn.execute("UPDATE staff SET full_name = 'Overwritten Name'")
    conn.execute("COMMIT")  # what executescript() would do
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()  # and the pages reach the file
    conn.execute("BEGIN IMMEDIATE")
    if MODE == "step":
        die()
    raise RuntimeError("step 2 broke")


def copy_half_then_die(source: Path, target: Path) -> None:
    if ".before-v" in Path(target).name:
        return real_copy(source, target)  # the safety copy is made normally
    data = Path(source).read_bytes()
    with open(target, "r+b") as handle:
        handle.write(data[: len(data) // 2])
        handle.flush()
        os.fsync(handle.fileno())
    die()


if __name__ == "__main__":
    path, MODE = Path(sys.argv[1]), sys.argv[2]
    real_copy = migrations._copy_durably
    if MODE == "restore":
        migrations._copy_durably = copy_half_then_die
    migrations.MIGRATIONS = [migrations.MIGRATIONS[0], (2, broken_step)]
    migrations.CURRENT_VERSION = 2
    conn = db.open_database(path, fixture_key())
    migrations.migrate(conn, path)
    sys.exit("not killed")
