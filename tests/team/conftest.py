"""Replicas of one team in tmp folders, meeting through a hub from `hub_factory`.

At merge the folder and PostgreSQL hubs plug in here: parametrise `hub_factory`."""

import shutil

import pytest

from app.security.device import KeyringStore
from app.services.team import membership
from app.services.team import team as team_service
from app.services.vault import staff
from app.services.vault.unlock import create_vault, unlock
from app.storage import capture
from app.storage.db import transaction
from app.storage.hub.location import open_hub
from tests.conftest import PASSPHRASE
from tests.team.memory_hub import MemoryHub

_TEMPLATE: dict = {}


def _template(root):
    """One vault with the capture triggers already made, copied for every replica: creating
    78 triggers under SQLCipher's memory security takes seconds, copying a file does not."""
    if "dir" not in _TEMPLATE:
        folder = root / "template"
        session, _ = create_vault(folder, "Northshire SENDIASS", "manager", "Test Manager",
                                  PASSPHRASE, KeyringStore())
        with transaction(session.conn):
            capture.install_triggers(session.conn, force=True)
        vault_id = session.vault.vault_id
        secret = session.device_secret
        session.lock("template")
        _TEMPLATE.update(dir=folder, vault_id=vault_id, secret=secret)
    return _TEMPLATE


def new_vault(template_root, data_dir):
    t = _template(template_root)
    shutil.copytree(t["dir"], data_dir)
    KeyringStore().save(t["vault_id"], t["secret"])
    return unlock(data_dir, "manager", PASSPHRASE)


@pytest.fixture
def hub_factory():
    return MemoryHub


class Team:
    def __init__(self, root, hub, template_root):
        self.root, self.hub, self.sessions, self.template_root = root, hub, [], template_root
        self.hubs = []      # each computer's own hub object (its own login on PostgreSQL)
        self.logins = []    # each computer's own way to the hub (None: the shared hub object)

    def add(self, name: str):
        session = new_vault(self.template_root, self.root / name)
        hub, login = self.hub, None
        if not self.sessions:
            team_service.create_team(session, self.hub, "Northshire SENDIASS")
        else:
            invitation = team_service.invite_device(self.sessions[0], self.hub, name)
            if invitation.get("hub_login"):
                login = invitation["hub_login"]
                hub = open_hub(login, getattr(self.hub, "team_id", invitation["team_id"]))
            team_service.join_team(session, hub, invitation)
        self.sessions.append(session)
        self.hubs.append(hub)
        self.logins.append(login)
        return session

    def close(self):
        for s in self.sessions:
            if not s.locked:
                s.lock("test")
        for hub in self.hubs[1:]:
            if hub is not self.hub:
                hub.close()


@pytest.fixture(scope="session")
def template_root(tmp_path_factory):
    return tmp_path_factory.mktemp("team-template")


@pytest.fixture
def make_team(tmp_path, hub_factory, template_root):
    made = []

    def make(n: int = 2) -> Team:
        team = Team(tmp_path / f"team{len(made)}", hub_factory(), template_root)
        for i in range(n):
            team.add(f"computer{i + 1}")
        made.append(team)
        return team

    yield make
    for team in made:
        team.close()


def casey_with_a_laptop(office, tmp_path, temporary: str):
    """The office makes a folder-hub team with Casey, a caseworker on a temporary passphrase,
    and Casey joins it from a laptop with it. Returns the laptop's session."""
    hub = tmp_path / "hub"
    hub.mkdir()
    staff.add_staff(office, "casey", "Casey Worker", "caseworker", temporary)
    membership.create(office, str(hub), "Northshire SENDIASS")
    code = membership.invite(office, "Laptop 1", tmp_path / "laptop.invite", laptop=True)
    return membership.join(tmp_path / "laptop", tmp_path / "laptop.invite", code, "casey", temporary,
                           KeyringStore())
