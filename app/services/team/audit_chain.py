"""Other computers' audit events, checked against their author's chain as they arrive
(docs/sync.md §9).

Each computer's audit trail is a hash chain (app/security/audit.py). A bundle carries the
events its author wrote since its last push; the first of them must follow the last one this
computer already holds from that author. One that does not (a different `prev_hash`, a gap,
an event number sent again with other content) means the author's trail was changed after
it was sent: the events are kept as evidence, the break is recorded here and reported by the
sync that found it and by every `confide verify` after, never passed over in silence.
"""

import json
from collections.abc import Callable

from app.security.audit import GENESIS, row_hash
from app.services.team import state

BREAKS = "audit_breaks"         # sync_state: the breaks found when pulling, for verify
MAX_BREAKS = 200


def _name(conn, device_id: str) -> str:
    dev = state.device(conn, device_id)
    return dev.name if dev is not None else device_id


def check_chain(name: str, events: list[dict], last: tuple[int, str] | None,
                known: Callable[[int], str | None]) -> tuple[tuple[int, str] | None, str | None]:
    """Walk `events` on from `last` (the seq and hash of the author's last event held here;
    None when none is: then the first event starts the walk, as after a join from a
    snapshot; likewise after a gap). `known(seq)` is the hash held here for an earlier event. Returns the new last
    and the first problem, as a plain sentence (None: all follow)."""
    for event in events:
        try:
            seq, digest, prev = int(event["seq"]), str(event["hash"]), str(event["prev_hash"])
            computed = row_hash(event, prev)
        except (KeyError, TypeError, ValueError):
            return last, f"An audit event from computer '{name}' is damaged."
        if last is not None and seq <= last[0]:
            held = known(seq)
            if held is not None and held != digest:
                return last, (f"Computer '{name}' sent its audit event {seq} again with different content: "
                              "its audit trail was changed after it was sent.")
            continue
        if last is not None and seq != last[0] + 1:
            # Bundles this computer never read (it restarted from a snapshot after a
            # compaction, docs/sync.md §10): nothing to link to, so the walk starts again
            # here. An author never skips its own events: it sends all since its last push.
            last = None
        link = GENESIS if seq == 1 else (last[1] if last is not None else prev)
        if prev != link:
            return last, (f"Audit event {seq} from computer '{name}' does not follow its event {seq - 1} as "
                          "sent before: its audit trail was changed after it was sent.")
        if computed != digest:
            return last, f"Audit event {seq} from computer '{name}' was altered after it was written."
        last = (seq, digest)
    return last, None


def receive(conn, device_id: str, events: list[dict], hub_seq: int) -> str | None:
    """Check and keep the audit events a bundle from `device_id` carries (in the caller's
    transaction). Returns the break found, recorded for verify, or None."""
    row = conn.execute("SELECT seq, hash FROM sync_remote_audit WHERE device_id = ? ORDER BY seq DESC LIMIT 1",
                       (device_id,)).fetchone()

    def known(seq: int) -> str | None:
        held = conn.execute("SELECT hash FROM sync_remote_audit WHERE device_id = ? AND seq = ?",
                            (device_id, seq)).fetchone()
        return held[0] if held else None

    _, problem = check_chain(_name(conn, device_id), events, (int(row[0]), row[1]) if row else None, known)
    conn.executemany(
        "INSERT OR IGNORE INTO sync_remote_audit (device_id, seq, event, hash, hub_seq) VALUES (?, ?, ?, ?, ?)",
        [(device_id, int(e["seq"]), json.dumps(e, sort_keys=True), e["hash"], hub_seq) for e in events
         if isinstance(e, dict) and "seq" in e and "hash" in e])
    if problem is None:
        return None
    problem = f"{problem} (hub entry {hub_seq}) Ask your manager to check that computer."
    breaks = state.get(conn, BREAKS, [])
    if len(breaks) < MAX_BREAKS:
        state.put(conn, BREAKS, [*breaks, {"device": device_id, "hub_seq": hub_seq, "problem": problem}])
    return problem


def recorded_breaks(conn) -> list[str]:
    """Every break found when pulling, as sentences."""
    return [b["problem"] for b in state.get(conn, BREAKS, [])]
