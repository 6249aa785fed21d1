"""The self-test's checks for a PostgreSQL hub: reachable, set up by IT's script, the device
role limited to reading and adding, the sequence trigger in place, NOTIFY delivered."""

import psycopg

from app.services.selftest.check import Check
from app.storage.hub.base import HubError
from app.storage.hub.postgres import connect, describe_conninfo, tls_problem, transport

TABLES = ("team", "entries", "revoked_devices", "snapshots", "snapshot_pieces")


def check_postgres_hub(conninfo: str) -> list[Check]:
    """May raise: nothing: every problem becomes a failed Check."""
    where = describe_conninfo(conninfo)
    try:
        conn = connect(conninfo)
    except HubError as exc:
        return [Check("encryption", False, exc.message)]
    except psycopg.Error as exc:
        if (problem := tls_problem(str(exc))) is not None:
            return [Check("encryption", False, f"{where}: {problem}")]
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "no answer"
        return [Check("server", False, f"{where} cannot be reached: {reason}")]
    checks = []
    try:
        version = conn.execute("SHOW server_version").fetchone()[0]
        checks.append(Check("server", True, f"{where} answers (PostgreSQL {version})"))
        how = transport(conn, conninfo)
        checks.append(Check("encryption", "NOT checked" not in how, how))
        present = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'confide'")}
        missing = [t for t in TABLES if t not in present]
        if missing:
            checks.append(Check("tables", False, f"missing confide.{', confide.'.join(missing)}: "
                                "IT runs the set-up script (confide hub setup-sql)"))
            return checks
        checks.append(Check("tables", True, "the hub's tables are there"))
        checks.append(_privileges(conn))
        trigger = conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'entries_before_insert' "
                               "AND NOT tgisinternal AND tgenabled <> 'D'").fetchone()[0]
        checks.append(Check("sequence guard", bool(trigger),
                            "the trigger that accepts only the next number and refuses revoked devices is on"
                            if trigger else "the entries trigger is missing or disabled: run the setup script again"))
        checks.append(_notify(conn))
        team = conn.execute("SELECT team_id FROM confide.team").fetchone()
        checks.append(Check("team", True, f"bound to team {team[0]}" if team else "not bound to a team yet"))
    except psycopg.Error as exc:
        checks.append(Check("server", False, f"{where} failed a check: {str(exc).strip().splitlines()[0]}"))
    finally:
        conn.close()
    return checks


def _privileges(conn) -> Check:
    too_much = []
    for table in TABLES:
        # A computer writes only through confide.append and the snapshot functions, which name
        # it from its login (docs/hub.md): a direct INSERT could write as another computer.
        for privilege in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
            if table == "team" and privilege == "INSERT":
                continue                        # a manager's login binds the team once
            if conn.execute("SELECT has_table_privilege(current_user, %s, %s)",
                            (f"confide.{table}", privilege)).fetchone()[0]:
                too_much.append(f"{privilege} on {table}")
    if too_much:
        return Check("device role", False, f"this account may {', '.join(too_much)}: a computer could "
                     "rewrite the log; connect with a computer's own login (IT's setup script makes them)")
    return Check("device role", True, "this account can only read, and add entries through the hub's functions")


def _notify(conn) -> Check:
    channel = "confide_hub_selftest"
    conn.execute(f"LISTEN {channel}")
    conn.execute("SELECT pg_notify(%s, 'ping')", (channel,))
    got = [n.payload for n in conn.notifies(timeout=5, stop_after=1)]
    conn.execute(f"UNLISTEN {channel}")
    if got == ["ping"]:
        return Check("notify", True, "LISTEN/NOTIFY works: other computers hear of new entries at once")
    return Check("notify", False, "NOTIFY did not arrive within 5 s (a connection pooler in between?); "
                 "computers will still sync on their timer")
