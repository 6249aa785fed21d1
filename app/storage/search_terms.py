"""The words of an FTS5 index that start with a prefix, read from the index's own term pages
(docs/security.md, "Search": widening the last word). fts5vocab answers the same question
but counts every posting of every word it returns, so widening "plan" read the whole posting
list of "plan" (hundreds of pages at 200,000 cases) to list one word. Here each segment's
b-tree (`<table>_idx`) names the leaf pages where words in the range start, and only those
pages are read: one or two per segment.

The format read is FTS5's own (sqlite/ext/fts5/fts5_index.c): the structure record lists the
segments, `_idx` holds (segment, first word of a leaf page, page number * 2 + flag), and each
leaf page ends in a footer of offsets to the words that start on it, the first stored whole
and the rest sharing a prefix with the word before. Whatever does not look as expected gives
None, and the caller asks fts5vocab instead: slower, never wrong.

A word returned may have no live row left (its rows were deleted or changed, and the merge
that drops it has not run): searching for it finds nothing, so the results are the same."""

from app.storage.search_index import varint

STRUCTURE_ROWID = 10
V2_MARKER = b"\xff\x00\x00\x01"     # contentless_delete tables: a format we do not read
MAIN_INDEX = b"0"                   # the key byte of the main index (prefix indexes: 1, 2, ...)
PAGE_BITS = 37                      # a leaf's rowid: segment id << 37 | page number


def with_prefix(conn, table: str, prefix: str, limit: int) -> list[str] | None:
    """The distinct words of `table`'s index that start with `prefix`, sorted, when fewer than
    `limit`; otherwise `limit` of them, not necessarily the first (the caller then knows only
    that there are many). None when the index could not be read this way."""
    segments = _segments(conn, table)
    if segments is None:
        return None
    low = MAIN_INDEX + prefix.encode("utf-8")
    high = low + b"\xff"                # no UTF-8 byte is 0xff: every key starting with `low` is below
    found: set[bytes] = set()
    for segid, first, last in segments:
        row = conn.execute(f"SELECT pgno FROM {table}_idx WHERE segid = ? AND term <= ? ORDER BY term DESC "
                           "LIMIT 1", (segid, low)).fetchone()
        start = max(first, row[0] >> 1) if row is not None else first
        if start > last:
            return None     # not the layout we expect: let fts5vocab answer
        pages = [start] + [pgno >> 1 for (pgno,) in conn.execute(
            f"SELECT pgno FROM {table}_idx WHERE segid = ? AND term > ? AND term < ? ORDER BY term",
            (segid, low, high)) if start < pgno >> 1 <= last]
        for page in pages:
            block = conn.execute(f"SELECT block FROM {table}_data WHERE id = ?",
                                 ((segid << PAGE_BITS) + page,)).fetchone()
            if block is None:
                return None
            try:
                for term in _words_on_page(bytes(block[0])):
                    if term >= high:
                        break       # the words on a page are in order
                    if term.startswith(low):
                        found.add(term)
            except IndexError:
                return None
            if len(found) >= limit:
                break
    try:
        words = sorted(term[1:].decode("utf-8") for term in found)
    except UnicodeDecodeError:
        return None
    return words[:limit]


def _segments(conn, table: str) -> list[tuple[int, int, int]] | None:
    """(segment id, first page, last page) of each segment holding anything."""
    row = conn.execute(f"SELECT block FROM {table}_data WHERE id = ?", (STRUCTURE_ROWID,)).fetchone()
    if row is None:
        return []
    data = bytes(row[0])
    if data[4:8] == V2_MARKER:
        return None
    try:
        levels, offset = varint(data, 4)
        _count, offset = varint(data, offset)
        _writes, offset = varint(data, offset)
        segments = []
        for _ in range(levels):
            _merging, offset = varint(data, offset)
            count, offset = varint(data, offset)
            for _ in range(count):
                segid, offset = varint(data, offset)
                first, offset = varint(data, offset)
                last, offset = varint(data, offset)
                if first:       # 0: emptied by a merge in progress
                    segments.append((segid, first, last))
    except IndexError:
        return None
    return segments


def _words_on_page(block: bytes):
    """Every key that starts on this leaf page, in order. Most lengths fit in one byte: read
    those inline (a page holds a few hundred short words, and this runs for every search)."""
    end = len(block)
    position = int.from_bytes(block[2:4], "big")   # the footer: offsets of the words
    offset, term = 0, None
    while position < end:
        delta = block[position]
        if delta < 0x80:
            position += 1
        else:
            delta, position = varint(block, position)
        offset += delta
        if term is None:
            size, at = varint(block, offset)
            term = block[at:at + size]
        else:
            shared = block[offset]
            at = offset + 1
            if shared >= 0x80:
                shared, at = varint(block, offset)
            size = block[at]
            if size < 0x80:
                at += 1
            else:
                size, at = varint(block, at)
            term = term[:shared] + block[at:at + size]
        yield term
