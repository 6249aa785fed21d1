"""PostgreSQL hub specifics, on a real server: a computer's login can only read and append
through the setup script's function, the server itself refuses a revoked device, another
computer's name and a wrong sequence number (whatever client sends it), NOTIFY wakes
waiters, and no password shows in any message. The attacks an insider with a login would try
are in test_postgres_attacks.py."""

import os
from io import BytesIO

import psycopg
import pytest

from app.storage.hub.base import HubError, HubUnavailable
from app.storage.hub.credentials import load_hub_location, save_hub_location
from app.storage.hub.postgres import PostgresHub, describe_conninfo

HUB_KINDS = ["postgres"]


def device_conn(hut):
    return psycopg.connect(hut.location, autocommit=True)


@pytest.mark.parametrize("statement", [
    "UPDATE confide.entries SET payload = 'x'::bytea",
    "INSERT INTO confide.entries (seq, device_id, kind, payload) VALUES (2, 'dev-a', 'bundle', 'x')",
    "INSERT INTO confide.revoked_devices (device_id) VALUES ('dev-a')",
    "INSERT INTO confide.snapshots (upto_seq, device_id, payload) VALUES (1, 'dev-a', 'x')",
    "DELETE FROM confide.entries",
    "TRUNCATE confide.entries",
    "DELETE FROM confide.revoked_devices",
    "UPDATE confide.team SET team_id = 'stolen'",
    "DELETE FROM confide.snapshots",
    "INSERT INTO confide.snapshot_pieces (snapshot_id, n, upto_seq, device_id, payload) "
    "VALUES (repeat('a', 32), 0, 1, 'dev-a', 'x')",
    "UPDATE confide.snapshot_pieces SET payload = 'x'::bytea",
    "DELETE FROM confide.snapshot_pieces",
    "ALTER TABLE confide.entries DISABLE TRIGGER entries_before_insert",
    "DROP TABLE confide.entries",
    "CREATE TABLE confide.mine (x int)",
])
def test_the_device_role_cannot_rewrite_or_erase_the_log(hub_setup, any_hub, statement):
    any_hub.append(1, "dev-a", "bundle", b"kept")
    any_hub.revoke_device("dev-gone")
    with device_conn(hub_setup) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
    assert [e.payload for e in any_hub.read_after(0)] == [b"kept"]
    assert any_hub.revoked_devices() == {"dev-gone"}


def test_the_server_refuses_a_revoked_device_and_wrong_numbers_from_any_client(hub_setup, any_hub):
    any_hub.append(1, "dev-a", "bundle", b"one")
    hub_setup.open(device="dev-lost").head()
    any_hub.revoke_device("dev-lost")
    append = "SELECT confide.append(%s, %s, 'bundle', %s)"
    with device_conn(hub_setup) as conn:
        with pytest.raises(psycopg.Error) as info:
            conn.execute(append, (1, "dev-a", b"again"))
        assert info.value.sqlstate == "CF002"
        with pytest.raises(psycopg.Error) as info:
            conn.execute(append, (5, "dev-a", b"gap"))
        assert info.value.sqlstate == "CF003"
        # The server names the computer from the login: this one cannot write as another.
        with pytest.raises(psycopg.Error, match="another computer") as info:
            conn.execute(append, (2, "dev-b", b"as someone else"))
        assert info.value.sqlstate == "CF006"
        # The server stamps the time: a computer cannot backdate an entry.
        conn.execute(append, (2, "dev-a", b"x"))
    # The revoked computer's login no longer opens the hub at all.
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        psycopg.connect(hub_setup.location_for("dev-lost"))
    assert [e.seq for e in any_hub.read_after(0)] == [1, 2]
    assert [e.device_id for e in any_hub.read_after(0)] == ["dev-a", "dev-a"]


def test_notify_reaches_a_waiting_computer(hub_setup, any_hub):
    listener = hub_setup.open()
    assert listener.wait_for_change(0.1) is False      # starts listening
    any_hub.append(1, "dev-a", "bundle", b"x")
    assert listener.wait_for_change(30) is True
    assert listener.head() == 1


def test_messages_never_show_the_password(hub_setup, any_hub):
    password = hub_setup.names["device_password"]
    assert password in hub_setup.location
    assert password not in any_hub.describe()
    assert hub_setup.names["dbname"] in any_hub.describe()
    wrong = hub_setup.location.replace(password, "not-the-password")
    with pytest.raises(HubUnavailable) as info:
        PostgresHub(wrong, hub_setup.team_id)
    assert "not-the-password" not in info.value.message
    assert "the server refused this computer's sign-in" in info.value.message
    kv = f"host=127.0.0.1 port=1 dbname=x user=y password={password}"
    assert password not in describe_conninfo(kv)
    with pytest.raises(HubUnavailable) as info:
        PostgresHub(kv, "t", connect_timeout=2)
    assert password not in info.value.message


def test_a_database_that_is_not_set_up_or_not_bound_is_refused(hub_setup, postgres_server):
    with pytest.raises(HubError, match="not bound to a team"):
        hub_setup.open()
    bare = hub_setup.location.rsplit("/", 1)[0] + "/postgres"
    with pytest.raises(HubError, match="no Confide tables|postgres-setup.sql"):
        PostgresHub(bare, "t1")


def test_the_setup_script_can_be_run_again(hub_setup, postgres_server, any_hub):
    any_hub.append(1, "dev-a", "bundle", b"survives a second run")
    names = hub_setup.names
    args = []
    for key in ("dbname", "owner_role", "device_group", "manager_group", "founder_role"):
        args += ["-v", f"{key}={names[key]}"]
    from tests.pgserver import SETUP_SQL

    postgres_server.psql(*args, "-f", str(SETUP_SQL))
    assert [e.payload for e in hub_setup.open().read_after(0)] == [b"survives a second run"]
    # The password was not changed by a run without one.
    with device_conn(hub_setup) as conn:
        assert conn.execute("SELECT count(*) FROM confide.entries").fetchone()[0] == 1


def test_a_lost_connection_is_hub_unavailable_then_reconnects(hub_setup, any_hub):
    any_hub.append(1, "dev-a", "bundle", b"x")
    with hub_setup.admin() as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE usename = %s", (hub_setup.names["device_role"],))
    # A write is not repeated on a new connection (test_postgres_robust.py: reads are).
    with pytest.raises(HubUnavailable):
        any_hub.append(2, "dev-a", "bundle", b"y")
    assert any_hub.head() == 1


def test_the_connection_password_is_in_no_file_written(hub_setup, any_hub, tmp_path, memory_keyring):
    any_hub.append(1, "dev-a", "bundle", b"\x00" * 64)
    save_hub_location(hub_setup.team_id, hub_setup.location)
    assert load_hub_location(hub_setup.team_id) == hub_setup.location
    secret = hub_setup.names["device_password"]
    assert list(memory_keyring.values.values()) == [hub_setup.location]
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    for path in written:
        assert secret.encode() not in path.read_bytes(), path
    assert secret.encode() not in hub_setup.stored_bytes()


def test_reading_pages_through_a_long_log(any_hub, monkeypatch):
    from app.storage.hub import postgres as postgres_mod

    monkeypatch.setattr(postgres_mod, "BATCH", 2)
    for seq in range(1, 8):
        any_hub.append(seq, "dev-a", "bundle", bytes([seq]))
    assert [e.payload for e in any_hub.read_after(0)] == [bytes([s]) for s in range(1, 8)]
    assert [e.seq for e in any_hub.read_after(2, limit=3)] == [3, 4, 5]
    assert [e.seq for e in any_hub.read_after(5, limit=10)] == [6, 7]


def test_a_postgresql_hub_sends_a_snapshots_bytes_in_binary_not_as_hex_text(hub_setup):
    """As text, the server spelt every byte of a piece as two hex digits and the client parsed
    them back: a 200 MB snapshot on a local server took 8.0 s to fetch, 3.1 s in binary."""
    formats = []

    class Recording(psycopg.Cursor):
        def execute(self, query, params=None, **kwargs):
            done = super().execute(query, params, **kwargs)
            if "snapshot_pieces" in query or "substring(payload" in query:
                formats.append(self.pgresult.fformat(0))
            return done

    hub = hub_setup.open(create=True)
    hub.piece_bytes = 4096
    for seq in range(1, 4):
        hub.append(seq, "dev-a", "bundle", b"entry %d" % seq)
    data = os.urandom(3 * 4096 + 5)
    hub.put_snapshot(2, "dev-a", data)
    hub._cursor().close()                               # connected
    hub._conn.cursor_factory = Recording
    out = BytesIO()
    assert hub.fetch_latest_snapshot(out) is not None and out.getvalue() == data
    whole = os.urandom(2 * 4096)                       # an older Confide's whole snapshot
    with hub_setup.admin() as admin:
        admin.execute("INSERT INTO confide.snapshots (upto_seq, device_id, payload) VALUES (3, 'dev-a', %s)",
                      (whole,))
    out = BytesIO()
    assert hub.fetch_latest_snapshot(out) is not None and out.getvalue() == whole
    # Failed before: 0 (text) for every piece.
    assert formats and set(formats) == {1}
