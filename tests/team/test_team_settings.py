"""The service's settings are the team's (docs/sync.md §5, `settings` entries): a manager's
change reaches every computer at its next sync, a joined computer takes the service's name
(not the team's), a computer's own key cannot change them, and a change with the hub out of
reach changes nothing anywhere."""

import shutil

import pytest

from app.errors import PermissionDenied
from app.security.device import KeyringStore
from app.services import settings, settings_change
from app.services.sar import settings as sar_settings
from app.services.team import control, device_keys, membership, state
from app.services.vault import staff
from app.services.vault.unlock import unlock, vault_summary
from app.storage.hub.base import HubUnavailable
from app.storage.hub.location import open_hub
from tests.conftest import PASSPHRASE

TEMP = "temporary words for jo 77"


@pytest.fixture
def pair(tmp_path, session):
    hub = tmp_path / "hub"
    hub.mkdir()
    staff.add_staff(session, "jo", "Jo Bloggs", "caseworker", TEMP)
    settings_change.set_auto_lock_minutes(session, 9)         # before the team: it becomes the team's
    membership.create(session, str(hub), "Northshire office team")
    code = membership.invite(session, "Office computer 2", tmp_path / "two.invite")
    b = membership.join(tmp_path / "two", tmp_path / "two.invite", code, "manager", PASSPHRASE, KeyringStore())
    yield session, b, hub
    if not b.locked:
        b.lock("test")


def test_a_joined_computer_takes_the_services_name_and_settings_not_the_teams_name(pair, tmp_path):
    a, b, _ = pair
    assert a.vault.service_name != "Northshire office team"
    assert b.vault.service_name == a.vault.service_name
    assert vault_summary(tmp_path / "two").service_name == a.vault.service_name   # before anyone signs in
    assert settings.auto_lock_minutes(b) == 9


def test_a_managers_settings_reach_every_computer_at_its_next_sync(pair, tmp_path):
    a, b, _ = pair
    settings_change.set_auto_lock_minutes(a, 17)
    settings_change.set_service_name(a, "Northshire and Dale SENDIASS")
    sar_settings.set_transfers(a, False, "Email hosting in the United States", sar_settings.SAFEGUARDS[1])
    assert a.vault.service_name == "Northshire and Dale SENDIASS"
    assert settings.auto_lock_minutes(b) == 9          # not before it syncs
    membership.sync(b)
    assert settings.auto_lock_minutes(b) == 17
    assert b.vault.service_name == "Northshire and Dale SENDIASS"
    assert vault_summary(tmp_path / "two").service_name == "Northshire and Dale SENDIASS"
    assert not sar_settings.transfers(b).none
    assert "United States" in sar_settings.transfers(b).statement()
    # A change made on the second computer by the manager reaches the first the same way.
    settings_change.set_auto_lock_minutes(b, 3)
    membership.sync(a)
    assert settings.auto_lock_minutes(a) == 3


def test_a_computers_own_key_cannot_change_the_services_settings(pair):
    """What an attacker holding a caseworker's computer has: its device key and the hub. A
    `settings` entry it signs is refused by every computer; nothing changes."""
    a, b, hub_dir = pair
    conn = b.conn
    body = {"team": state.get(conn, "team_id"), "type": "settings", "by": state.get(conn, "device_id"),
            "staff": "manager", "at": "2026-12-07T10:00:00+00:00", "settings": {"auto_lock_minutes": 60}}
    hub = open_hub(str(hub_dir), state.get(conn, "team_id"))
    try:
        membership.sync(b)
        seq = hub.head() + 1
        hub.append(seq, state.get(conn, "device_id"), "control", control.seal(body, device_keys.sign_priv(conn)))
    finally:
        hub.close()
    result = membership.sync(a)
    assert settings.auto_lock_minutes(a) == 9
    # Refused, and never passed over: sync stops before it until a manager voids it (docs/sync.md §4).
    assert result.blocked and "not signed by one of the team's active managers" in result.blocked


def test_a_caseworker_cannot_change_them_and_an_unreachable_hub_changes_nothing(pair, tmp_path):
    a, b, hub_dir = pair
    b.lock("test")
    jo = unlock(tmp_path / "two", "jo", TEMP)
    staff.change_own_passphrase(jo, TEMP, "jo's own long passphrase 2026")
    try:
        with pytest.raises(PermissionDenied):
            settings_change.set_auto_lock_minutes(jo, 30)
    finally:
        jo.lock("test")
    moved = tmp_path / "hub-away"
    shutil.move(hub_dir, moved)
    try:
        with pytest.raises(HubUnavailable, match="cannot be found"):
            settings_change.set_auto_lock_minutes(a, 30)
    finally:
        shutil.move(moved, hub_dir)
    assert settings.auto_lock_minutes(a) == 9
