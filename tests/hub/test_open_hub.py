"""open_hub picks the back end from the location; hub locations live in the credential store
and fail closed without one."""

import keyring
import pytest
from keyring.backends import fail

from app.errors import CredentialStoreUnavailable
from app.storage.hub.base import HubUnavailable
from app.storage.hub.credentials import forget_hub_location, load_hub_location, save_hub_location
from app.storage.hub.folder import FolderHub
from app.storage.hub.location import describe_location, is_postgres_location, open_hub
from app.storage.hub.postgres import PostgresHub


def test_a_folder_path_opens_a_folder_hub(tmp_path):
    hub = open_hub(str(tmp_path / "hub"), "t1", create=True)
    assert isinstance(hub, FolderHub)
    assert isinstance(open_hub(str(tmp_path / "hub"), "t1"), FolderHub)


@pytest.mark.parametrize("url", ["postgresql://dev:s3cretpw@127.0.0.1:1/hub", " postgres://dev:s3cretpw@127.0.0.1:1/hub",
                                 "PostgreSQL://dev:s3cretpw@127.0.0.1:1/hub"])
def test_a_postgres_url_opens_a_postgres_hub(url, monkeypatch):
    opened = []
    monkeypatch.setattr(PostgresHub, "__init__", lambda self, conninfo, team, create=False: opened.append(conninfo))
    assert is_postgres_location(url)
    assert isinstance(open_hub(url, "t1"), PostgresHub)
    assert opened == [url.strip()]
    assert "s3cretpw" not in describe_location(url)


def test_an_unreachable_postgres_hub_is_unavailable_not_a_crash():
    with pytest.raises(HubUnavailable, match="cannot be reached"):
        open_hub("postgresql://dev:secret-pw@127.0.0.1:1/hub?connect_timeout=2", "t1")


def test_hub_locations_are_kept_per_team_in_the_credential_store():
    save_hub_location("team-a", "postgresql://dev:pw-a@server/hub_a")
    save_hub_location("team-b", "/mnt/share/hub-b")
    assert load_hub_location("team-a") == "postgresql://dev:pw-a@server/hub_a"
    assert load_hub_location("team-b") == "/mnt/share/hub-b"
    forget_hub_location("team-a")
    forget_hub_location("team-a")
    assert load_hub_location("team-a") is None


def test_no_credential_store_fails_closed():
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialStoreUnavailable, match="credential store"):
        save_hub_location("team-a", "postgresql://dev:pw@server/hub")
    with pytest.raises(CredentialStoreUnavailable):
        load_hub_location("team-a")


def test_a_postgres_outage_is_said_in_plain_words_not_the_drivers_text():
    # Before: "... cannot be reached (connection to server at "127.0.0.1", port 1 failed:
    # Connection refused ...)": libpq's English, with addresses and socket details.
    with pytest.raises(HubUnavailable) as info:
        open_hub("postgresql://dev:secret-pw@127.0.0.1:1/hub?connect_timeout=2", "t1")
    message = info.value.message
    assert "no answer: the server may be stopped, or the network down" in message
    for raw in ("connection to server", "failed:", "Connection refused", "Is the server running"):
        assert raw not in message
    assert "secret-pw" not in message


def test_a_refused_password_is_said_as_such(hub_setup_pg_names):
    names = hub_setup_pg_names
    bad = names["conninfo"].replace(names["device_password"], "not-the-password")
    with pytest.raises(HubUnavailable) as info:
        open_hub(bad, "t1")
    assert "the server refused this computer's sign-in" in info.value.message
    assert "password authentication failed" not in info.value.message


def test_a_new_computer_s_location_carries_only_its_own_login():
    from app.storage.hub.postgres import location_with_login

    made = location_with_login("postgresql://founder:f-pw@db.example:5432/hub?sslmode=require&user=founder"
                               "&password=f-pw", "hub_dev1", "n3w/pw")
    assert made == "postgresql://hub_dev1:n3w%2Fpw@db.example:5432/hub?sslmode=require"
    assert "founder" not in made and "f-pw" not in made
