"""The PostgreSQL hub when the network or the server misbehaves, on a real server: every
connection carries keepalives and server-side timeouts; a read survives a connection that
died while idle; a statement stuck behind a lock ends with a plain message; the LISTEN
connection is made again when it is lost; and a hub that vanishes in the middle of a sync
leaves every computer with whole entries applied or not at all, and syncing on afterwards."""

import threading
import time

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.team.sync import pending_count, sync_now
from app.storage.hub import postgres as pg_hub
from app.storage.hub.base import HubUnavailable
from tests.team.conftest import Team
from tests.team.replica import rows_of

HUB_KINDS = ["postgres"]


def _kill_device_backends(hut, pid: int | None = None) -> int:
    # From the server's own database: the hub's may be refusing connections by then.
    with psycopg.connect(hut.server.admin_conninfo("postgres"), autocommit=True) as admin:
        if pid is not None:
            return admin.execute("SELECT count(*) FROM (SELECT pg_terminate_backend(%s)) t", (pid,)).fetchone()[0]
        return admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = %s "
                             "OR usename LIKE %s", (hut.names["device_role"], hut.names["dbname"] + "\\_%")).fetchone()[0]


def _allow_connections(hut, allowed: bool) -> None:
    with psycopg.connect(hut.server.admin_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {hut.names['dbname']} WITH ALLOW_CONNECTIONS {str(allowed).lower()}")


def test_every_connection_has_keepalives_and_server_timeouts(hub_setup, any_hub):
    any_hub.head()
    assert any_hub.wait_for_change(0.05) is False          # the LISTEN connection exists now
    for conn in (any_hub._conn, any_hub._listener):
        params = conninfo_to_dict(conn.info.dsn)
        assert (params["keepalives"], params["keepalives_idle"], params["tcp_user_timeout"]) == ("1", "30", "60000")
        shown = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in pg_hub.SERVER_TIMEOUTS}
        assert shown == {"statement_timeout": "1min", "lock_timeout": "30s",
                         "idle_in_transaction_session_timeout": "1min"}
    # IT's own options in the connection string are kept, ours added after them.
    assert pg_hub.connection_options("host=h dbname=d options='-c search_path=confide'").startswith(
        "-c search_path=confide -c statement_timeout=60000")


def test_a_read_survives_a_connection_that_died_while_idle_and_a_write_is_not_repeated(hub_setup, any_hub):
    any_hub.append(1, "dev-a", "bundle", b"x")
    assert _kill_device_backends(hub_setup) >= 1
    assert any_hub.head() == 1                             # read again on a new connection
    assert [e.seq for e in any_hub.read_after(0)] == [1]
    _kill_device_backends(hub_setup)
    with pytest.raises(HubUnavailable, match="was lost"):
        any_hub.append(2, "dev-a", "bundle", b"y")       # not repeated: the engine finds out
    assert any_hub.head() == 1
    any_hub.append(2, "dev-a", "bundle", b"y")
    assert any_hub.head() == 2


def test_a_statement_stuck_behind_a_lock_ends_with_a_plain_message(hub_setup, monkeypatch):
    monkeypatch.setattr(pg_hub, "SERVER_TIMEOUTS", {"statement_timeout": 3000, "lock_timeout": 300,
                                                    "idle_in_transaction_session_timeout": 60000})
    hub = hub_setup.open(create=True)
    with hub_setup.admin() as admin:
        admin.execute("BEGIN")
        admin.execute("LOCK TABLE confide.entries IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        with pytest.raises(HubUnavailable, match="did not answer in time"):
            hub.head()
        assert time.monotonic() - started < 30
        admin.execute("ROLLBACK")
    assert hub.head() == 0


def test_the_listening_connection_is_made_again_when_it_is_lost(hub_setup, any_hub):
    listener = hub_setup.open()
    assert listener.wait_for_change(0.05) is False
    result: list = []
    waiter = threading.Thread(target=lambda: result.append(listener.wait_for_change(60)))
    waiter.start()
    old_pid = listener._listener.info.backend_pid
    assert _kill_device_backends(hub_setup, old_pid) == 1
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (listener._listener is None
                                           or listener._listener.info.backend_pid == old_pid):
        waiter.join(0.05)
    any_hub.append(1, "dev-a", "bundle", b"x")
    waiter.join(60)
    assert result == [True]
    assert listener._listener.info.backend_pid != old_pid


@pytest.fixture
def pg_team(hub_setup, tmp_path, tmp_path_factory):
    hub = hub_setup.open(create=True)
    team = Team(tmp_path / "team", hub, tmp_path_factory.mktemp("pg-team-template"))
    team.add("computer1")
    team.add("computer2")
    yield team
    team.close()
    _allow_connections(hub_setup, True)


def _person(session, first: str) -> str:
    return people.create_person(session, PersonInput(kind="parent_carer", first_name=first, last_name="Pryce")).id


def test_a_hub_that_vanishes_mid_pull_leaves_whole_entries_and_syncs_on(hub_setup, pg_team, monkeypatch):
    a, b = pg_team.sessions
    hub_a, hub = pg_team.hubs
    sync_now(b, hub)
    _person(a, "Ada")
    sync_now(a, hub_a)
    second = [_person(a, "Bea"), _person(a, "Cy")]            # one entry, two rows
    sync_now(a, hub_a)
    _person(a, "Di")
    sync_now(a, hub_a)
    monkeypatch.setattr(pg_hub, "BATCH", 1)
    real_read = hub.read_after

    def vanishing(seq, limit=None):
        for n, entry in enumerate(real_read(seq, limit)):
            yield entry
            if n == 0:      # the hub goes away after the first entry was handed over
                _allow_connections(hub_setup, False)
                _kill_device_backends(hub_setup)

    monkeypatch.setattr(hub, "read_after", vanishing)
    with pytest.raises(HubUnavailable) as info:
        sync_now(b, hub)
    assert "Work goes on offline" in info.value.message
    assert hub_setup.names["device_password"] not in info.value.message
    names = {r[0] for r in b.conn.execute("SELECT first_name FROM person WHERE last_name = 'Pryce'")}
    assert names == {"Ada"}                                 # entry 1 whole, entry 2 not at all
    assert b.conn.execute("SELECT count(*) FROM person WHERE id IN (?, ?)", second).fetchone()[0] == 0

    monkeypatch.setattr(hub, "read_after", real_read)
    _allow_connections(hub_setup, True)
    sync_now(b, hub)
    assert rows_of(a) == rows_of(b)


def test_a_hub_that_vanishes_mid_push_loses_nothing(hub_setup, pg_team, monkeypatch):
    a, b = pg_team.sessions
    hub, hub_b = pg_team.hubs
    sync_now(b, hub_b)
    person = _person(a, "Ada")
    waiting = pending_count(a)
    real_append = hub.append

    def vanishing(*args):
        _allow_connections(hub_setup, False)
        _kill_device_backends(hub_setup)
        return real_append(*args)

    monkeypatch.setattr(hub, "append", vanishing)
    with pytest.raises(HubUnavailable):
        sync_now(a, hub)
    assert pending_count(a) == waiting                      # still waiting, nothing lost

    monkeypatch.setattr(hub, "append", real_append)
    _allow_connections(hub_setup, True)
    assert sync_now(a, hub).pushed == waiting and pending_count(a) == 0
    sync_now(b, hub_b)
    assert b.conn.execute("SELECT first_name FROM person WHERE id = ?", (person,)).fetchone()[0] == "Ada"
    assert rows_of(a) == rows_of(b)
