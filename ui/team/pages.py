"""The team pages of the workspace: Conflicts (managers and caseworkers, the people who may
see both sides) and Team (a manager's), only on a computer that is part of a team."""

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.domain.staff import Role
from app.errors import ConfideError
from app.security.session import Session
from app.services.team import membership
from ui.operations import Operations
from ui.team.conflict_view import ConflictView
from ui.team.team_view import TeamView

CONFLICTS, TEAM = "Conflicts", "Team"


class TeamPages(QObject):
    def __init__(self, session: Session, ops: Operations, host: QWidget):
        super().__init__(host)
        try:
            in_team = membership.sync_status(session).in_team
        except ConfideError:
            in_team = False
        role = session.user.role
        self.conflicts = ConflictView(session, ops) if in_team and role in (Role.MANAGER, Role.CASEWORKER) else None
        self.team = TeamView(session, ops) if in_team and role == Role.MANAGER else None
        ops.changed.connect(self._changed)

    @property
    def pages(self) -> list[tuple[str, QWidget]]:
        return [(name, view) for name, view in ((CONFLICTS, self.conflicts), (TEAM, self.team)) if view is not None]

    def _changed(self, topics) -> None:
        if "sync" in topics and self.conflicts is not None:
            self.conflicts.load()
        if topics & {"sync", "team"} and self.team is not None:
            self.team.load()
