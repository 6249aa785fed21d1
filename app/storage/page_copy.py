"""A consistent copy of a live database file's pages, taken while the database stays open.

The copy is the file as SQLCipher wrote it (pages still encrypted under the data key): no
page is decrypted or re-encrypted, so it costs what copying and hashing the file costs.
"""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from app.errors import DatabaseBusy

CHUNK = 1 << 20
ATTEMPTS = 5


def _wal_empty(path: Path) -> bool:
    wal = Path(f"{path}-wal")
    return not wal.exists() or wal.stat().st_size == 0


@contextmanager
def quiescent(conn, path: Path) -> Iterator[None]:
    """Hold the write lock while every committed page is in the main file, so the file does
    not change while it is read.

    The checkpoint cannot run inside a transaction (SQLite refuses), so it comes first and the
    write lock after; a commit from another connection in between leaves frames in the WAL,
    and then the lock is let go and the two steps are tried again. Nothing is written under
    the lock, so it ends with ROLLBACK.

    May raise: DatabaseBusy, DatabaseError.
    """
    for _ in range(ATTEMPTS):
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not busy and _wal_empty(path):
                yield
                return
        finally:
            conn.execute("ROLLBACK")
    raise DatabaseBusy("The database kept changing while the copy was being started (another window "
                       "or the command line is saving). Try again in a moment.")


def stream(path: Path, sink: Callable[[memoryview], object], digest) -> int:
    """Read `path` in 1 MiB pieces into `digest` and `sink` (one buffer, reused: a 1.4 GB
    file never sits in memory). Call it inside `quiescent`. Returns the bytes read.

    The hash of each piece runs on a second thread while `sink` writes it (hashlib and zlib
    let go of the GIL for large buffers, and so does the write): with two cores the copy
    costs about what the slower of the two does, not their sum.

    May raise: OSError.
    """
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    total = 0
    with open(path, "rb", buffering=0) as src, ThreadPoolExecutor(1, thread_name_prefix="copy-hash") as pool:
        while True:
            n = src.readinto(buffer)
            if not n:
                return total
            piece = view[:n]
            hashed = pool.submit(digest.update, piece)
            try:
                sink(piece)
            finally:
                hashed.result()  # the buffer is read again only once the hash has taken it
            total += n
