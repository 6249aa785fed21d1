"""Staff are shown by their names, not their log-in names."""

from PySide6.QtWidgets import QComboBox

from app.domain.role_matrix import reads_casework
from app.errors import ConfideError
from app.security.session import Session
from app.services.vault import staff


def staff_names(session: Session) -> dict[str, str]:
    """User name -> full name ({} if the register cannot be read)."""
    try:
        return {m.username: m.full_name for m in staff.list_staff(session)}
    except ConfideError:
        return {}


def staff_combo(session: Session, accessible_name: str, *, casework_only: bool = False) -> QComboBox:
    """Active colleagues, me first."""
    combo = QComboBox()
    combo.setAccessibleName(accessible_name)
    me = session.user
    combo.addItem(f"{me.full_name} (me)", me.username)
    try:
        members = staff.list_staff(session)
    except ConfideError:
        members = []
    for member in sorted(members, key=lambda m: m.full_name.casefold()):
        if member.username == me.username or not member.active:
            continue
        if casework_only and not reads_casework(member.role):
            continue
        combo.addItem(member.full_name, member.username)
    return combo


def full_name(names: dict[str, str], username: str | None) -> str:
    """How a colleague is named on screen: their full name. Someone no longer on the register
    keeps the user name the record holds, rather than a blank."""
    return names.get(username or "", username or "")
