"""A lost laptop: remove it from the team, release its cases with an audit
record, and say from the hub's view what it never synced, so the caseworker can re-record it."""

from dataclasses import dataclass

from app import clock
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.services.team import state
from app.storage import records
from app.storage.db import transaction


@dataclass(frozen=True)
class LostCase:
    case_ref: str
    staff: str
    out_at: str | None
    last_on_hub: str | None     # when the laptop's last change reached the hub (None: never)

    def line(self) -> str:
        since = self.last_on_hub or self.out_at or "check-out"
        return (f"{self.case_ref} ({self.staff}): anything recorded on the laptop after {since} "
                "never reached the hub; re-record it from the caseworker's notes.")


def last_on_hub(conn, hub, device_id: str) -> str | None:
    """When the hub received the laptop's last bundle (the hub's own time)."""
    dev = state.device(conn, device_id)
    if dev is None or not dev.last_seq:
        return None
    for entry in hub.read_after(dev.last_seq - 1, limit=1):
        if entry.seq == dev.last_seq and entry.device_id == device_id:
            return entry.created_at
    return None


@grants(Scope.MANAGER)
def release_lost(session, name_or_id: str, hub=None) -> list[LostCase]:
    """Revoke the laptop (a new team key; the hub refuses it), mark each of its cases
    released (audited), and list what it may hold that the hub never received. `hub`: the
    team's hub (default: the one this computer is set up with).

    May raise: PermissionDenied, ValidationError, TeamError, HubUnavailable, HubError."""
    from app.services.team import membership
    from app.services.team import team as engine
    from app.services.team.sync import sync_now

    session.require(Role.MANAGER)
    conn = session.conn
    found = [d for d in state.devices(conn) if name_or_id in (d.device_id, d.name)]
    if len(found) != 1:
        from app.errors import ValidationError

        raise ValidationError(f"No computer called {name_or_id} is enrolled in this team.", field="device")
    device = found[0]
    own_hub = hub is None
    hub = membership.open_team_hub(session) if own_hub else hub
    try:
        if device.revoked_seq is None:
            engine.revoke_device(session, hub, device.device_id)
        sync_now(session, hub)       # whatever the laptop pushed before it was lost, applied here
        synced_at = last_on_hub(conn, hub, device.device_id)
        report = _release(session, device, synced_at)
        sync_now(session, hub)
    finally:
        if own_hub:
            hub.close()
    return report


def _release(session, device, synced_at: str | None) -> list[LostCase]:
    conn = session.conn
    at = clock.stamp()
    rows = conn.execute("SELECT id, case_ref, case_id, staff_username, out_at FROM case_checkout WHERE "
                        "device_id = ? AND state IN ('requested', 'out')", (device.device_id,)).fetchall()
    report = []
    with transaction(conn):
        for row in rows:
            records.update(conn, "case_checkout", row["id"], {
                "state": "released", "returned_at": at,
                "reason": f"Released: {device.name} was reported lost and removed from the team."},
                session.user.username)
            session.audit("checkout_released", "case", row["case_id"], device.device_id)
            report.append(LostCase(row["case_ref"], row["staff_username"], row["out_at"], synced_at))
    return report
