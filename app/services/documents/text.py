"""The words of a received PDF, for search (docs/documents.md, "Search").

Read once, when the document is added, from the file being added (never from a copy on
disk), and kept on the document's row so that every computer of the team indexes the same
words. Bounded: a long report costs about 8 ms of CPU a page to read (pypdf), so only the
first MAX_PAGES pages of a file of at most MAX_FILE_BYTES are read, and at most MAX_CHARS
characters kept. A manager can turn it
off for the service (setting `documents_text_search`); a PDF whose text cannot be read is
kept all the same, searchable by its title and source."""

import json
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from app.domain.setting_keys import DOCUMENT_TEXT

MAX_PAGES = 50
MAX_CHARS = 200_000
# pypdf holds an image's whole stream while it reads a page that draws it: a 50 MB scan raised
# the add's peak memory by about 30 MB. Larger files are mostly scans (little or no text), so
# their words are not read; a report of hundreds of pages of text is well under this.
MAX_FILE_BYTES = 20 * 1024 * 1024
# What pypdf raises on a PDF it cannot follow (beyond its own errors): damaged tables and
# streams surface as these.
_UNREADABLE = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, AssertionError,
               RecursionError, OSError, OverflowError, ZeroDivisionError)


def wanted(conn) -> bool:
    """The service's setting: on unless a manager turned it off."""
    row = conn.execute("SELECT value FROM setting WHERE key = ?", (DOCUMENT_TEXT,)).fetchone()
    return True if row is None else bool(json.loads(row[0]))


def pdf_text(stream: BinaryIO) -> str | None:
    """The text of the first MAX_PAGES pages, or None when the PDF's text cannot be read.
    Leaves the stream where it found it."""
    if not stream.seekable():
        return None
    where = stream.tell()
    if stream.seek(0, 2) > MAX_FILE_BYTES:
        stream.seek(where)
        return None
    try:
        stream.seek(0)
        reader = PdfReader(stream)
        parts, size = [], 0
        for page in reader.pages[:MAX_PAGES]:
            words = page.extract_text() or ""
            parts.append(words)
            size += len(words)
            if size >= MAX_CHARS:
                break
        return " ".join(" ".join(parts).split())[:MAX_CHARS]
    except _UNREADABLE:
        return None
    finally:
        stream.seek(where)
