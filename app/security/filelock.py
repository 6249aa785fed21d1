"""An exclusive lock on a folder, across processes (POSIX flock on the folder itself; on
Windows, msvcrt on a lock file inside it, as folders cannot be locked there).

Read-modify-write of a counter shared by several processes (the unlock throttle) loses
updates without it: eight parallel attempts would each read "0 failures" and write "1".
Locking the folder rather than a side file leaves nothing behind in the vault folder.
"""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.errors import ConfideError

WAIT_SECONDS = 30.0


class LockTimeout(ConfideError):
    pass


WINDOWS_LOCK_NAME = "confide.lock"


@contextmanager
def exclusive(folder: Path, wait_seconds: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock on `folder` for the block. Not re-entrant: do not nest.

    The lock goes with the process: a process killed while holding it releases it.
    May raise: LockTimeout (another process held it for longer than `wait_seconds`), OSError.
    """
    folder = Path(folder)
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        fd = os.open(folder / WINDOWS_LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    else:
        fd = os.open(folder, os.O_RDONLY)
    try:
        _acquire(fd, wait_seconds, folder)
        try:
            yield
        finally:
            _release(fd)
    finally:
        os.close(fd)


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _acquire(fd: int, wait_seconds: float, path: Path) -> None:
        deadline = time.monotonic() + wait_seconds
        os.lseek(fd, 0, os.SEEK_SET)
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise LockTimeout(f"{path.name} stayed locked by another Confide; try again.") from None
                time.sleep(0.05)

    def _release(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _acquire(fd: int, wait_seconds: float, path: Path) -> None:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(f"{path.name} stayed locked by another Confide; try again.") from None
                time.sleep(0.01)

    def _release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
