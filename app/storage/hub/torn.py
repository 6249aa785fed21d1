"""Torn claims on a folder hub: a file at an entry's name that is not a whole record.

Only the exclusive-open way of claiming can leave one (a writer that died part-way). It
holds its number while it may still be being written; once it has been still for
TORN_GRACE_SECONDS by the folder's own clock, the next computer to append there moves it to
torn/ (kept, never deleted, never read as an entry) and claims the number. A whole record is
never moved, so the log is blocked for at most the grace period and nothing is lost.
"""

import os
import uuid
from collections.abc import Callable
from pathlib import Path

from app.storage.hub import claim

TORN_GRACE_SECONDS = 120.0


def folder_now(tmp_dir: Path) -> float:
    """The folder's own clock (a fresh file's mtime), so that computers whose clocks
    disagree still agree on how old a file on the share is.

    May raise: OSError.
    """
    probe = tmp_dir / f"clock.{uuid.uuid4().hex}"
    claim.write_new(probe, b"")
    try:
        return probe.stat().st_mtime
    finally:
        probe.unlink(missing_ok=True)


def clear_if_stale(path: Path, torn_dir: Path, tmp_dir: Path, is_whole: Callable[[], bool]) -> bool:
    """Move the torn claim at `path` into `torn_dir` if it has been still long enough.
    True when the name is free to claim again.

    May raise: OSError.
    """
    try:
        data = path.read_bytes()
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return True
    if is_whole():
        return False
    if folder_now(tmp_dir) - mtime < TORN_GRACE_SECONDS:
        return False  # perhaps still being written: wait
    aside = torn_dir / f"{path.name}.{uuid.uuid4().hex}"
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return True  # another computer moved it first
    moved = aside.read_bytes()
    if moved != data:
        # Its writer finished just as we moved it: put the completed entry back.
        try:
            claim.write_new(path, moved)
        except FileExistsError:
            pass
        return False
    return True
