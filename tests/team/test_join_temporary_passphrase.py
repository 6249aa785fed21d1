"""`confide team join` by a colleague who still has the temporary passphrase a manager gave
them (found on the documents walk): the computer joined, then the command ended with exit 1
and "Your passphrase was reset by a manager", as if the join had failed."""

import io
import sys

import pytest

from app.cli.commands import main
from app.services.team import membership
from app.services.vault import staff
from tests.team.conftest import new_vault

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
