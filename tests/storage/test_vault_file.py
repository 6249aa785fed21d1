"""vault.json when two sessions are open on one vault (the GUI, and an admin at the command
line): neither may undo the other's key-slot changes by writing an old copy of the file."""

import json

import pytest

from app.errors import WrongCredentials
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE

RESET = "temporary words after a suspected leak"


def test_locking_an_older_session_keeps_a_slot_added_by_another(vault, data_dir):
    gui = vault[0]
    cli = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    staff.add_staff(cli, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    cli.lock()
    gui.lock()  # its copy of vault.json predates casey
    vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE).lock()


def test_a_reset_passphrase_is_not_brought_back_by_an_older_session(vault, data_dir):
    gui = vault[0]
    staff.add_staff(gui, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    cli = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    staff.reset_passphrase(cli, "casey", RESET)  # e.g. the old one was seen by someone
    cli.lock()
    staff.add_staff(gui, "dana", "Dana Worker", "caseworker", OTHER_PASSPHRASE)
    gui.lock()
    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)
    vault_service.unlock(data_dir, "casey", RESET).lock()
    vault_service.unlock(data_dir, "dana", OTHER_PASSPHRASE).lock()
    users = {s["user"] for s in json.loads((data_dir / "vault.json").read_text())["slots"]}
    assert users == {"manager", "casey", "dana"}
