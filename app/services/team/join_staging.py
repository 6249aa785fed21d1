"""A join is all or nothing on disk: the new vault is made in `<data dir>/.joining/` and
moved into place only once it is complete, vault.json last (docs/sync.md §13).

A vault exists when its vault.json does (nothing opens without it), so a join stopped at any
point (an error, a power cut, kill -9) leaves either no vault or a complete one. What an
unfinished join left behind is removed by the next attempt, which then works as the first.
"""

import os
import shutil
from pathlib import Path

from app.config import Paths
from app.errors import VaultExists

STAGING = ".joining"
# Present while files are being moved up: the database beside it came from a join that has
# not finished (no vault.json yet), so the next attempt may remove it.
MARKER = ".join-incomplete"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return                      # Windows cannot open a folder; its renames are durable
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def leftovers(data_dir: Path) -> bool:
    """True when an unfinished join left files in `data_dir`."""
    data_dir = Path(data_dir)
    return (data_dir / STAGING).exists() or (data_dir / MARKER).exists()


def prepare(data_dir: Path) -> Path:
    """Clear what an unfinished join left and return an empty staging folder.

    May raise: VaultExists (a complete vault is already there), OSError.
    """
    data_dir = Path(data_dir)
    paths = Paths(data_dir)
    if paths.vault.exists():
        if (data_dir / MARKER).exists():
            finish(data_dir)        # stopped after vault.json arrived: the vault is whole
        raise VaultExists(f"A Confide vault already exists in {data_dir}. Nothing was changed.")
    if (data_dir / MARKER).exists():
        for name in (paths.db, Path(f"{paths.db}-wal"), Path(f"{paths.db}-shm"), paths.attempts):
            name.unlink(missing_ok=True)
        (data_dir / MARKER).unlink()
    staging = data_dir / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    paths.ensure()
    staging.mkdir(mode=0o700)
    return staging


def publish(staging: Path, data_dir: Path) -> None:
    """Move the complete vault from `staging` into `data_dir`, vault.json last. The vault's
    database must be closed. May raise: OSError (the next attempt clears what is left)."""
    data_dir = Path(data_dir)
    vault_name = Paths(data_dir).vault.name
    (data_dir / MARKER).touch()
    _fsync_dir(data_dir)
    for item in sorted(Path(staging).iterdir()):
        if item.name != vault_name:
            os.replace(item, data_dir / item.name)
    _fsync_dir(data_dir)
    os.replace(Path(staging) / vault_name, data_dir / vault_name)
    _fsync_dir(data_dir)
    finish(data_dir)


def finish(data_dir: Path) -> None:
    data_dir = Path(data_dir)
    shutil.rmtree(data_dir / STAGING, ignore_errors=True)
    (data_dir / MARKER).unlink(missing_ok=True)


def discard(staging: Path, data_dir: Path, existed: bool) -> None:
    """Remove a join that failed; `data_dir` too when the join made it."""
    shutil.rmtree(staging, ignore_errors=True)
    if not existed:
        try:
            Path(data_dir).rmdir()
        except OSError:
            pass
