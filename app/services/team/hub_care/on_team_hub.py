"""Hub check, repair and a manager's void as the screens and the command line run them: on
this computer's own way to the hub, or on another way given (a PostgreSQL hub's owner
connection, which an entry before the end of its log needs; docs/hub.md "Repair")."""

from app.domain.role_matrix import Scope, grants
from app.services.team import blocks, compaction, membership
from app.services.team.hub_care import repair as hub_repair
from app.services.team.hub_care.check import Report
from app.services.team.hub_care.repair import RepairResult
from app.storage.hub.base import Hub


def _open(session, location: str | None) -> Hub:
    return compaction.open_admin_hub(location) if location else membership.open_team_hub(session)


@grants(Scope.CASEWORK, "compares the hub with this computer's copies: no family's data shown")
def check_hub(session, location: str | None = None) -> Report:
    """May raise: Locked, PermissionDenied, NotInTeam, HubUnavailable, HubError."""
    hub = _open(session, location)
    try:
        return hub_repair.check_session(session, hub)
    finally:
        hub.close()


@grants(Scope.CASEWORK, "puts back hub entries from this computer's own copies")
def repair_hub(session, location: str | None = None) -> RepairResult:
    """May raise: Locked, PermissionDenied, NotInTeam, HubUnavailable, HubError."""
    hub = _open(session, location)
    try:
        return hub_repair.repair_session(session, hub)
    finally:
        hub.close()


@grants(Scope.MANAGER, "a manager's signed decision that every computer passes over one hub entry")
def void_entry(session, seq: int, reason: str) -> int:
    """Returns the void decision's own entry number.

    May raise: PermissionDenied, ValidationError, HubUnavailable, HubError."""
    hub = membership.open_team_hub(session)
    try:
        return blocks.void(session, hub, seq, reason)
    finally:
        hub.close()
