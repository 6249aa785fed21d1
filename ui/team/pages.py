"""The team pages of the workspace: Conflicts (managers and caseworkers, the people who may
see both sides) on a computer that is part of a team, and Team (a manager's; before the
computer is in a team it offers to start one). Each
reloads through a Refresher: after a sync, once on screen and with the worker idle."""

from PySide6.QtWidgets import QWidget

from app.domain.role_matrix import manages, reads_casework
from app.errors import ConfideError
from app.security.session import Session
from app.services.team import membership
from app.services.team.laptop import checkout
from ui.operations import Operations
from ui.refresh import Refresher
from ui.team.conflict_view import ConflictView
from ui.team.laptop_view import LaptopView
from ui.team.team_view import TeamView

CONFLICTS, TEAM, LAPTOP = "Conflicts", "Team", "This laptop"


class TeamPages:
    """Plain Python: the views it makes belong to the workspace's page stack."""

    def __init__(self, session: Session, ops: Operations):
        self.conflicts = self.team = self.laptop = None
        try:
            in_team = membership.sync_status(session).in_team
        except ConfideError:
            in_team = False
        role = session.user.role
        if manages(role):
            # Also before the computer is in a team: the page is where a team is started.
            self.team = TeamView(session, ops)
            Refresher(self.team, session, ops, {"sync", "team"}, self.team.load)
        if not in_team:
            return
        if reads_casework(role):
            self.conflicts = ConflictView(session, ops)
            Refresher(self.conflicts, session, ops, {"sync"}, self.conflicts.load)
        if reads_casework(role) and checkout.this_is_a_laptop(session):
            # A laptop checks cases out and in; the office's view is in Registers.
            self.laptop = LaptopView(session, ops)
            Refresher(self.laptop, session, ops, {"sync", "checkout"}, self.laptop.load)

    @property
    def pages(self) -> list[tuple[str, QWidget]]:
        return [(name, view) for name, view in ((LAPTOP, self.laptop), (CONFLICTS, self.conflicts), (TEAM, self.team)) if view is not None]
