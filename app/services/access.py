"""Who may see what (R4, R16, roles). Every service asks here before it reads or writes."""

from app.domain.records import Case
from app.domain.staff import Role
from app.errors import NotFound, PermissionDenied
from app.security.session import Session

# SQL fragment: cases the current user may see. Bind :me (user name) and :manager (0/1).
VISIBLE_CASE_SQL = ("(:manager = 1 OR c.worker = :me OR c.own_case = 0 OR c.shared_with_family = 1)")


def visibility_params(session: Session) -> dict:
    return {"me": session.user.username, "manager": int(session.user.role == Role.MANAGER)}


def require_casework(session: Session) -> None:
    """Volunteers handle general-information enquiries only."""
    session.require(Role.MANAGER, Role.CASEWORKER)


def can_view_case(session: Session, case: Case) -> bool:
    role = session.user.role
    if role == Role.VOLUNTEER:
        return False
    if role == Role.MANAGER or case.worker == session.user.username:
        return True
    # A young person's own case is firewalled from everyone else unless they agreed (R4).
    return not case.firewalled


def check_case(session: Session, case: Case | None) -> Case:
    if case is None:
        raise NotFound("That case does not exist or has been removed.")
    if not can_view_case(session, case):
        raise PermissionDenied("This case is restricted: only its caseworker and the manager can open it.")
    return case


def can_see_restricted(session: Session, case: Case) -> bool:
    """Safeguarding concerns and incidents (R16): the manager and the case's worker only."""
    return session.user.role == Role.MANAGER or case.worker == session.user.username
