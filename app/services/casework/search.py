"""One search box over people, cases, notes and documents (FTS5 inside the encrypted database),
honouring roles, the R4 firewall and restrictions. Newest matches first.

Words typed before the last must match whole words; the last word is what the user is
still typing, so it matches as a prefix. FTS5 answers a long prefix ("tribun"*) by merging
the postings of every matching term in full, which took seconds over 600,000 notes; so a
prefix of four or more letters is first expanded into the matching terms from the index's
own vocabulary (its term pages, app/storage/search_terms.py), and an OR of whole terms is read
newest-first and stops after `limit`.
Prefixes of two or three letters use the prefix index built for them.
"""

import re
import unicodedata

from app.domain.records import MATCH_END, MATCH_START, SearchHit
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.security.session import Session
from app.services import access
from app.services.casework import read_budget
from app.storage import search_terms
from app.storage.search_index import table_for

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TOKENS = 8
MAX_EXPANSIONS = 40
INDEXED_PREFIX = 3  # the tables' prefix = '2 3'


def tokens(text: str) -> list[str]:
    """Split as FTS5's unicode61 tokenizer does: lower case, diacritics removed."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", (text or "").lower())
                     if not unicodedata.combining(ch))
    return _TOKEN.findall(folded)[:MAX_TOKENS]


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _vocab(session: Session, table: str) -> str:
    name = f"{table}_vocab"
    session.conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{name} USING fts5vocab(main, {table}, row)")
    return name


def _widen(session: Session, table: str, last: str) -> list[str]:
    """The index's words that start with `last`, at most MAX_EXPANSIONS + 1. Read from the
    index's term pages; fts5vocab, which reads every posting of every word it lists, only when
    those pages are not in the format we read."""
    terms = search_terms.with_prefix(session.conn, table, last, MAX_EXPANSIONS + 1)
    if terms is not None:
        return terms
    vocab = _vocab(session, table)
    return [r[0] for r in session.conn.execute(
        f"SELECT term FROM temp.{vocab} WHERE term >= ? AND term < ? LIMIT ?",
        (last, last + "\uffff", MAX_EXPANSIONS + 1))]


@grants(Scope.HELPER)
def fts_query(session: Session, table: str, text: str) -> str | None:
    """A safe FTS5 query for `table`, or None when nothing searchable was typed."""
    words = tokens(text)
    if not words:
        return None
    parts = [_quote(w) for w in words[:-1]]
    last = words[-1]
    if len(last) < 2:
        parts.append(_quote(last))
    elif len(last) <= INDEXED_PREFIX:
        parts.append(_quote(last) + "*")
    else:
        terms = _widen(session, table, last)
        if not terms:
            return None  # no word in the index starts like this
        if len(terms) > MAX_EXPANSIONS:
            parts.append(_quote(last) + "*")  # rare: very many words share it; accept the slower path
        else:
            parts.append("(" + " OR ".join(_quote(t) for t in terms) + ")")
    return " AND ".join(parts)


@grants(Scope.GENERAL, "volunteers: people only; audited bulk read")
def search(session: Session, text: str, limit: int = 50) -> list[SearchHit]:
    """People and cases first (they are few), then notes and documents together, newest first
    by their own date: a hundred thousand documents read first filled every page of hits for
    a common word ("school") and hid every note. Volunteers find people only; nobody finds what
    the firewall (R4) closes to them. Audited as a bulk read (how many words were asked, how
    many hits came back; never the words)."""
    words = tokens(text)
    if not words:
        return []
    volunteer = session.user.role == Role.VOLUNTEER
    if volunteer:
        # The limits of people.find_people (docs/security.md, "Bulk reads"), and names only: a
        # school or an area matched in the indexed body listed every child of that school.
        if len(max(words, key=len)) < read_budget.VOLUNTEER_MIN_LETTERS:
            access.audit_bulk_read(session, "search", 0, words=len(words), refused=True)
            return []
        limit = min(int(limit), read_budget.VOLUNTEER_MAX_ROWS)
    params = {**access.visibility_params(session), "limit": int(limit)}
    visible_case = access.in_visible_case_sql("s.case_id")
    person = f"(s.kind = 'person' AND NOT {access.person_hidden_sql('s.ref_id')})"
    kinds = person if volunteer else f"({person} OR (s.kind != 'person' AND {visible_case}))"
    query = fts_query(session, "search_index", text)
    if volunteer:
        hits = _run(session, "search_index", query, kinds, params, names_only=True)
        for hit in hits:
            hit.snippet = ""  # the school, area and postcode indexed with a name: not theirs to see
    else:
        hits = _run(session, "search_index", query, kinds, params)
        rest = limit - len(hits)
        if rest > 0:
            params["limit"] = rest
            found = (_run(session, table_for("document"), fts_query(session, table_for("document"), text),
                          visible_case, params)
                     + _run(session, table_for("note"), fts_query(session, table_for("note"), text),
                            visible_case, params))
            hits += sorted(found, key=lambda hit: hit.on, reverse=True)[:rest]
    read_budget.charge(session, [h.ref_id for h in hits if h.kind == "person"], "search",
                       bulk={"rows": len(hits), "words": len(words), "limit": int(limit)})
    return hits


def _run(session: Session, table: str, query: str | None, condition: str, params: dict,
         names_only: bool = False) -> list[SearchHit]:
    if query is None:
        return []
    if names_only:
        query = f"title : ({query})"
    rows = session.conn.execute(
        f"SELECT s.kind, s.ref_id, s.case_id, s.title, snippet({table}, 4, :start, :end, ' … ', 12) AS snip, "
        f"{_DATE_SQL} AS hit_on "
        f"FROM {table} s WHERE {table} MATCH :q AND {condition} ORDER BY s.rowid DESC LIMIT :limit",
        {**params, "q": query, "start": MATCH_START, "end": MATCH_END})
    return [SearchHit(r["kind"], r["ref_id"], r["case_id"], r["title"], r["snip"] or "", r["hit_on"] or "")
            for r in rows]


# The date shown beside a hit, read by primary key for the few rows returned.
_DATE_SQL = ("CASE s.kind WHEN 'note' THEN (SELECT occurred_on FROM note WHERE id = s.ref_id) "
             "WHEN 'case' THEN (SELECT opened_on FROM casefile WHERE id = s.ref_id) "
             "WHEN 'document' THEN (SELECT document_date FROM document WHERE id = s.ref_id) "
             "ELSE (SELECT substr(created_at, 1, 10) FROM person WHERE id = s.ref_id) END")
