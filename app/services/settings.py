"""Service-wide settings kept inside the encrypted database (never in QSettings)."""

import json

from app.domain.role_matrix import Scope, grants
from app.errors import ValidationError
from app.security.session import Session
from app.services.vault.unlock import utc_now
from app.storage.db import transaction

DEFAULTS = {"auto_lock_minutes": 5}
AUTO_LOCK_RANGE = (1, 60)


@grants(Scope.ANY)
def get(session: Session, key: str):
    row = session.conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else DEFAULTS.get(key)


@grants(Scope.ANY)
def auto_lock_minutes(session: Session) -> int:
    return int(get(session, "auto_lock_minutes"))


@grants(Scope.MANAGER)
def set_auto_lock_minutes(session: Session, minutes) -> int:
    try:
        value = int(minutes)
    except (TypeError, ValueError):
        raise ValidationError("Enter the number of minutes as a whole number.", field="auto_lock_minutes") from None
    low, high = AUTO_LOCK_RANGE
    if not low <= value <= high:
        raise ValidationError(f"Auto-lock must be between {low} and {high} minutes.", field="auto_lock_minutes")
    with transaction(session.conn):
        session.conn.execute(
            "INSERT INTO setting (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, "
            "updated_by = excluded.updated_by",
            ("auto_lock_minutes", json.dumps(value), utc_now(), session.user.username))
        session.audit("setting_changed", "setting", "auto_lock_minutes", {"value": value})
    return value
