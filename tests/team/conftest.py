"""Replicas of one team in tmp folders, meeting through a hub from `hub_factory`.

At merge the folder and PostgreSQL hubs plug in here: parametrise `hub_factory`."""

import pytest

from app.security.device import KeyringStore
from app.services.team import team as team_service
from app.services.vault import create_vault
from tests.conftest import PASSPHRASE
from tests.team.memory_hub import MemoryHub


@pytest.fixture
def hub_factory():
    return MemoryHub


class Team:
    def __init__(self, root, hub):
        self.root, self.hub, self.sessions = root, hub, []

    def add(self, name: str):
        session, _ = create_vault(self.root / name, "Northshire SENDIASS", "manager", "Test Manager",
                                  PASSPHRASE, KeyringStore())
        if not self.sessions:
            team_service.create_team(session, self.hub, "Northshire SENDIASS")
        else:
            invitation = team_service.invite_device(self.sessions[0], self.hub, name)
            team_service.join_team(session, self.hub, invitation)
        self.sessions.append(session)
        return session

    def close(self):
        for s in self.sessions:
            if not s.locked:
                s.lock("test")


@pytest.fixture
def make_team(tmp_path, hub_factory):
    made = []

    def make(n: int = 2) -> Team:
        team = Team(tmp_path / f"team{len(made)}", hub_factory())
        for i in range(n):
            team.add(f"computer{i + 1}")
        made.append(team)
        return team

    yield make
    for team in made:
        team.close()
