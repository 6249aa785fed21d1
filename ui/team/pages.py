"""The team pages of the workspace: Conflicts (managers and caseworkers, the people who may
see both sides) on a computer that is part of a team, and Team (a manager's; before the
computer is in a team it offers to start one). Each
reloads through a Refresher: after a sync, once on screen and with the worker idle."""

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from app.domain.role_matrix import manages, reads_casework
from app.errors import ConfideError
from app.security.session import Session
from app.services.team import membership
from app.services.team.laptop import checkout
from ui.operations import Operations
from ui.refresh import Refresher
from ui.team.conflict_view import ConflictView
from ui.team.hub_location_dialog import HubLocationDialog
from ui.team.laptop_view import LaptopView
from ui.team.sync_status import SyncStatusItem
from ui.team.team_view import TeamView

CONFLICTS, TEAM, LAPTOP = "Conflicts", "Team", "This laptop"


class TeamPages:
    """Plain Python: the views it makes belong to the workspace's page stack. The Team page
    is built when first shown (a tenth of a second of the unlock's one event-loop turn);
    `started` is told when a team is started from it."""

    def __init__(self, session: Session, ops: Operations, started: Callable[[object], None] | None = None):
        self.conflicts = self.laptop = None
        self._session, self._ops, self._started = session, ops, started
        self._team: TeamView | None = None
        try:
            in_team = membership.sync_status(session).in_team
        except ConfideError:
            in_team = False
        role = session.user.role
        # Also before the computer is in a team: the page is where a team is started.
        self._manages = manages(role)
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
    def team(self) -> TeamView | None:
        """A manager's Team page, built now if not yet; None for other roles."""
        if self._team is None and self._manages:
            self._team = TeamView(self._session, self._ops)
            Refresher(self._team, self._session, self._ops, {"sync", "team"}, self._team.load)
            if self._started is not None:
                self._team.teamStarted.connect(self._started)
        return self._team

    @property
    def pages(self) -> list[tuple[str, QWidget | Callable[[], QWidget]]]:
        team = (lambda: self.team) if self._manages else None
        return [(name, view) for name, view in ((LAPTOP, self.laptop), (CONFLICTS, self.conflicts), (TEAM, team))
                if view is not None]

    # The window's team parts, made here rather than by ui/main_window.py: the window's module
    # is loaded at launch, and the unlock screen must not wait for the team's code.
    def sync_item(self) -> SyncStatusItem:
        return SyncStatusItem(self._session, self._ops)

    def hub_location_dialog(self, parent: QWidget) -> HubLocationDialog:
        return HubLocationDialog(self._session, self._ops, parent=parent)
