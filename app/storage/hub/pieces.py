"""A snapshot on a hub as bounded pieces named by a manifest (docs/hub.md "Snapshots in
pieces").

A large team's snapshot outgrows what one hub row or file should hold (PostgreSQL caps a
value at 1 GiB), so every hub stores it as pieces of at most PIECE_BYTES, each written on its
own, and then, last, a small manifest naming the pieces in order with each one's size and
SHA-256. A reader that finds no manifest sees no snapshot: a writer stopped between pieces
leaves only pieces nobody names, swept later. The hub still holds only ciphertext: the
pieces are consecutive slices of the sealed, signed snapshot, and the manifest holds only
their sizes and hashes.
"""

import hashlib
import json
from collections.abc import Callable, Iterator
from typing import BinaryIO

from app import faults
from app.storage.hub.base import HubError

PIECE_BYTES = 8 * 1024 * 1024
MAGIC = b"CFM1"
MAX_PIECES = 1_000_000          # far beyond any team; a crafted manifest is refused, not looped over


class SnapshotDamaged(HubError):
    """A piece of a snapshot is missing from the hub or is not what its manifest says."""


def slices(source: "bytes | BinaryIO", size: int) -> Iterator[bytes]:
    """`source` (bytes, or a file read from where it stands) a piece of at most `size` at a time."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source)
        for start in range(0, len(view), size):
            yield bytes(view[start:start + size])
        return
    while True:
        data = source.read(size)
        if not data:
            return
        yield data


def write(source: "bytes | BinaryIO", size: int, put_piece: Callable[[int, bytes], None]) -> dict:
    """Store `source` through put_piece(n, bytes), one piece at a time (never the whole in
    memory). Returns the manifest's body: {"size", "pieces": [[sha256, size], ...]}."""
    listed, total = [], 0
    for n, data in enumerate(slices(source, size)):
        listed.append([hashlib.sha256(data).hexdigest(), len(data)])
        total += len(data)
        # A bit flipped on the way is caught by the hash taken above (the data point).
        put_piece(n, faults.data("snapshot.put", data))
        faults.point("snapshot.piece")
    faults.point("snapshot.manifest")
    return {"size": total, "pieces": listed}


def encode(manifest: dict) -> bytes:
    return MAGIC + json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode("utf-8")


def is_manifest(data: bytes) -> bool:
    return bytes(data[:len(MAGIC)]) == MAGIC


def decode(data: bytes, where: str) -> dict:
    """May raise: SnapshotDamaged."""
    try:
        manifest = json.loads(bytes(data[len(MAGIC):]).decode("utf-8"))
        listed = manifest["pieces"]
        ok = is_manifest(data) and isinstance(listed, list) and len(listed) <= MAX_PIECES and all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and isinstance(p[1], int) and p[1] >= 0
            for p in listed) and manifest.get("size") == sum(p[1] for p in listed)
    except (ValueError, KeyError, TypeError) as exc:
        raise SnapshotDamaged(f"The list of pieces of a snapshot on {where} is damaged.") from exc
    if not ok:
        raise SnapshotDamaged(f"The list of pieces of a snapshot on {where} is damaged.")
    return manifest


def copy(manifest: dict, get_piece: Callable[[int], "bytes | None"], out: BinaryIO, upto_seq: int,
         where: str) -> int:
    """Write the pieces the manifest names to `out`, in order, checking each one's size and
    hash as it comes. Returns the bytes written. May raise: SnapshotDamaged, OSError."""
    listed = manifest["pieces"]
    written = 0
    for n, (sha, size) in enumerate(listed):
        data = get_piece(n)
        if data is None:
            raise SnapshotDamaged(f"Piece {n + 1} of {len(listed)} of the snapshot at entry {upto_seq} is "
                                  f"missing from {where}. {_NEXT}")
        if len(data) != size or hashlib.sha256(data).hexdigest() != sha:
            raise SnapshotDamaged(f"Piece {n + 1} of {len(listed)} of the snapshot at entry {upto_seq} on "
                                  f"{where} is damaged. {_NEXT}")
        out.write(data)
        written += len(data)
    out.flush()
    return written


_NEXT = ("A joining computer uses an older snapshot if the hub has one; 'confide hub check' on the "
         "computer that wrote it finds it, and 'confide hub repair' there writes a new one.")
