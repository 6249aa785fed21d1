"""Hub compaction, for the hub's administrator (`confide hub compact`; docs/sync.md §10,
docs/hub.md "Compaction").

It needs no team key and opens no vault: everything it decides from is public on the hub.
Control entries are signed JSON (the computers and their keys); every entry names the
computer that appended it; a snapshot's signature can be checked with the public key of the
computer that wrote it. A computer appends only after applying everything before, so an
entry from it after N proves it has applied N.
"""

import json
import mmap
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import ConfideError
from app.services.team import control, keys, snapshot
from app.services.team.bundle import BundleRefused
from app.storage.hub.base import DAMAGED, MISSING, Hub, HubError
from app.storage.hub.location import is_postgres_location, open_hub, team_row
from app.storage.hub.marker import MARKER
from app.storage.hub.pieces import SnapshotDamaged


class CompactionRefused(ConfideError):
    """Compacting now would make a computer start again from the snapshot, or there is no
    snapshot to compact to."""


@dataclass
class CompactionPlan:
    upto: int                                           # 0: nothing to compact
    behind: list[str] = field(default_factory=list)     # names of computers not yet past upto
    dropped: int = 0


def _devices(hub: Hub, upto: int = 0) -> tuple[dict[str, dict], dict[str, int], dict[str, str]]:
    """Enrolled, unrevoked computers (id -> enrolment), each computer's last entry, and each
    computer's signing key as it stood at entry `upto` (a computer replaces its keys at each
    team key change, docs/sync.md §5: a snapshot is checked against the key of its time)."""
    enrolled: dict[str, dict] = {}
    last: dict[str, int] = {}
    keys_at: dict[str, str] = {}
    for entry in hub.read_after(0):
        if entry.kind in (DAMAGED, MISSING):
            raise CompactionRefused(f"Hub entry {entry.seq} is {entry.kind}: run 'confide hub check' and "
                                    "'confide hub repair' on a computer of the team first. Nothing was "
                                    "compacted.")
        if entry.kind != "control":
            last[entry.device_id] = entry.seq
            continue
        try:
            body = control.read_unverified(entry.payload, entry.seq)
        except BundleRefused:
            continue
        # A stopped computer's `blocked` entry and a manager's `void` are written at the end
        # without having applied what is before them: no proof of having read it (§4).
        if body.get("type") not in ("blocked", "void"):
            last[entry.device_id] = entry.seq
        if body.get("type") in ("genesis", "enrol") and isinstance(body.get("device"), dict):
            enrolled[body["device"]["device_id"]] = dict(body["device"])
        elif body.get("type") in ("joined", "rekeyed") and body.get("by") in enrolled and body.get("sign_pub"):
            enrolled[body["by"]]["sign_pub"] = body["sign_pub"]
        if entry.seq <= upto:
            keys_at.update({d: info.get("sign_pub") for d, info in enrolled.items()})
        for gone in body.get("revoked") or []:
            enrolled.pop(gone, None)
    for gone in hub.revoked_devices():
        enrolled.pop(gone, None)
    return enrolled, last, keys_at


def plan(hub: Hub) -> CompactionPlan:
    """Where compaction could go now: the latest snapshot, signed by a computer of the team,
    and which active computers have not yet appended after it. May raise: HubError."""
    with tempfile.TemporaryFile() as out:
        try:
            snap = hub.fetch_latest_snapshot(out)
        except SnapshotDamaged as exc:
            raise CompactionRefused(f"{exc.message} Nothing was compacted.") from None
        if snap is None:
            return CompactionPlan(0)
        enrolled, last, keys_at = _devices(hub, snap.upto_seq)
        signer = keys_at.get(snap.device_id) if snap.device_id in enrolled else None
        # Mapped, not read: a large team's snapshot is gigabytes (docs/hub.md).
        out.write(b"\0")                                   # (an empty file cannot be mapped)
        out.flush()
        with mmap.mmap(out.fileno(), 0, access=mmap.ACCESS_READ) as map_:
            whole = memoryview(map_)[:snap.size]
            try:
                p = snapshot.read(whole)
                try:
                    signed = signer is not None and keys.verify(signer, p.signature, p.signed) and \
                        p.header.get("upto") == snap.upto_seq
                finally:
                    p.file.release()
                    p.signed.release()
            except BundleRefused:
                signed = False
            whole.release()
    if not signed:
        raise CompactionRefused("The hub's latest snapshot is not signed by a computer of the team; "
                                "nothing was compacted.")
    behind = sorted(d.get("name") or dev for dev, d in enrolled.items() if last.get(dev, 0) <= snap.upto_seq)
    return CompactionPlan(snap.upto_seq, behind)


def compact(hub: Hub, force: bool = False) -> CompactionPlan:
    """Drop every bundle entry the latest snapshot covers, and every older snapshot. Refused
    while a computer has not synced past the snapshot, unless `force` (erasure: a computer
    behind then starts again from the snapshot, keeping what it had not pushed).

    May raise: CompactionRefused, HubError.
    """
    p = plan(hub)
    if p.upto == 0:
        raise CompactionRefused("The hub holds no snapshot yet: there is nothing to compact to.")
    if p.behind and not force:
        raise CompactionRefused(f"Not yet: {', '.join(p.behind)} ha{'s' if len(p.behind) == 1 else 've'} not "
                                f"synced past entry {p.upto}. Sync them, or compact anyway (--force): they "
                                "then start again from the snapshot.")
    p.dropped = hub.compact(p.upto)
    return p


def open_admin_hub(location: str) -> Hub:
    """The hub at `location`, for its administrator: the team it serves is read from the hub
    itself (the folder's marker, the database's team row). For PostgreSQL, `location` must
    be the owner's connection string: the device role may not compact.

    May raise: HubUnavailable, HubError.
    """
    if is_postgres_location(location):
        row = team_row(location)
    else:
        try:
            row = [json.loads((Path(location) / MARKER).read_text("utf-8"))["team_id"]]
        except (OSError, ValueError, KeyError, TypeError):
            row = None
    if not row:
        raise HubError(f"{location if not is_postgres_location(location) else 'That database'} is not a "
                       "Confide hub of a team.")
    return open_hub(location, row[0])
