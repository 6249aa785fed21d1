"""`confide hub set-location` (and the service under it): a computer whose hub moved to a new
folder or server, or whose hub password changed, is pointed at it again; the new place is
checked to be this team's hub before it replaces the old; a postgresql:// address is never
stored without its password (PGPASSWORD does not reach Confide started from the desktop, so
an address that leaned on it broke every later sync)."""

import io
import shutil
import sys

import psycopg
import pytest

from app.cli.commands import main
from app.services.team import membership
from app.storage.hub.base import HubError
from tests.conftest import PASSPHRASE
from tests.team.conftest import new_vault


def cli(monkeypatch, capsys, *args, stdin=PASSPHRASE + "\n"):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def office(tmp_path, template_root):
    session = new_vault(template_root, tmp_path / "office")
    yield session
    if not session.locked:
        session.lock("test")


def new_unlock(folder):
    from app.services.vault.unlock import unlock

    return unlock(folder, "manager", PASSPHRASE)


def test_a_hub_folder_that_moved_is_found_again(office, tmp_path, monkeypatch, capsys):
    old, new = tmp_path / "share-old" / "hub", tmp_path / "share-new" / "hub"
    old.mkdir(parents=True)
    membership.create(office, str(old), "Northshire SENDIASS")
    new.parent.mkdir()
    shutil.move(old, new)
    with pytest.raises(HubError):
        membership.open_team_hub(office).head()
    office.lock("test")
    code, out, err = cli(monkeypatch, capsys, "hub", "set-location", "--data-dir", tmp_path / "office",
                         "--user", "manager", "--passphrase-stdin", "--hub", new)
    assert code == 0, err
    assert str(new) in out and "checked" in out
    session = new_unlock(tmp_path / "office")
    try:
        assert membership.hub_location(session) == str(new)
        membership.open_team_hub(session).close()
    finally:
        session.lock("test")


def test_another_teams_hub_is_refused_and_the_old_location_kept(office, tmp_path, template_root, monkeypatch,
                                                                 capsys):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    membership.create(office, str(ours), "Northshire SENDIASS")
    other = new_vault(template_root, tmp_path / "other")
    membership.create(other, str(theirs), "Southshire SENDIASS")
    other.lock("test")
    office.lock("test")
    code, _out, err = cli(monkeypatch, capsys, "hub", "set-location", "--data-dir", tmp_path / "office",
                          "--user", "manager", "--passphrase-stdin", "--hub", theirs)
    assert code == 1 and "another team" in err and len(err.strip().splitlines()) == 1
    session = new_unlock(tmp_path / "office")
    try:
        assert membership.hub_location(session) == str(ours)
    finally:
        session.lock("test")


def test_a_rotated_hub_password_is_set_without_retyping_it_into_a_url(office, tmp_path, postgres_server,
                                                                     monkeypatch, capsys):
    names = postgres_server.new_hub_database()
    bare = f"postgresql://{names['device_role']}@127.0.0.1:{postgres_server.port}/{names['dbname']}"
    membership.create(office, bare, "Northshire SENDIASS", password=names["device_password"])
    # IT rotates the login's password on the server: the stored one no longer works.
    with psycopg.connect(postgres_server.admin_conninfo(), autocommit=True) as admin:
        admin.execute(f'ALTER ROLE "{names["device_role"]}" PASSWORD \'rotated-Pw-2027\'')
    with pytest.raises(HubError, match="cannot be reached"):
        membership.open_team_hub(office)
    office.lock("test")
    code, out, err = cli(monkeypatch, capsys, "hub", "set-location", "--data-dir", tmp_path / "office",
                         "--user", "manager", "--passphrase-stdin", "--hub-password-stdin", "--hub", bare,
                         stdin=f"{PASSPHRASE}\nrotated-Pw-2027\n")
    assert code == 0, err
    assert "rotated-Pw-2027" not in out + err
    monkeypatch.delenv("PGPASSWORD", raising=False)
    session = new_unlock(tmp_path / "office")
    try:
        membership.open_team_hub(session).close()     # the stored address carries the new password
    finally:
        session.lock("test")


def test_team_create_never_stores_an_address_without_its_password(office, tmp_path, postgres_server, monkeypatch,
                                                                  capsys):
    names = postgres_server.new_hub_database()
    bare = f"postgresql://{names['device_role']}@127.0.0.1:{postgres_server.port}/{names['dbname']}"
    # What the README once advised: the password in PGPASSWORD. It worked for this command
    # only; the stored address had no password and every later sync failed.
    monkeypatch.setenv("PGPASSWORD", names["device_password"])
    office.lock("test")
    args = ("team", "create", "--data-dir", tmp_path / "office", "--user", "manager", "--passphrase-stdin",
            "--hub", bare)
    code, _out, err = cli(monkeypatch, capsys, *args)
    assert code == 1 and "hub password" in err, err
    code, _out, err = cli(monkeypatch, capsys, *args, "--hub-password-stdin",
                          stdin=f"{PASSPHRASE}\n{names['device_password']}\n")
    assert code == 0, err
    monkeypatch.delenv("PGPASSWORD")
    session = new_unlock(tmp_path / "office")
    try:
        membership.open_team_hub(session).close()
    finally:
        session.lock("test")


def test_a_password_with_a_folder_is_refused(office, tmp_path):
    with pytest.raises(Exception, match="postgresql://"):
        membership.change_location(office, str(tmp_path), password="x")
