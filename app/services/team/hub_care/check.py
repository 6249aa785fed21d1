"""`confide hub check`: every number of the hub's log, and its newest snapshot, compared
with what this computer wrote, applied and kept (docs/sync.md §15). Reads only.

Found, each with a plain line:
- missing: nothing at a number below the hub's last entry (a deleted file, a gap);
- rolled back: the hub ends before entries this computer applied (a folder or server put
  back from an older copy);
- damaged: bytes that are not a whole entry (a flipped bit on a folder hub);
- altered: a whole entry whose signature fails, or that differs from this computer's copy
  while the copy's signature holds (forged on the hub, or a replaced entry);
- diverged: a whole, well-signed entry that differs from this computer's well-signed copy:
  the hub was put back from an older copy and written to since (needs a person);
- snapshot: the hub's newest snapshot is older than one this computer wrote, is not the
  bytes it wrote, or has a piece missing or damaged.
A finding is `repairable` when this computer holds a good copy of what belongs there.
"""

import hashlib
from dataclasses import dataclass, field

from app.services.team import copies, state
from app.services.team.hub_care.signed import well_signed
from app.storage.hub.base import COMPACTED, DAMAGED, MISSING, Hub, HubEntry
from app.storage.hub.pieces import SnapshotDamaged


@dataclass(frozen=True)
class Finding:
    seq: int            # the entry's number (for a snapshot: the number it covers)
    what: str           # missing | rolled_back | damaged | altered | diverged | snapshot
    words: str
    repairable: bool


@dataclass
class Report:
    hub_end: int = 0                # the hub's last number holding anything
    applied: int = 0                # this computer's last applied entry
    checked: int = 0                # entries read
    copies_held: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _entries(hub: Hub, top: int) -> dict[int, HubEntry]:
    """Every number up to `top` the hub holds anything at, past gaps of any length."""
    found: dict[int, HubEntry] = {}
    pos = 0
    while pos < top:
        for entry in hub.read_after(pos):
            if entry.kind != MISSING:
                found[entry.seq] = entry
            pos = entry.seq
        pos += 1    # past a number holding nothing
    return found


def check(conn, hub: Hub) -> Report:
    """May raise: NotInTeam, HubUnavailable, HubError."""
    state.require_team(conn)
    held = copies.digests(conn)
    applied = state.last_applied(conn)
    hub_end = hub.last_number()
    top = max(hub_end, applied, max(held, default=0))
    entries = _entries(hub, top)
    report = Report(hub_end=hub_end, applied=applied, checked=len(entries), copies_held=len(held))
    for seq in range(1, top + 1):
        finding = _look(conn, seq, entries.get(seq), held.get(seq), hub_end)
        if finding is not None:
            report.findings.append(finding)
    snap = _snapshot_finding(conn, hub)
    if snap is not None:
        report.findings.append(snap)
    return report


def _look(conn, seq: int, entry: HubEntry | None, copy_sha: str | None, hub_end: int) -> Finding | None:
    have = copy_sha is not None
    fix = " This computer holds a good copy: 'confide hub repair' puts it back." if have else \
        " This computer holds no copy of it: run 'confide hub check' on the team's other computers."
    if entry is None:
        if seq > hub_end:
            return Finding(seq, "rolled_back", f"Entry {seq} is gone: the hub ends at entry {hub_end}, "
                           f"before entries this computer applied (put back from an older copy?).{fix}", have)
        return Finding(seq, "missing", f"Entry {seq} is missing from the hub.{fix}", have)
    if entry.kind == DAMAGED:
        return Finding(seq, "damaged", f"Entry {seq} on the hub is damaged (its bytes fail their "
                       f"checksum).{fix}", have)
    if entry.kind == COMPACTED:
        return None
    sha = hashlib.sha256(entry.payload).hexdigest()
    if have and sha == copy_sha:
        return None
    if well_signed(conn, seq, entry.device_id, entry.kind, entry.payload):
        if not have:
            return None
        mine = copies.get(conn, seq)
        if not well_signed(conn, seq, mine.device_id, mine.kind, mine.payload):
            return None     # our copy is the odd one out (it was never what the team applied)
        return Finding(seq, "diverged", f"Entry {seq} on the hub is a different, well-signed entry than the "
                       "one this computer applied: the hub was put back from an older copy and written to "
                       "since. A person must decide; 'confide hub repair' does not replace it.", False)
    if have:
        mine = copies.get(conn, seq)
        have = well_signed(conn, seq, mine.device_id, mine.kind, mine.payload)
    return Finding(seq, "altered", f"Entry {seq} on the hub was altered or forged (its signature fails)."
                   + (" This computer holds the good copy: 'confide hub repair' puts it back." if have else
                      " No good copy here: another computer's 'confide hub repair', or a manager's "
                      f"'confide hub void --entry {seq}'."), have)


class _Hasher:
    """A write-only file that only hashes (fetch_latest_snapshot streams into it)."""

    def __init__(self):
        self.sha, self.size = hashlib.sha256(), 0

    def write(self, data) -> int:
        self.sha.update(data)
        self.size += len(data)
        return len(data)

    def seek(self, *_args) -> int:
        self.sha, self.size = hashlib.sha256(), 0
        return 0

    def truncate(self, *_args) -> int:
        return 0

    def flush(self) -> None:
        pass


def _snapshot_finding(conn, hub: Hub) -> Finding | None:
    seen = copies.newest_snapshot_seen(conn)
    if seen is None:
        return None
    upto, device_id, sha, _size, own = seen
    out = _Hasher()
    fix = " 'confide hub repair' writes a new one from this computer." if own else ""
    try:
        info = hub.fetch_latest_snapshot(out)
    except SnapshotDamaged as exc:
        # A piece gone or altered (docs/hub.md "Snapshots in pieces"): the hub's words name it.
        return Finding(upto, "snapshot", f"{exc.message}{fix}", own)
    if info is None or info.upto_seq < upto:
        at = f"entry {info.upto_seq}" if info else "none"
        return Finding(upto, "snapshot", f"The hub's newest whole snapshot ({at}) is older than the one at "
                       f"entry {upto} this computer wrote: it is missing or damaged.{fix}", own)
    if info.upto_seq == upto and info.device_id == device_id and sha and out.sha.hexdigest() != sha:
        return Finding(upto, "snapshot", f"The hub's snapshot at entry {upto} is not the one this computer "
                       f"wrote: it is damaged.{fix}", own)
    return None
