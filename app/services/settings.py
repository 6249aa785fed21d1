"""Service-wide settings kept inside the encrypted database (never in QSettings).

On a computer in a team, a setting the manager makes for the service goes to every computer
of the team as a signed `settings` entry (app/services/team/settings_entry.py); the hub
must be reachable, and nothing changes anywhere when it is not. Outside a team it is this
computer's row.
"""

import json

from app.domain.role_matrix import Scope, grants
from app.domain.text import clean_name
from app.errors import ValidationError
from app.security.session import Session
from app.services.team import membership, settings_entry, state
from app.services.team import team as engine
from app.storage.db import transaction

DEFAULTS = {"auto_lock_minutes": 5, "documents_text_search": True}
AUTO_LOCK_RANGE = (1, 60)


@grants(Scope.ANY)
def get(session: Session, key: str):
    row = session.conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else DEFAULTS.get(key)


@grants(Scope.ANY, "whether a change reaches the team's other computers")
def team_wide(session: Session) -> bool:
    """True on a computer in a team: the service's settings are the team's."""
    return state.in_team(session.conn)


@grants(Scope.MANAGER)
def put(session: Session, key: str, value) -> None:
    """Set one of the service's settings (settings_entry.TEAM_WIDE), for the whole team on a
    team computer. May raise: PermissionDenied, TeamError, HubUnavailable, HubError,
    CredentialStoreUnavailable (the team's hub is out of reach: nothing was changed)."""
    if key not in settings_entry.TEAM_WIDE:
        raise ValueError(f"not a service setting: {key}")
    if not state.in_team(session.conn):
        settings_entry.write_here(session, key, value)
        return
    hub = membership.open_team_hub(session)
    try:
        engine.publish_settings(session, hub, {key: value})
    finally:
        hub.close()
    with transaction(session.conn):
        session.audit("setting_changed", "setting", key, settings_entry.audit_detail(key, value))
    settings_entry.follow_service_name(session)


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
    put(session, settings_entry.AUTO_LOCK, value)
    return value


@grants(Scope.ANY)
def service_name(session: Session) -> str:
    return session.vault.service_name


@grants(Scope.MANAGER)
def set_service_name(session: Session, name) -> str:
    """The service's name on screens, reports, consent forms and subject access packs.
    May raise: PermissionDenied, ValidationError, and what `put` raises."""
    value = clean_name(name, "service_name", "The service's name", required=True, max_len=120)
    put(session, settings_entry.SERVICE_NAME, value)
    if not state.in_team(session.conn):
        settings_entry.follow_service_name(session)
    return value


@grants(Scope.ANY)
def document_text_search(session: Session) -> bool:
    """Whether the words of a received PDF are read for search when it is added."""
    return bool(get(session, settings_entry.DOCUMENT_TEXT))


@grants(Scope.MANAGER)
def set_document_text_search(session: Session, on: bool) -> bool:
    """Turn reading received PDFs' text for search on or off for the service (documents
    already added keep the words they had). May raise: what `put` raises."""
    put(session, settings_entry.DOCUMENT_TEXT, bool(on))
    return bool(on)
