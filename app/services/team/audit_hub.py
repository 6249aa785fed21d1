"""Audit on the hub (docs/sync.md §9): this computer's audit trail against the copy it pushed."""

import json
import zlib
from dataclasses import dataclass, field

from app.security import crypto
from app.services.team import bundle, state
from app.services.team.sync import AUDIT_COLUMNS
from app.storage.hub.base import Hub


@dataclass
class HubAuditReport:
    ok: bool
    on_hub: int
    not_yet_pushed: int
    problems: list[str] = field(default_factory=list)


def _own_events_on_hub(conn, hub: Hub) -> dict[int, dict]:
    me = state.get(conn, "device_id")
    events = {}
    for entry in hub.read_after(0):
        if entry.kind != "bundle" or entry.device_id != me:
            continue
        try:
            p = bundle.parse(entry.payload, entry.seq)
            key = state.epoch_key(conn, int(p.header["epoch"]))
            body = json.loads(zlib.decompress(crypto.open_sealed(key, p.nonce, p.ciphertext, p.header_bytes)))
        except (bundle.BundleRefused, crypto.DecryptionFailed, KeyError, TypeError, ValueError, zlib.error):
            continue
        for event in body.get("audit", []):
            events[int(event["seq"])] = event
    return events


def verify_against_hub(conn, hub: Hub) -> HubAuditReport:
    """Compare event by event; local events after the last push are 'not yet on the hub'.

    May raise: NotInTeam, HubError.
    """
    state.require_team(conn)
    on_hub = _own_events_on_hub(conn, hub)
    cursor = conn.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_event ORDER BY seq")
    local = {row[0]: dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in cursor}
    problems = []
    for seq in sorted(on_hub):
        mine = local.get(seq)
        if mine is None:
            problems.append(f"Audit event {seq} is on the hub but missing from this computer: events "
                            "were removed here.")
        elif mine["hash"] != on_hub[seq]["hash"] or mine != on_hub[seq]:
            problems.append(f"Audit event {seq} on this computer differs from the copy on the hub: it "
                            "was changed after it was sent.")
        if len(problems) >= 20:
            break
    pushed = max(on_hub) if on_hub else 0
    waiting = sum(1 for s in local if s > pushed)
    return HubAuditReport(not problems, len(on_hub), waiting, problems)
