"""Read a zip that may have been crafted to exhaust memory (a backup from anywhere).

Confide writes its zips stored, never compressed, with three entries. So before zipfile
builds its table of entries, the end record must announce a handful of entries and a small
central directory, and every entry read into memory must be stored and under its own size
limit. A deflated entry of 300 MB of spaces fits in 300 KB: without these checks reading it
took over 600 MB (docs/security.md, "Hostile files").
"""

import zipfile
from pathlib import Path

MAX_ENTRIES = 16
MAX_DIRECTORY_BYTES = 64 * 1024


class ZipRefused(ValueError):
    """The file is not a zip Confide wrote: too many entries, a compressed or oversized entry."""


def check_directory(path: Path) -> None:
    """Refuse a zip whose central directory is larger than Confide ever writes, before zipfile
    reads it (it keeps one object per entry). May raise: ZipRefused, OSError."""
    with open(path, "rb") as handle:
        # zipfile's own reader of the end record (plain and zip64): public since Python 2.
        end = zipfile._EndRecData(handle)
    if end is None:
        raise ZipRefused("it is not a zip file")
    if end[zipfile._ECD_ENTRIES_TOTAL] > MAX_ENTRIES or end[zipfile._ECD_SIZE] > MAX_DIRECTORY_BYTES:
        raise ZipRefused(f"it lists {end[zipfile._ECD_ENTRIES_TOTAL]} entries in a directory of "
                         f"{end[zipfile._ECD_SIZE]} bytes")


def stored_info(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    """The entry `name`, which must be stored (not compressed). May raise: KeyError, ZipRefused."""
    info = archive.getinfo(name)
    if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
        raise ZipRefused(f"its entry {name} is compressed, which Confide never does")
    return info


def read_stored(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """The bytes of a stored entry of at most `limit` bytes. May raise: KeyError, ZipRefused."""
    info = stored_info(archive, name)
    if info.file_size > limit:
        raise ZipRefused(f"its entry {name} holds {info.file_size} bytes, more than the {limit} "
                         "Confide allows")
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ZipRefused(f"its entry {name} is larger than its directory says")
    return data
