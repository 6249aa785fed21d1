"""Schema migrations: an ordered registry of steps, each taking the schema up by one version.

Before the first pending step the WAL is checkpointed (so the main file holds every committed
page) and the file is copied once; if any step fails the copy is put back, so an upgrade happens
whole or not at all. A database newer than this build, or older than the oldest version it can
upgrade, is refused with a clear message.

The copy works as a rollback journal: it is complete and on disk (written under a temporary
name, fsynced, then renamed) before the first step starts, and deleted only once the last step
has committed or the copy has been put back and fsynced. A process killed in between leaves it
behind, and `recover_interrupted` puts it back before the database is next opened.
"""

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import sqlcipher3

from app.errors import MigrationFailed, SchemaTooNew, SchemaTooOld
from app.fsutil import fsync_dir
from app.storage import capture
from app.storage.db import DatabaseError
from app.storage.migrations.v016_fts_blocks import fts_blocks_fit
from app.storage.migrations.v027_document_search import document_search

Step = Callable[[object], None]


def _sql_step(name: str) -> Step:
    def run(conn) -> None:
        script = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
        # executescript would COMMIT on its own; run statements inside our transaction instead.
        for statement in _split_sql(script):
            conn.execute(statement)
    run.__name__ = name
    return run


def _split_sql(script: str) -> list[str]:
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlcipher3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def _v008_complaints_and_utc(conn) -> None:
    """The complaints register, and every enquiry time in one form (UTC), so that reports
    compare instants: text comparison of "23:59+01:00" with a UTC bound put it in the wrong period."""
    _sql_step("v008_complaints_and_utc.sql")(conn)
    for enquiry_id, received in conn.execute("SELECT id, received_at FROM enquiry").fetchall():
        moment = datetime.fromisoformat(received)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        normal = moment.isoformat(timespec="seconds")
        if normal != received:
            conn.execute("UPDATE enquiry SET received_at = ? WHERE id = ?", (normal, enquiry_id))


# (version this step produces, step). Append only; never edit a released step.
MIGRATIONS: list[tuple[int, Step]] = [
    (1, _sql_step("v001_foundation.sql")),
    (2, _sql_step("v002_staff_activity.sql")),
    (3, _sql_step("v003_casework.sql")),
    (4, _sql_step("v004_consent.sql")),
    (5, _sql_step("v005_registers.sql")),
    (6, _sql_step("v006_sar.sql")),
    (7, _sql_step("v007_sar_article_12a.sql")),
    (8, _v008_complaints_and_utc),
    (9, _sql_step("v009_key_state.sql")),
    (10, _sql_step("v010_sync.sql")),
    (11, _sql_step("v011_checkout.sql")),
    (12, _sql_step("v012_report_indexes.sql")),
    (13, _sql_step("v013_drafts_and_enquiry_history.sql")),
    (14, _sql_step("v014_checkout_closure_indexes.sql")),
    (15, _sql_step("v015_sar_gather_indexes.sql")),
    (16, fts_blocks_fit),
    (17, _sql_step("v017_laptop_clock_and_removed.sql")),
    (18, _sql_step("v018_volunteer_limits.sql")),
    (19, _sql_step("v019_hub_copies.sql")),
    (20, _sql_step("v020_national_picture.sql")),
    (21, _sql_step("v021_lifecycle.sql")),
    (22, _sql_step("v022_documents.sql")),
    (23, _sql_step("v023_team_key_holders.sql")),
    (24, _sql_step("v024_easy_read_consent.sql")),
    (25, _sql_step("v025_document_text.sql")),
    (26, _sql_step("v026_retention_review_indexes.sql")),
    (27, document_search),
    (28, _sql_step("v028_report_covering_indexes.sql")),
]

CURRENT_VERSION = MIGRATIONS[-1][0]
# Schema 1 is the first release; every released version since has a fixture that upgrades
# (tests/fixtures). Version 0 is only a brand-new, empty file: one at version 0 that already
# has tables was not written by any Confide release, and is refused.
OLDEST_UPGRADABLE = 1


def schema_version(conn) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def check_version(version: int, empty: bool = False) -> None:
    """May raise: SchemaTooNew, SchemaTooOld. `empty`: a new file with no tables yet."""
    if version == 0 and empty:
        return
    if version > CURRENT_VERSION:
        raise SchemaTooNew(
            f"This database was written by a newer version of Confide (schema {version}; this "
            f"copy understands up to {CURRENT_VERSION}). Install the newer Confide; nothing "
            "has been changed.")
    if version < OLDEST_UPGRADABLE:
        raise SchemaTooOld(
            f"This database is from a version of Confide too old to upgrade directly (schema "
            f"{version}). Open it with an intermediate release first; nothing has been changed.")


def migrate(conn, db_path: Path, on_step: Callable[[int], None] | None = None) -> int:
    """Bring the schema to CURRENT_VERSION. Returns the version found before upgrading.

    May raise: SchemaTooNew, SchemaTooOld, MigrationFailed (the file is restored first).
    """
    start = schema_version(conn)
    empty = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    check_version(start, empty)
    if start == 0 and empty:
        _build_new(conn, on_step)
        return start
    pending = [(target, step) for target, step in MIGRATIONS if target > start]
    # One safety copy for the whole upgrade, not one per step: each copy is the whole file
    # (a 6 GB vault two steps behind spent eleven minutes copying on a busy disk).
    copy = _snapshot(conn, Path(db_path), pending[0][0]) if pending else None
    target = start
    try:
        for target, step in pending:
            _run_steps(conn, [(target, step)])
            if on_step:
                on_step(target)
    except Exception as exc:
        _restore(conn, Path(db_path), copy)
        raise MigrationFailed(
            f"Upgrading the database to schema {target} failed ({exc}). The database was put "
            f"back as it was before the upgrade (schema {start}); nothing is lost. Please report this.") from exc
    if copy is not None:
        copy.unlink()
        fsync_dir(copy.parent)
    _refresh_capture(conn)
    return start


def _run_steps(conn, steps, reached: list[int] | None = None) -> None:
    """Run `steps` ((version, step) pairs) and set the schema version after each, all in one
    transaction, rolled back on any failure; `reached` gets the version being run.
    May raise: whatever a step raises."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        for target, step in steps:
            if reached is not None:
                reached[0] = target
            step(conn)
            conn.execute(f"PRAGMA user_version = {int(target)}")
        conn.execute("COMMIT")
    except Exception:
        try:
            conn.execute("ROLLBACK")
        except DatabaseError:
            pass
        raise


def _build_new(conn, on_step: Callable[[int], None] | None) -> None:
    """A brand-new, empty file: every step in one transaction, with no safety copies (there
    is nothing yet to lose, and a failure leaves the file empty). One commit instead of one
    per step makes creating a vault several times faster.

    May raise: MigrationFailed.
    """
    reached = [0]
    try:
        _run_steps(conn, MIGRATIONS, reached)
    except Exception as exc:
        raise MigrationFailed(
            f"Building the new database failed at schema {reached[0]} ({exc}). Nothing was saved in "
            "it. Please report this.") from exc
    for version, _step in MIGRATIONS:
        if on_step:
            on_step(version)
    _refresh_capture(conn)


def _refresh_capture(conn) -> None:
    # Tables added by any step must be captured from now on (docs/sync.md §7).
    if not capture.in_team(conn):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        capture.install_triggers(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _copies(db_path: Path) -> list[Path]:
    found = [p for p in db_path.parent.glob(f"{db_path.name}.before-v*")
             if p.name.rsplit("-v", 1)[1].isdigit()]
    return sorted(found, key=lambda p: int(p.name.rsplit("-v", 1)[1]))


def _copy_durably(source: Path, target: Path) -> None:
    """Copy `source` over `target` in place (an open connection keeps its file; Windows
    cannot replace a file SQLite holds open) and fsync it."""
    with open(source, "rb") as src, open(target, "r+b" if target.exists() else "wb") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)
        dst.truncate()
        dst.flush()
        os.fsync(dst.fileno())


def _snapshot(conn, db_path: Path, target: int) -> Path | None:
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    # Without a checkpoint, committed pages still in the WAL would be missing from the copy.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    copy = db_path.with_name(f"{db_path.name}.before-v{target}")
    partial = copy.with_name(copy.name + ".partial")
    _copy_durably(db_path, partial)
    # Only a complete copy ever carries the name recover_interrupted looks for.
    os.replace(partial, copy)
    fsync_dir(db_path.parent)
    return copy


def _restore(conn, db_path: Path, copy: Path | None) -> None:
    if copy is None:
        return
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    _put_back(db_path, copy)


def _put_back(db_path: Path, copy: Path) -> None:
    # Killed anywhere in here, the copy is still whole on disk and is put back next time.
    _copy_durably(copy, db_path)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    fsync_dir(db_path.parent)
    copy.unlink()
    fsync_dir(db_path.parent)


def recover_interrupted(db_path: Path) -> bool:
    """Before opening: if an upgrade was killed part-way (its safety copy is still there),
    put the database back as it was before that step. Returns whether it did.

    May raise: OSError (the copy could not be put back; it is left in place).
    """
    db_path = Path(db_path)
    for stale in db_path.parent.glob(f"{db_path.name}.before-v*.partial"):
        stale.unlink()  # a copy never finished: the step it was for never started
    copies = _copies(db_path)
    if not copies:
        return False
    # The oldest copy is the state before the first step that did not finish.
    _put_back(db_path, copies[0])
    for later in copies[1:]:
        later.unlink()
    fsync_dir(db_path.parent)
    return True
