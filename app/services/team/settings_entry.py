"""The service's settings on every computer of a team (docs/sync.md §5, `settings` entries).

A setting a manager makes for the service (the auto-lock delay, the statement of transfers
outside the UK, the service's name, how long a consent lasts) is the same on every computer
of the team. It travels as a `settings` control entry, signed by the manager's own staff key
like any entry that changes the team and checked against the team's signed managers, so a
computer's copy of the data key cannot change it; every computer applies the entries in log
order into its local `setting` table, so the last one on the hub wins everywhere, and a
computer joining later replays them from the log (control entries are never compacted).
"""

import json

from app import clock
from app.domain.role_matrix import Scope, grants
from app.domain.setting_keys import SERVICE_NAME, TEAM_WIDE
from app.services.team.bundle import BundleRefused
from app.storage.db import transaction


def write(conn, key: str, value, at: str, by: str) -> None:
    """The local row (inside the caller's transaction)."""
    conn.execute("INSERT INTO setting (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, "
                 "updated_by = excluded.updated_by", (key, json.dumps(value), at, by))


def current(conn, vault_service_name: str) -> dict:
    """This computer's values of the team-wide settings that are set (the service's name
    always): what a new team starts with."""
    out = {k: json.loads(v) for k, v in conn.execute(
        f"SELECT key, value FROM setting WHERE key IN ({', '.join('?' * len(TEAM_WIDE))})", TEAM_WIDE)}
    out.setdefault(SERVICE_NAME, vault_service_name)
    return out


def check_shape(body: dict, seq: int) -> None:
    """May raise: BundleRefused (deterministic: every computer refuses the same entry)."""
    values = body.get("settings")
    if not isinstance(values, dict) or not values or not all(isinstance(k, str) for k in values):
        raise BundleRefused(f"Team entry {seq} on the hub is damaged and was not applied.")


def apply(conn, body: dict) -> None:
    """Keys this version does not know are passed over: a later Confide may add some."""
    for key, value in body["settings"].items():
        if key in TEAM_WIDE:
            write(conn, key, value, str(body.get("at")), str(body.get("staff")))


@grants(Scope.ANY, "the service's name in vault.json: no family's records")
def follow_service_name(session) -> bool:
    """Bring vault.json's service name (shown before anyone signs in, in titles and on every
    document) in line with the team's setting. Returns True when it changed."""
    row = session.conn.execute("SELECT value FROM setting WHERE key = ?", (SERVICE_NAME,)).fetchone()
    name = json.loads(row[0]) if row else None
    if not isinstance(name, str) or not name or name == session.vault.service_name:
        return False
    vault = session.reload_vault()
    vault.service_name = name
    vault.save(session.paths.vault, [session.data_key])
    session.vault = vault
    return True


@grants(Scope.HELPER, "settings.put checks the manager first")
def write_here(session, key: str, value) -> None:
    """Outside a team: this computer's row, with its audit event."""
    with transaction(session.conn):
        write(session.conn, key, value, clock.stamp(), session.user.username)
        session.audit("setting_changed", "setting", key, audit_detail(key, value))


def audit_detail(key: str, value) -> dict:
    # Audit rows hold no free text a family could be named in (docs/security.md).
    return {"none": value.get("none")} if isinstance(value, dict) else {"value": value}
