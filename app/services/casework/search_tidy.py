"""Keep the search indexes' segments few, a small step at a time while the window is idle
(docs/security.md, "Search": the FTS segments). Each step is one short transaction, so a
task the user starts waits no longer than a step behind it."""

from app.domain.role_matrix import Scope, grants
from app.security.session import Session
from app.storage import search_index
from app.storage.db import transaction


@grants(Scope.ANY, "tidies this computer's own search index; returns no records")
def tidy_some(session: Session, pages: int = search_index.TIDY_PAGES) -> bool:
    """Merge one small step of the search indexes. Returns whether there may be more to do.
    May raise: Locked."""
    with transaction(session.conn):
        return search_index.tidy(session.conn, pages)


@grants(Scope.ANY, "counts this computer's own search index segments; returns no records")
def segment_counts(session: Session) -> dict[str, int]:
    return {table: search_index.segments(session.conn, table) for table in search_index.ALL}
