"""Encryption in transit to a PostgreSQL hub (docs/hub.md): a hub on another computer is
reached with sslmode=verify-full unless the address says otherwise, an address that would let
the team's data cross the network unencrypted is refused before anything is sent, and the
computer-wide CA file is used when the address names none. (Over a real TLS server, end to
end: tests/hub/test_runbook.py.)"""

import socket

import pytest

from app.storage.hub import postgres
from app.storage.hub.base import HubError
from app.storage.hub.postgres import PostgresHub, tls_problem, tls_settings


@pytest.fixture
def no_machine_ca(tmp_path, monkeypatch):
    monkeypatch.setattr(postgres, "machine_ca_file", lambda: tmp_path / "absent" / "hub-ca.crt")


def test_a_remote_hub_defaults_to_verify_full(no_machine_ca):
    assert tls_settings("postgresql://u:p@hub.example.org/confide_northshire") == {"sslmode": "verify-full"}
    assert tls_settings("host=hub.example.org dbname=x user=u") == {"sslmode": "verify-full"}
    # A name for the certificate, an address to connect to: still the remote rule.
    assert tls_settings("postgresql://u:p@hub.example.org/db?hostaddr=127.0.0.1") == {"sslmode": "verify-full"}


@pytest.mark.parametrize("mode", ["disable", "allow", "prefer"])
def test_an_address_that_may_go_unencrypted_is_refused(mode, no_machine_ca):
    with pytest.raises(HubError, match=f"Refused.*sslmode={mode}.*unencrypted"):
        tls_settings(f"postgresql://u:secret@hub.example.org/db?sslmode={mode}")


def test_the_refusal_comes_before_any_connection_and_shows_no_password(no_machine_ca, monkeypatch):
    tried = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: tried.append(a))
    with pytest.raises(HubError) as refused:
        PostgresHub("postgresql://founder:s3cret-pw@hub.invalid/db?sslmode=disable", "team")
    assert "s3cret-pw" not in refused.value.message and tried == []


def test_require_and_verify_modes_are_kept_as_given(no_machine_ca):
    for mode in ("require", "verify-ca", "verify-full"):
        assert tls_settings(f"postgresql://u:p@hub.example.org/db?sslmode={mode}") == {}


def test_this_computer_needs_no_tls(no_machine_ca):
    for conninfo in ("postgresql://u:p@127.0.0.1:5432/db", "postgresql://u:p@localhost/db?sslmode=disable",
                     "host=/var/run/postgresql dbname=db", "dbname=db"):
        assert tls_settings(conninfo) == {}, conninfo


def test_the_computer_wide_ca_file_is_used_unless_the_address_names_one(tmp_path, monkeypatch):
    ca = tmp_path / "hub-ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setattr(postgres, "machine_ca_file", lambda: ca)
    assert tls_settings("postgresql://u:p@hub.example.org/db") == {"sslmode": "verify-full", "sslrootcert": str(ca)}
    assert tls_settings("postgresql://u:p@hub.example.org/db?sslrootcert=/other.crt") == {"sslmode": "verify-full"}


def test_the_ca_file_has_one_place_per_os(monkeypatch):
    monkeypatch.setattr(postgres.sys, "platform", "win32")
    monkeypatch.setenv("PROGRAMDATA", r"D:\ProgramData")
    assert str(postgres.machine_ca_file()).replace("\\", "/").endswith("D:/ProgramData/Confide/hub-ca.crt")
    monkeypatch.setattr(postgres.sys, "platform", "darwin")
    assert str(postgres.machine_ca_file()) == "/Library/Application Support/Confide/hub-ca.crt"
    monkeypatch.setattr(postgres.sys, "platform", "linux")
    assert str(postgres.machine_ca_file()) == "/etc/confide/hub-ca.crt"


def test_libpq_tls_failures_are_said_in_plain_words(no_machine_ca):
    missing = tls_problem('root certificate file "/home/x/.postgresql/root.crt" does not exist')
    assert "CA certificate" in missing and "hub-ca.crt" in missing
    assert "impostor" in tls_problem('server certificate for "a" does not match host name "b"')
    assert tls_problem("connection refused") is None
