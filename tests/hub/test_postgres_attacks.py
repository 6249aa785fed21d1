"""An insider holding one computer's PostgreSQL login (its connection string, read from that
computer) attacks the hub with raw SQL, on a real server set up by IT's own script. Each
attack ends in a refusal by the server or within a stated bound (docs/hub.md, "What a
computer's login can do"):

- revoke another computer, make logins, make itself a manager: refused (permissions);
- hold the append lock: the session is ended after HOLD_BOUND seconds and the honest
  append lands (measured); advisory locks and table locks do not touch appends;
- store snapshots that stop every join: the joiner falls back to a snapshot whose
  signature holds; a login keeps at most two snapshots; none ahead of the log;
- rows of any size: refused above the hub's limits (64 MiB an entry by default);
- NOTIFY floods: a waiting computer never syncs for one, and looks at the head at most
  every NOTIFY_CHECK_INTERVAL seconds;
- reach another team's hub database: refused (CONNECT);
- a revoked computer's login no longer logs in, and its open sessions are ended.
"""

import threading
import time
import uuid

import psycopg
import pytest

from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.team.snapshot import MAGIC as SNAPSHOT_MAGIC
from app.services.team.sync import sync_now
from app.storage.hub import postgres as pg_hub
from app.storage.hub.base import HubError, HubRefused, SequenceTaken
from tests.team.conftest import Team
from tests.team.replica import rows_of

HUB_KINDS = ["postgres"]
HOLD_BOUND = 5.0        # confide.append ends a session that has held the append lock this long
POLL_SLACK = 3.0        # its 20 ms polling, the kill and the new insert, on a loaded machine


def raw(hut, device: str):
    """The attacker's own connection with that computer's login, every timeout it can
    lower lowered."""
    conn = psycopg.connect(hut.location_for(device), autocommit=True)
    for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"):
        conn.execute(f"SET {name} = 0")
    return conn


@pytest.fixture
def founder(hub_setup):
    hub = hub_setup.open(create=True)
    hub.append(1, "dev-manager", "control", b"genesis")
    return hub


def test_a_computer_cannot_revoke_another_nor_make_logins_nor_become_a_manager(hub_setup, founder):
    names = hub_setup.names
    with raw(hub_setup, "dev-x") as conn:
        for statement in (
            "INSERT INTO confide.revoked_devices (device_id) VALUES ('dev-manager')",
            "SELECT confide.revoke_device('dev-manager')",
            "SELECT confide.add_device_login('dev-rogue', 'SCRAM-SHA-256$4096:AAAA$AAAA:AAAA', true)",
            "SELECT confide.compact(1)",
            "SELECT confide.calling_device('dev-manager')",
            f'GRANT "{names["manager_group"]}" TO CURRENT_USER',
            f'SET ROLE "{names["owner_role"]}"',
            "CREATE TEMP TABLE mine (x int)",
            "CREATE TABLE public.mine (x int)",
            "SELECT * FROM confide.device_logins",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    assert founder.revoked_devices() == set()
    founder.append(2, "dev-manager", "bundle", b"still appending")
    assert founder.head() == 2


def test_holding_the_append_lock_is_ended_within_the_bound(hub_setup, founder):
    attacker = raw(hub_setup, "dev-x")
    attacker.execute("BEGIN")
    attacker.execute("SELECT confide.append(2, 'dev-x', 'bundle', 'held, never committed')")
    started = time.monotonic()
    founder.append(2, "dev-manager", "bundle", b"mine")
    waited = time.monotonic() - started
    assert waited < HOLD_BOUND + POLL_SLACK, waited
    with pytest.raises(psycopg.OperationalError):
        attacker.execute("COMMIT")
    attacker.close()
    assert [(e.seq, e.device_id, e.payload) for e in founder.read_after(0)][1:] == [(2, "dev-manager", b"mine")]
    print(f"honest append waited {waited:.1f} s behind a held append lock (bound {HOLD_BOUND} s)")


def test_honest_appenders_waiting_behind_a_held_lock_are_never_ended(hub_setup, founder):
    """Two computers wait behind the insider for longer than the bound: when its session is
    ended, whichever takes the lock first is not mistaken for it."""
    others = [hub_setup.open(device=f"dev-{n}") for n in ("b", "c")]
    attacker = raw(hub_setup, "dev-x")
    attacker.execute("BEGIN")
    attacker.execute("SELECT confide.append(2, 'dev-x', 'bundle', 'held')")
    outcome: dict = {}

    def push(hub, name):
        for seq in (2, 3):
            try:
                hub.append(seq, name, "bundle", name.encode())
                outcome[name] = seq
                return
            except SequenceTaken:
                continue
            except HubError as exc:
                outcome[name] = exc
                return

    threads = [threading.Thread(target=push, args=(hub, f"dev-{n}")) for hub, n in zip(others, "bc", strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    attacker.close()
    assert sorted(outcome.values()) == [2, 3], outcome


def test_advisory_and_table_locks_do_not_stop_appends(hub_setup, founder):
    with raw(hub_setup, "dev-x") as conn:
        conn.execute("SELECT pg_advisory_lock(727364100)")      # the old trigger's lock
        conn.execute("BEGIN")
        conn.execute("LOCK TABLE confide.entries IN ACCESS SHARE MODE")   # all SELECT allows
        for statement in ("LOCK TABLE confide.entries IN EXCLUSIVE MODE",
                          "SELECT * FROM confide.entries FOR UPDATE"):
            conn.execute("SAVEPOINT s")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.execute("ROLLBACK TO s")
        started = time.monotonic()
        founder.append(2, "dev-manager", "bundle", b"x")
        assert time.monotonic() - started < 2
        conn.execute("ROLLBACK")


def test_rows_above_the_limits_are_refused(hub_setup, founder):
    attacker = hub_setup.open(device="dev-x")
    with pytest.raises(HubRefused, match="size limit"):
        attacker.append(2, "dev-x", "bundle", b"\0" * (64 * 1024 * 1024 + 1))
    with hub_setup.admin() as admin:
        admin.execute("UPDATE confide.limits SET max_entry = 1048576, max_snapshot = 1048576")
    with pytest.raises(HubRefused, match="size limit"):
        attacker.append(2, "dev-x", "bundle", b"\0" * (1048576 + 1))
    with pytest.raises(HubRefused, match="size limit"):
        attacker.put_snapshot(1, "dev-x", b"\0" * (1048576 + 1))
    attacker.append(2, "dev-x", "bundle", b"\0" * 1048576)
    with hub_setup.admin() as admin:
        sizes = admin.execute("SELECT max(octet_length(payload)) FROM confide.entries").fetchone()[0]
        admin.execute("UPDATE confide.limits SET max_entry = DEFAULT, max_snapshot = DEFAULT")
    assert sizes == 1048576


def test_a_login_keeps_at_most_two_snapshots_and_none_ahead_of_the_log(hub_setup, founder):
    attacker = hub_setup.open(device="dev-x")
    for n in range(5):
        attacker.put_snapshot(1, "dev-x", f"junk {n}".encode())
    with pytest.raises(HubError, match="ahead"):
        attacker.put_snapshot(99, "dev-x", b"junk ahead")
    with pytest.raises(HubRefused, match="another computer"):
        attacker.put_snapshot(1, "dev-manager", b"in the manager's name")
    with hub_setup.admin() as admin:
        kept = admin.execute("SELECT s.device_id, string_agg(p.payload, ''::bytea ORDER BY p.n) "
                             "FROM confide.snapshots s JOIN confide.snapshot_pieces p ON p.snapshot_id = s.pieces_id "
                             "GROUP BY s.device_id, s.created_at ORDER BY s.created_at").fetchall()
        # The dropped snapshots' pieces went with them (docs/hub.md "Snapshots in pieces"); the
        # refused one's piece waits for this computer's next snapshot.
        pieces = admin.execute("SELECT upto_seq FROM confide.snapshot_pieces ORDER BY upto_seq").fetchall()
    assert [(d, bytes(p)) for d, p in kept] == [("dev-x", b"junk 3"), ("dev-x", b"junk 4")]
    assert pieces == [(1,), (1,), (99,)]
    attacker.put_snapshot(1, "dev-x", b"junk 5")
    with hub_setup.admin() as admin:
        assert admin.execute("SELECT count(*) FROM confide.snapshot_pieces WHERE upto_seq = 99").fetchone()[0] == 0


def test_a_notify_flood_wakes_no_sync(hub_setup, founder, monkeypatch):
    monkeypatch.setattr(pg_hub, "NOTIFY_CHECK_INTERVAL", 0.25)
    waiter = hub_setup.open()
    waiter.head()
    looks = []
    real_head = waiter.head
    monkeypatch.setattr(waiter, "head", lambda: looks.append(round(time.monotonic(), 3)) or real_head())
    stop = threading.Event()

    def flood():
        with raw(hub_setup, "dev-x") as conn:
            while not stop.is_set():
                conn.execute("NOTIFY confide_hub, '999999'")

    spammer = threading.Thread(target=flood)
    spammer.start()
    try:
        time.sleep(0.2)
        started = time.monotonic()
        assert waiter.wait_for_change(2.0) is False
        assert 1.9 <= time.monotonic() - started < 4
    finally:
        stop.set()
        spammer.join(10)
    assert len(looks) <= 2.0 / 0.25 + 3, (len(looks), looks[:12])


def test_a_login_cannot_reach_another_teams_hub_database(hub_setup, founder, postgres_server):
    other = postgres_server.new_hub_database()
    mine = hub_setup.location_for("dev-x")
    theirs_db = mine.rsplit("/", 1)[0] + "/" + other["dbname"]
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(theirs_db)
    their_founder = other["conninfo"].rsplit("/", 1)[0] + "/" + hub_setup.names["dbname"]
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(their_founder)


def test_a_revoked_computer_login_is_disabled_and_its_sessions_ended(hub_setup, founder):
    lost = hub_setup.open(device="dev-lost")
    session = raw(hub_setup, "dev-lost")
    assert session.execute("SELECT 1").fetchone() == (1,)
    founder.revoke_device("dev-lost")
    with pytest.raises(psycopg.OperationalError):
        session.execute("SELECT 1")
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        psycopg.connect(hub_setup.location_for("dev-lost"))
    lost.close()
    with pytest.raises(HubRefused, match="removed from the team"):
        hub_setup.open(device="dev-lost").head()


def test_a_new_login_is_sent_as_a_scram_verifier_never_the_password(hub_setup, founder):
    location = hub_setup.location_for("dev-new")
    password = psycopg.conninfo.conninfo_to_dict(location)["password"]
    with hub_setup.admin() as admin:
        stored = admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s",
                               (psycopg.conninfo.conninfo_to_dict(location)["user"],)).fetchone()[0]
        settings = admin.execute("SELECT setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
                                 "WHERE r.rolname = %s", (psycopg.conninfo.conninfo_to_dict(location)["user"],)
                                 ).fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$") and password not in stored
    assert "idle_in_transaction_session_timeout=60s" in settings
    with psycopg.connect(location) as conn:
        assert conn.execute("SHOW statement_timeout").fetchone()[0] == "1min"


# -- a junk snapshot does not stop a join ------------------------------------------------

@pytest.fixture
def pg_team(hub_setup, tmp_path, tmp_path_factory):
    team = Team(tmp_path / "team", hub_setup.open(create=True), tmp_path_factory.mktemp("pg-attack-template"))
    team.add("computer1")
    team.add("computer2")
    yield team
    team.close()


def test_junk_snapshots_from_a_computer_login_do_not_stop_a_join(hub_setup, pg_team):
    a, b = pg_team.sessions
    hub_a, hub_b = pg_team.hubs
    people.create_person(a, PersonInput(kind="parent_carer", first_name="Gwen", last_name="Probert"))
    sync_now(a, hub_a)
    sync_now(b, hub_b)
    head = hub_b.head()
    me = b.conn.execute("SELECT value FROM sync_state WHERE key = 'device_id'").fetchone()[0].strip('"')
    # What the insider stores with computer2's login: garbage, and a snapshot whose header
    # claims a Confide from the future (refused before its signature was ever checked).
    future = (b'{"device":"' + me.encode() + b'","epoch":1,"schema":99999,"team":"x","upto":' +
              str(head).encode() + b',"v":2}')
    crafted = SNAPSHOT_MAGIC + len(future).to_bytes(4, "big") + future + uuid.uuid4().bytes * 20
    hub_b.put_snapshot(head, me, b"garbage" * 1000)
    hub_b.put_snapshot(head, me, crafted)
    started = time.monotonic()
    c = pg_team.add("computer3")
    joined = time.monotonic() - started
    assert rows_of(c) == rows_of(a)
    assert c.conn.execute("SELECT count(*) FROM person WHERE last_name = 'Probert'").fetchone()[0] == 1
    print(f"joined past two junk snapshots in {joined:.1f} s")


def test_a_hub_from_the_old_script_loses_its_shared_login_s_writes(hub_setup, founder):
    """Before per-computer logins one shared login could INSERT: a second run of the new
    script takes that back (docs/hub.md)."""
    names = hub_setup.names
    shared = f"shared_{names['dbname']}"
    with hub_setup.admin() as admin:
        admin.execute(f'CREATE ROLE "{shared}" LOGIN PASSWORD \'old-shared-pw\'')
        admin.execute(f'GRANT CONNECT ON DATABASE "{names["dbname"]}" TO "{shared}"')
        admin.execute(f'GRANT USAGE ON SCHEMA confide TO "{shared}"')
        admin.execute(f'SET ROLE "{names["owner_role"]}"')
        admin.execute(f'GRANT SELECT, INSERT ON confide.entries, confide.revoked_devices TO "{shared}"')
    from tests.pgserver import SETUP_SQL

    args = []
    for key in ("dbname", "owner_role", "device_group", "manager_group", "founder_role"):
        args += ["-v", f"{key}={names[key]}"]
    hub_setup.server.psql(*args, "-f", str(SETUP_SQL))
    old = hub_setup.location.replace(f"{names['founder_role']}:{names['founder_password']}",
                                     f"{shared}:old-shared-pw")
    with psycopg.connect(old, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO confide.revoked_devices (device_id) VALUES ('dev-manager')")
    with hub_setup.admin() as admin:
        admin.execute(f'DROP OWNED BY "{shared}"')
        admin.execute(f'DROP ROLE "{shared}"')
