"""Changing the service-wide settings (reading them is app/services/settings.py).

On a computer in a team, a setting the manager makes for the service goes to every computer
of the team as a signed `settings` entry (app/services/team/settings_entry.py); the hub
must be reachable, and nothing changes anywhere when it is not. Outside a team it is this
computer's row.
"""

from app.domain import setting_keys
from app.domain.role_matrix import Scope, grants
from app.domain.text import clean_name
from app.errors import ValidationError
from app.security.session import Session
from app.services.settings import AUTO_LOCK_RANGE
from app.services.team import membership, settings_entry, state
from app.services.team import team as engine
from app.storage.db import transaction


@grants(Scope.ANY, "whether a change reaches the team's other computers")
def team_wide(session: Session) -> bool:
    """True on a computer in a team: the service's settings are the team's."""
    return state.in_team(session.conn)


@grants(Scope.MANAGER)
def put(session: Session, key: str, value) -> None:
    """Set one of the service's settings (setting_keys.TEAM_WIDE), for the whole team on a
    team computer. May raise: PermissionDenied, TeamError, HubUnavailable, HubError,
    CredentialStoreUnavailable (the team's hub is out of reach: nothing was changed)."""
    if key not in setting_keys.TEAM_WIDE:
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


@grants(Scope.MANAGER)
def set_auto_lock_minutes(session: Session, minutes) -> int:
    try:
        value = int(minutes)
    except (TypeError, ValueError):
        raise ValidationError("Enter the number of minutes as a whole number.", field="auto_lock_minutes") from None
    low, high = AUTO_LOCK_RANGE
    if not low <= value <= high:
        raise ValidationError(f"Auto-lock must be between {low} and {high} minutes.", field="auto_lock_minutes")
    put(session, setting_keys.AUTO_LOCK, value)
    return value


@grants(Scope.MANAGER)
def set_service_name(session: Session, name) -> str:
    """The service's name on screens, reports, consent forms and subject access packs.
    May raise: PermissionDenied, ValidationError, and what `put` raises."""
    value = clean_name(name, "service_name", "The service's name", required=True, max_len=120)
    put(session, setting_keys.SERVICE_NAME, value)
    if not state.in_team(session.conn):
        settings_entry.follow_service_name(session)
    return value


@grants(Scope.MANAGER)
def set_document_text_search(session: Session, on: bool) -> bool:
    """Turn reading received PDFs' text for search on or off for the service (documents
    already added keep the words they had). May raise: what `put` raises."""
    put(session, setting_keys.DOCUMENT_TEXT, bool(on))
    return bool(on)
