"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

import os
import tempfile
from pathlib import Path

from app.errors import OutputFolderMissing


def require_folder(path: Path) -> None:
    """The folder a file is to be written into must exist; say which one when it does not
    (the temp file's name in an OSError means nothing to the person saving).

    May raise: OutputFolderMissing.
    """
    folder = Path(path).parent
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise OutputFolderMissing(f"The folder {folder} {what}, so {Path(path).name} was not saved. Choose a "
                                  "folder that exists, or create it first.", str(folder))


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """See atomic_write_chunks: the same for bytes held whole."""
    atomic_write_chunks(path, [data], mode)


def atomic_write_chunks(path: Path, chunks, mode: int = 0o600) -> None:
    """Write `data` to `path` via temp file, fsync and `os.replace`.

    Permissions are set on the temp file before any byte is written, so the content is
    never readable by other accounts, even for a moment.
    May raise: OutputFolderMissing (an OSError too), OSError (disk full, read-only folder).
    """
    path = Path(path)
    require_folder(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        # Name the folder, not the temp file nobody asked for.
        raise type(exc)(exc.errno, f"{exc.strerror}: cannot write in the folder", str(path.parent)) from exc
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    # On POSIX the rename itself is only durable once the directory entry is flushed.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
