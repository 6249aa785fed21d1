"""Schema 16: full-text index blocks that fit in an encrypted page.

FTS5 writes its index in blocks of up to 4,050 bytes (its 'pgsz'), sized for a 4,096-byte page
with nothing reserved. SQLCipher keeps 80 bytes of every page for the IV and the HMAC, so a
row keeps at most 3,981 bytes on its own page and the rest goes to an overflow page: nearly
every index block took two pages to read and to decrypt, where plain SQLite reads one. That
made search 1.3-1.4 times slower than plain SQLite. Blocks of 3,900 bytes fit.
"""

PGSZ = 3900
# A block longer than this overflows an encrypted 4,096-byte page (3,981 bytes of payload,
# less the record header): FTS5 treats pgsz as a target and writes a few bytes past it.
FITS = 3970
TABLES = ("search_index", "note_search")


def oversized_blocks(conn, table: str) -> int:
    """How many of `table`'s index blocks still spill into an overflow page."""
    return conn.execute(f"SELECT count(*) FROM {table}_data WHERE length(block) > {FITS}").fetchone()[0]


def fts_blocks_fit(conn) -> None:
    """Set the block size, then rewrite the index once: 'optimize' merges the segments into
    new ones (no text is tokenized again); an index that is already one segment is left as
    it is by 'optimize', so 'rebuild' writes that one from the stored text."""
    for table in TABLES:
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES('pgsz', {PGSZ})")
        if oversized_blocks(conn, table):
            conn.execute(f"INSERT INTO {table}({table}) VALUES('optimize')")
        if oversized_blocks(conn, table):
            conn.execute(f"INSERT INTO {table}({table}) VALUES('rebuild')")
