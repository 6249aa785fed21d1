"""Service-wide settings kept inside the encrypted database (never in QSettings): reading them.

Changing them is app/services/settings_change.py, which on a team computer needs the team's
code; this module needs none, so the unlock screen (which reads the auto-lock delay) loads no
team module at launch.
"""

import json

from app.domain.role_matrix import Scope, grants
from app.domain.setting_keys import DOCUMENT_TEXT
from app.security.session import Session

DEFAULTS = {"auto_lock_minutes": 5, "documents_text_search": True}
AUTO_LOCK_RANGE = (1, 60)


@grants(Scope.ANY)
def get(session: Session, key: str):
    row = session.conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else DEFAULTS.get(key)


@grants(Scope.ANY)
def auto_lock_minutes(session: Session) -> int:
    return int(get(session, "auto_lock_minutes"))


@grants(Scope.ANY)
def service_name(session: Session) -> str:
    return session.vault.service_name


@grants(Scope.ANY)
def document_text_search(session: Session) -> bool:
    """Whether the words of a received PDF are read for search when it is added."""
    return bool(get(session, DOCUMENT_TEXT))
