"""Drafts: what a member of staff was typing when Confide locked (a note, an enquiry, an
action, a consent form without its signature) and which records they had open. Kept inside
the encrypted database for that person alone, on this computer only (never replicated),
and offered back the next time they unlock. A draft is taken (deleted) when it is offered
back, and one older than DRAFT_DAYS is dropped unread.

The context holds ids only (which case, which note); the fields hold what was typed.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from app import clock
from app.domain.role_matrix import Scope, grants
from app.errors import ValidationError
from app.security.session import Session
from app.storage.db import transaction
from app.storage.records import new_id

KINDS = frozenset({"note", "enquiry", "action", "consent", "letter", "records"})
DRAFT_DAYS = 14
MAX_BYTES = 256 * 1024  # a long note is ~20 KB; this only stops a runaway form


@dataclass(frozen=True)
class Draft:
    id: str
    kind: str
    context: dict
    fields: dict
    created_at: str


@grants(Scope.ANY, "the author's own typing")
def keep_draft(session: Session, kind: str, context: dict, fields: dict) -> str:
    """Keep what was typed for its author. Returns the draft's id.

    May raise: ValidationError (unknown kind, too large), Locked.
    """
    if kind not in KINDS:
        raise ValidationError(f"Confide cannot keep a draft of this kind ({kind}).")
    context_text, fields_text = json.dumps(context, sort_keys=True), json.dumps(fields, sort_keys=True)
    if len(context_text) + len(fields_text) > MAX_BYTES:
        raise ValidationError("This draft is too long to keep.")
    draft_id = new_id()
    with transaction(session.conn):
        session.conn.execute("INSERT INTO draft (id, owner, kind, context, fields, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                             (draft_id, session.user.username, kind, context_text, fields_text,
                              clock.stamp()))
    return draft_id


@grants(Scope.ANY, "only the author's own drafts")
def take_drafts(session: Session, now: datetime | None = None) -> list[Draft]:
    """The signed-in person's drafts, oldest first, removed from the database as they are
    returned (a draft offered back lives in its form again). Old drafts are dropped.

    May raise: Locked.
    """
    cutoff = ((now or clock.now()) - timedelta(days=DRAFT_DAYS)).isoformat(timespec="seconds")
    owner = session.user.username
    with transaction(session.conn):
        rows = session.conn.execute("SELECT id, kind, context, fields, created_at FROM draft WHERE owner = ? "
                                    "AND created_at >= ? ORDER BY created_at, rowid", (owner, cutoff)).fetchall()
        session.conn.execute("DELETE FROM draft WHERE owner = ?", (owner,))
    return [Draft(r[0], r[1], json.loads(r[2]), json.loads(r[3]), r[4]) for r in rows]

