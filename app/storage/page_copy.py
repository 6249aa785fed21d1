"""A consistent copy of a live database file's pages, taken while the database stays open.

The copy is the file as SQLCipher wrote it (pages still encrypted under the data key): no
page is decrypted or re-encrypted, so it costs what copying and hashing the file costs.
"""

import hashlib
import hmac
import struct
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from app.errors import DatabaseBusy, DatabaseDamaged

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


SALT = 16          # page 1 starts with the file's salt, in the clear
HMAC_SIZE = 64     # SQLCipher 4's defaults: HMAC-SHA512 and a 16-byte IV in each page's
RESERVE = 80       # reserved bytes, the key used raw (app/storage/db.py's PRAGMA key)
_PAGE_NUMBER = struct.Struct("<I").pack
PENDING_BYTE = 1 << 30  # SQLite's lock-byte page starts here: never written, so never encrypted


class PageCheck:
    """Checks each page's HMAC as SQLCipher 4 writes it, so that a damaged page stops the
    copy instead of travelling into a backup that would only be refused at restore.

    The HMAC covers the page's encrypted bytes and IV (after the salt on page 1) and the page
    number, little-endian, under a key derived from the raw data key and the file's salt with
    two rounds of PBKDF2-HMAC-SHA512. A test checks this against SQLCipher's own files.
    """

    def __init__(self, data_key: bytes, page_size: int):
        self.data_key = data_key
        self.page_size = int(page_size)
        self.inner = self.outer = None

    def _keys(self, salt: bytes) -> None:
        # HMAC by hand (RFC 2104) from two prepared SHA-512 states, copied per page: a third
        # less CPU than hmac.digest per page on 350,000 pages, the check's whole cost.
        key = hashlib.pbkdf2_hmac("sha512", self.data_key, bytes(b ^ 0x3A for b in salt), 2, 32)
        block = key.ljust(hashlib.sha512().block_size, b"\0")
        self.inner = hashlib.sha512(bytes(b ^ 0x36 for b in block))
        self.outer = hashlib.sha512(bytes(b ^ 0x5C for b in block))

    def __call__(self, piece: memoryview, offset: int) -> None:
        size = self.page_size
        if offset == 0:
            self._keys(bytes(piece[:SALT]))
        inner_state, outer_state, mac_at = self.inner, self.outer, size - HMAC_SIZE
        for start in range(0, len(piece) - size + 1, size):
            if offset + start == PENDING_BYTE:
                continue
            number = (offset + start) // size + 1
            inner = inner_state.copy()
            inner.update(piece[start + (SALT if number == 1 else 0):start + mac_at])
            inner.update(_PAGE_NUMBER(number))
            outer = outer_state.copy()
            outer.update(inner.digest())
            if not hmac.compare_digest(outer.digest(), piece[start + mac_at:start + size]):
                raise DatabaseDamaged(
                    f"Page {number} of the database is damaged (it fails its checksum), so no backup "
                    "was made. Run 'confide verify' and restore your last good backup.")
        if len(piece) % size:
            raise DatabaseDamaged("The database file does not end on a whole page, so no backup was "
                                  "made. Run 'confide verify' and restore your last good backup.")


def stream(path: Path, sink: Callable[[memoryview], object], digest,
           check: Callable[[memoryview, int], None] | None = None) -> int:
    """Read `path` in 1 MiB pieces into `digest` and `sink` (two buffers, reused in turn: a
    1.4 GB file never sits in memory). Call it inside `quiescent`. Returns the bytes read.

    The hash runs on a thread of its own (one thread, so pieces reach the digest in order), and
    `check` (given a run of whole pages and its offset in the file) on two more, each given half
    of every piece, while `sink` writes the piece here and the next piece is read into the other
    buffer (hashlib lets go of the GIL for large buffers, and so do reads and writes). The page
    check is the copy's largest cost (about 2.7 ms of CPU per MiB against 0.7 ms for the hash):
    with it on one thread, each piece waited for it. A buffer is read into again only once
    everything given it has finished, and every check has finished before this returns.

    May raise: OSError, and whatever `check` raises.
    """
    buffers = [bytearray(CHUNK), bytearray(CHUNK)]
    views = [memoryview(b) for b in buffers]
    busy: list[list[Future]] = [[], []]
    total = turn = 0
    # Leaving the executors waits for all their work, so no buffer is freed under a thread.
    with open(path, "rb", buffering=0) as src, \
            ThreadPoolExecutor(1, thread_name_prefix="copy-hash") as hasher, \
            ThreadPoolExecutor(2, thread_name_prefix="copy-check") as checkers:
        while True:
            slot = turn % 2
            _finish(busy[slot])  # this buffer is read into again only once all given it is done
            n = src.readinto(buffers[slot])
            if not n:
                break
            piece = views[slot][:n]
            busy[slot] = [hasher.submit(digest.update, piece)]
            if check is not None:
                if total == 0:
                    check(piece, 0)  # here: page 1's salt sets the key the other pages need
                else:
                    busy[slot] += [checkers.submit(check, part, total + at) for at, part in _halves(piece, check)]
            sink(piece)
            total += n
            turn += 1
        _finish(busy[1 - turn % 2])
    return total


def _halves(piece: memoryview, check) -> list[tuple[int, memoryview]]:
    """Two runs of whole pages (the second takes any part page at the end, which the check refuses)."""
    size = getattr(check, "page_size", 0)
    half = (len(piece) // 2) // size * size if size else 0
    if not half:
        return [(0, piece)]
    return [(0, piece[:half]), (half, piece[half:])]


def _finish(work: list[Future]) -> None:
    """Wait for each piece of work in turn; raise what it raised."""
    while work:
        work.pop(0).result()
