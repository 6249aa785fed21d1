"""Audit across the team (docs/sync.md §9): this computer's audit trail against the copy it
pushed to the hub, and every other computer's chain as the hub holds it and as this
computer keeps it. `confide verify` runs `verify_team` on a team computer, so a rewrite of
one computer's trail is reported on that computer (its trail differs from the hub's copy)
and on every other (the author's later events do not follow the ones it sent before).
"""

import json
import zlib
from dataclasses import dataclass, field

from app.domain.counting import plural
from app.security import crypto
from app.services.team import audit_chain, bundle, keys, state
from app.services.team.sync import AUDIT_COLUMNS
from app.storage.hub.base import Hub

MAX_LINES = 20


@dataclass
class HubAuditReport:
    ok: bool
    on_hub: int
    not_yet_pushed: int
    problems: list[str] = field(default_factory=list)


@dataclass
class TeamAuditReport:
    ok: bool
    lines: list[str] = field(default_factory=list)


@dataclass
class _HubEvents:
    by_device: dict[str, list[dict]] = field(default_factory=dict)
    unreadable: int = 0


def _events_on_hub(conn, hub: Hub) -> _HubEvents:
    """Every computer's audit events in the bundles the hub holds, in log order. A bundle is
    read only if its author's signature holds; one that cannot be read here (a key this
    computer never had, damage) is counted, not guessed at."""
    found = _HubEvents()
    for entry in hub.read_after(0):
        if entry.kind != "bundle":
            continue
        dev = state.device(conn, entry.device_id)
        try:
            p = bundle.parse(entry.payload, entry.seq)
            if dev is None or p.header.get("device") != entry.device_id or \
                    not keys.verify(dev.sign_pub, p.signature, p.header_bytes + p.nonce + p.ciphertext):
                raise bundle.BundleRefused("unsigned")
            key = state.epoch_key(conn, int(p.header["epoch"]))
            if key is None:
                raise bundle.BundleRefused("no key")
            body = bundle.open_body(key, p, entry.seq)
        except (bundle.BundleRefused, crypto.DecryptionFailed, KeyError, TypeError, ValueError, zlib.error):
            found.unreadable += 1
            continue
        events = [e for e in body.get("audit", []) if isinstance(e, dict)]
        found.by_device.setdefault(entry.device_id, []).extend(events)
    return found


def _own_events_on_hub(conn, hub: Hub) -> dict[int, dict]:
    me = state.get(conn, "device_id")
    return {int(e["seq"]): e for e in _events_on_hub(conn, hub).by_device.get(me, []) if "seq" in e}


def _compare_own(conn, on_hub: dict[int, dict]) -> HubAuditReport:
    cursor = conn.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_event ORDER BY seq")
    local = {row[0]: dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in cursor}
    problems = []
    for seq in sorted(on_hub):
        mine = local.get(seq)
        if mine is None:
            problems.append(f"Audit event {seq} is on the hub but missing from this computer: events "
                            "were removed here.")
        elif mine["hash"] != on_hub[seq].get("hash") or mine != on_hub[seq]:
            problems.append(f"Audit event {seq} on this computer differs from the copy on the hub: it "
                            "was changed after it was sent.")
        if len(problems) >= MAX_LINES:
            break
    pushed = max(on_hub) if on_hub else 0
    waiting = sum(1 for s in local if s > pushed)
    return HubAuditReport(not problems, len(on_hub), waiting, problems)


def verify_against_hub(conn, hub: Hub) -> HubAuditReport:
    """Compare event by event; local events after the last push are 'not yet on the hub'.

    May raise: NotInTeam, HubError.
    """
    state.require_team(conn)
    return _compare_own(conn, _own_events_on_hub(conn, hub))


def _walk(name: str, events: list[dict]) -> str | None:
    seen: dict[int, str] = {}
    last = None
    for event in events:
        last, problem = audit_chain.check_chain(name, [event], last, seen.get)
        if problem is not None:
            return problem
        if last is not None:
            seen.setdefault(last[0], last[1])
    return None


def verify_remote_chains(conn) -> list[str]:
    """Check the other computers' audit events kept here: each device's hash chain must be
    unbroken from the first event kept. Returns plain sentences, one per broken device."""
    problems = []
    names = {d.device_id: d.name for d in state.devices(conn)}
    for (device_id,) in conn.execute("SELECT DISTINCT device_id FROM sync_remote_audit ORDER BY device_id"):
        events = [json.loads(text) for (text,) in conn.execute(
            "SELECT event FROM sync_remote_audit WHERE device_id = ? ORDER BY seq", (device_id,))]
        problem = _walk(names.get(device_id, device_id), events)
        if problem is not None:
            problems.append(problem)
    return problems


def _kept_copies_differ(conn, by_device: dict[str, list[dict]], names: dict[str, str]) -> list[str]:
    problems = []
    for device_id, events in by_device.items():
        on_hub = {int(e["seq"]): e.get("hash") for e in events if "seq" in e}
        for seq, digest in conn.execute("SELECT seq, hash FROM sync_remote_audit WHERE device_id = ?",
                                        (device_id,)):
            if seq in on_hub and on_hub[seq] != digest:
                problems.append(f"The copy kept here of audit event {seq} from computer "
                                f"'{names.get(device_id, device_id)}' differs from the hub's: it was "
                                "changed on this computer.")
                break
    return problems


def verify_team(conn, hub: Hub | None, unreachable: str = "") -> TeamAuditReport:
    """This computer's trail against the hub's copy; every other computer's chain on the hub
    and as kept here; the breaks found when pulling. Lines for `confide verify`. With no hub
    (`unreachable` says why) only what this computer keeps is checked, and the line says so.

    May raise: NotInTeam, HubError.
    """
    state.require_team(conn)
    me = state.get(conn, "device_id")
    names = {d.device_id: d.name for d in state.devices(conn)}
    found = _events_on_hub(conn, hub) if hub is not None else _HubEvents()
    lines: list[str] = []
    if hub is None:
        lines.append(f"Team audit: not compared with the hub ({unreachable}); only the other computers' "
                     "events kept here were checked. Run verify again when the hub can be reached.")
    own = _compare_own(conn, {int(e["seq"]): e for e in found.by_device.get(me, []) if "seq" in e})
    problems = [f"Audit trail differs from the hub: {p}" for p in own.problems]
    for device_id, events in sorted(found.by_device.items()):
        if device_id == me:
            continue
        problem = _walk(names.get(device_id, device_id), events)
        if problem is not None:
            problems.append(f"Audit trail on the hub broken: {problem}")
    problems += [f"Audit trail kept here broken: {p}" for p in verify_remote_chains(conn)]
    problems += [f"Audit trail changed here: {p}" for p in _kept_copies_differ(conn, found.by_device, names)]
    problems += [f"Audit trail broken (found at sync): {p}" for p in audit_chain.recorded_breaks(conn)]
    others = sum(1 for d in found.by_device if d != me)
    if not problems and hub is not None:
        note = f"; {own.not_yet_pushed} not yet on the hub" if own.not_yet_pushed else ""
        lines.append(f"Team audit: this computer's {own.on_hub} events on the hub match{note}; "
                     f"the audit chains of {plural(others, 'other computer')} on the hub are unbroken")
    lines += problems[:MAX_LINES]
    if len(problems) > MAX_LINES:
        lines.append(f"... and {len(problems) - MAX_LINES} more audit problems.")
    if found.unreadable:
        lines.append(f"Team audit: {plural(found.unreadable, 'bundle')} on the hub could not be read here "
                     "and were not compared.")
    return TeamAuditReport(not problems, lines)
