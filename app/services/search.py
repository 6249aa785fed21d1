"""One search box over people, cases and notes (FTS5 inside the encrypted database),
honouring roles, the R4 firewall and restrictions. Newest matches first."""

import re

from app.domain.records import SearchHit
from app.domain.staff import Role
from app.security.session import Session
from app.services import access

_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_TOKENS = 8


def fts_query(text: str) -> str | None:
    """Turn what was typed into a safe FTS5 query: each word as a quoted prefix, all required."""
    tokens = _TOKEN.findall(text or "")[:MAX_TOKENS]
    if not tokens:
        return None
    return " ".join('"' + t.replace('"', '""') + '"*' for t in tokens)


def search(session: Session, text: str, limit: int = 50) -> list[SearchHit]:
    """People and cases first (they are few), then notes, each newest first."""
    session.require()
    query = fts_query(text)
    if query is None:
        return []
    params = {**access.visibility_params(session), "q": query, "limit": int(limit)}
    visible_case = ("EXISTS (SELECT 1 FROM casefile c WHERE c.id = s.case_id AND c.deleted_at IS NULL "
                    f"AND {access.VISIBLE_CASE_SQL})")
    volunteer = session.user.role == Role.VOLUNTEER
    kinds = "s.kind = 'person'" if volunteer else f"(s.kind = 'person' OR {visible_case})"
    hits = _run(session, "search_index", kinds, params)
    if not volunteer and len(hits) < limit:
        params["limit"] = limit - len(hits)
        hits += _run(session, "note_search", visible_case, params)
    return hits


def _run(session: Session, table: str, condition: str, params: dict) -> list[SearchHit]:
    rows = session.conn.execute(
        f"SELECT s.kind, s.ref_id, s.case_id, s.title, snippet({table}, 4, '[', ']', ' … ', 12) AS snip "
        f"FROM {table} s WHERE {table} MATCH :q AND {condition} ORDER BY s.rowid DESC LIMIT :limit", params)
    return [SearchHit(r["kind"], r["ref_id"], r["case_id"], r["title"], r["snip"] or "") for r in rows]
