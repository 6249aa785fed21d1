"""A document's bytes as document_chunk rows (docs/documents.md, "Storage").

Streamed both ways: a file is read and written a chunk at a time, so a 50 MB file is never
held whole in memory by these functions (viewing a PDF holds it once, by choice)."""

import hashlib
from collections.abc import Iterator
from typing import BinaryIO

from app.domain.documents import CHUNK_BYTES, MAX_BYTES
from app.errors import ValidationError
from app.storage import records


def write(conn, document_id: str, stream: BinaryIO, first: bytes = b"") -> tuple[int, str, int]:
    """Store the stream as chunks inside the caller's transaction; returns (size, sha256 hex,
    chunk count). May raise: ValidationError (too large or empty), OSError (reading)."""
    digest, size, seq = hashlib.sha256(), 0, 0
    pending = first
    while True:
        if len(pending) < CHUNK_BYTES:
            more = stream.read(CHUNK_BYTES - len(pending))
            if more:
                pending += more
                continue
        if not pending:
            break
        piece, pending = pending[:CHUNK_BYTES], pending[CHUNK_BYTES:]
        size += len(piece)
        if size > MAX_BYTES:
            raise ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB, the most Confide "
                                  "keeps in one document. Nothing was saved.", field="file")
        digest.update(piece)
        conn.execute("INSERT INTO document_chunk (id, document_id, seq, data) VALUES (?, ?, ?, ?)",
                     (records.new_id(), document_id, seq, piece))
        seq += 1
        del piece
    if size == 0:
        raise ValidationError("The file is empty. Nothing was saved.", field="file")
    return size, digest.hexdigest(), seq


def iterate(conn, document_id: str) -> Iterator[bytes]:
    """The bytes in order, a chunk at a time (one row read per step)."""
    count = conn.execute("SELECT coalesce(max(seq), -1) FROM document_chunk WHERE document_id = ?",
                         (document_id,)).fetchone()[0]
    for seq in range(count + 1):
        row = conn.execute("SELECT data FROM document_chunk WHERE document_id = ? AND seq = ?",
                           (document_id, seq)).fetchone()
        if row is None:
            return
        yield bytes(row[0])


def complete(conn, document_id: str, chunk_count: int) -> bool:
    """Every chunk is here (a document whose pieces are still arriving from the hub is not)."""
    have = conn.execute("SELECT count(*) FROM document_chunk WHERE document_id = ?",
                        (document_id,)).fetchone()[0]
    return have == chunk_count
