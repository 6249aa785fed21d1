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


def verify_remote_chains(conn) -> list[str]:
    """Check the other computers' audit events kept here: each device's hash chain must be
    unbroken from its first event. Returns plain sentences, one per broken device."""
    from app.security.audit import GENESIS, row_hash

    problems = []
    names = {d.device_id: d.name for d in state.devices(conn)}
    for (device_id,) in conn.execute("SELECT DISTINCT device_id FROM sync_remote_audit ORDER BY device_id"):
        prev, expected = None, None
        for seq, text in conn.execute("SELECT seq, event FROM sync_remote_audit WHERE device_id = ? ORDER BY seq",
                                      (device_id,)).fetchall():
            event = json.loads(text)
            if expected is not None and seq != expected:
                problems.append(f"Computer '{names.get(device_id, device_id)}' sent no audit event {expected}.")
                break
            link = event["prev_hash"] if prev is None and seq > 1 else (prev or GENESIS)
            if event["prev_hash"] != link or row_hash(event, link) != event["hash"]:
                problems.append(f"Audit event {seq} from computer '{names.get(device_id, device_id)}' does "
                                "not follow its earlier events.")
                break
            prev, expected = event["hash"], seq + 1
    return problems
