"""`confide team join` by a colleague who still has the temporary passphrase a manager gave
them (found on the documents walk): the computer joined, then the command ended with exit 1
and "Your passphrase was reset by a manager", as if the join had failed."""

import io
import sys

import pytest

from app.cli.commands import main
from app.services.team import membership
from app.services.vault import staff
from tests.team.conftest import casey_with_a_laptop, new_vault

TEMPORARY = "temporary-pass-4471"


@pytest.fixture
def office(tmp_path, template_root):
    session = new_vault(template_root, tmp_path / "office")
    yield session
    if not session.locked:
        session.lock("test")


def test_joining_with_a_temporary_passphrase_succeeds_and_says_what_comes_next(office, tmp_path, monkeypatch,
                                                                               capsys):
    hub = tmp_path / "hub"
    hub.mkdir()
    staff.add_staff(office, "casey", "Casey Worker", "caseworker", TEMPORARY)
    membership.create(office, str(hub), "Northshire SENDIASS")
    code = membership.invite(office, "Casey's desk", tmp_path / "desk.invite")
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{TEMPORARY}\n{code}\n"))
    result = main(["team", "join", "--data-dir", str(tmp_path / "desk"), "--from", str(tmp_path / "desk.invite"),
                   "--user", "casey", "--passphrase-stdin", "--code-stdin"])
    out = capsys.readouterr()
    assert result == 0, out.err
    assert "joined Northshire SENDIASS" in out.out
    assert "temporary passphrase" in out.out and "reset" not in out.err + out.out


def test_choosing_ones_own_passphrase_on_two_computers_is_not_a_conflict(office, tmp_path):
    """Found on the walk: Priya chose her passphrase at the office computer, then on the laptop
    (which had not synced: a locked computer does not), and the laptop's next sync stopped on
    'Staff key by Morgan Reeve: changed on both computers', a field of JSON to keep or not."""
    from app.services.vault.unlock import unlock

    laptop = casey_with_a_laptop(office, tmp_path, TEMPORARY)
    at_office = unlock(tmp_path / "office", "casey", TEMPORARY)
    staff.change_own_passphrase(at_office, TEMPORARY, "casey keeps cases safe")
    membership.sync(at_office)
    staff.change_own_passphrase(laptop, TEMPORARY, "casey keeps cases safe")
    result = membership.sync(laptop)
    at_office.lock("test")
    laptop.lock("test")
    assert result.conflicts == 0
