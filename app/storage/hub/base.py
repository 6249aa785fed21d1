"""The one small interface every hub offers (docs/sync.md).

A hub is a durable, ordered, append-only log of opaque entries. It never sees plaintext or
keys: only ciphertext, device ids, sequence numbers, sizes and times. Everything that makes
an entry trustworthy (encryption, signatures, chains, epochs) is checked by the computers
that read it, never by the hub; the hub's own refusals (a taken sequence number, a revoked
device on the PostgreSQL hub) are a second line, not the first.
"""

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from app.errors import ConfideError

# What an entry carries. "bundle": a device's changes. "control": team membership, devices,
# key epochs, revocations (signed by a manager's computer). "snapshot" entries are not in
# the log: see Hub.put_snapshot.
ENTRY_KINDS = ("bundle", "control")
# A bundle entry whose payload compaction dropped (docs/hub.md "Compaction"): its number
# stays, so the log never has gaps, and a reader that had not applied it restarts from the
# snapshot that covers it. Never appended by a computer.
COMPACTED = "compacted"
READ_KINDS = (*ENTRY_KINDS, COMPACTED)
# What a reader is told instead of an entry it cannot have (never stored, never appended):
# DAMAGED, a number that holds bytes that are not a whole entry and are no torn claim (a
# flipped bit, a record from elsewhere: docs/hub.md "Damaged entries"); MISSING, a number
# with nothing at it while a later number holds an entry (a deleted file, a gap). The sync
# engine stops at either and says so (docs/sync.md §4); `confide hub repair` puts the entry
# back from a computer's copy. Their payload is empty; device_id is the one the damaged
# record names, if it can be read, else "".
DAMAGED = "damaged"
MISSING = "missing"


# Device ids become file names on a folder hub: letters, digits, '-' and '_' only.
DEVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")


class HubError(ConfideError):
    """The hub could not be used (unreachable folder or server, damaged entry store)."""


class HubUnavailable(HubError):
    """The hub cannot be reached now: work goes on offline and sync is retried later."""


class SequenceTaken(HubError):
    """Another computer appended at that sequence number first: pull, rebase, try again."""


class HubRefused(HubError):
    """The hub refused the entry (for example, the device has been revoked)."""


def check_device_id(device_id: str) -> None:
    """May raise: HubError."""
    if not isinstance(device_id, str) or not DEVICE_ID.match(device_id):
        raise HubError("A device id may hold only letters, digits, '-' and '_' (at most 128).")


def check_append(seq: int, device_id: str, kind: str) -> None:
    """What every hub checks before it claims a sequence number. May raise: HubError."""
    check_device_id(device_id)
    if kind not in ENTRY_KINDS:
        raise HubError(f"Unknown hub entry kind {kind!r}.")
    if not isinstance(seq, int) or seq < 1:
        raise HubError("Hub sequence numbers start at 1.")


@dataclass(frozen=True)
class HubEntry:
    seq: int            # 1, 2, 3 ... with no gaps
    device_id: str
    kind: str           # one of ENTRY_KINDS
    payload: bytes      # opaque ciphertext
    created_at: str     # UTC ISO-8601, as the hub recorded it


@dataclass(frozen=True)
class Snapshot:
    upto_seq: int       # the snapshot holds the effect of entries 1..upto_seq
    device_id: str
    payload: bytes      # opaque ciphertext
    created_at: str


@dataclass(frozen=True)
class SnapshotInfo:
    """Where a snapshot copied by Hub.fetch_latest_snapshot came from."""
    upto_seq: int
    device_id: str
    created_at: str
    size: int           # bytes of payload written


def write_snapshot(snap: "Snapshot | None", out: BinaryIO) -> SnapshotInfo | None:
    """fetch_latest_snapshot for a hub that holds its snapshots in memory anyway (tests)."""
    if snap is None:
        return None
    out.write(snap.payload)
    out.flush()
    return SnapshotInfo(snap.upto_seq, snap.device_id, snap.created_at, len(snap.payload))


class Hub(Protocol):
    """May raise (every method): HubUnavailable, HubError."""

    def append(self, seq: int, device_id: str, kind: str, payload: bytes) -> HubEntry:
        """Claim sequence number `seq` (must be head() + 1) for this entry, atomically.

        May raise: SequenceTaken (someone else holds seq), HubRefused (revoked device).
        """

    def head(self) -> int:
        """The highest sequence number written (0 for an empty hub)."""

    def read_after(self, seq: int, limit: int | None = None) -> Iterator[HubEntry]:
        """Entries with sequence number > seq, in order, to the end of the log. A number
        that holds a damaged record, or nothing while a later one holds an entry, is given
        as an entry of kind DAMAGED or MISSING, never passed over in silence."""

    def last_number(self) -> int:
        """The highest number holding anything (head() stops at a gap; this does not)."""

    def revoke_device(self, device_id: str) -> None:
        """Ask the hub to refuse further appends from this device (idempotent). On
        PostgreSQL only a manager's computer's login may, and the device's login is disabled.
        May raise: HubError (this login may not)."""

    def add_device_login(self, device_id: str, manager: bool = False) -> str | None:
        """Give a newly enrolled computer its own way into the hub: on PostgreSQL a login of
        its own, made through the setup script's narrow path (a manager's computer's login
        only), returned as that computer's connection string (secret: it goes into the
        invitation only); None where every computer uses the same location (a folder).
        May raise: HubError."""

    def revoked_devices(self) -> set[str]:
        ...

    def put_snapshot(self, upto_seq: int, device_id: str, payload: bytes) -> None:
        """Store an encrypted snapshot of the replicated state after entry upto_seq."""

    def latest_snapshot(self) -> Snapshot | None:
        ...

    def fetch_latest_snapshot(self, out: BinaryIO, skip: int = 0) -> SnapshotInfo | None:
        """`skip`: pass over that many newer ones first (a joiner falls back to an older
        snapshot when a newer one is refused). Write the latest snapshot's payload to `out` (an empty file opened for writing) a
        piece at a time, never holding it whole in memory: for a large team it is hundreds of
        megabytes. None when the hub holds no snapshot (nothing written).
        May raise: OSError (writing `out`)."""

    def restore_entry(self, seq: int, device_id: str, kind: str, payload: bytes) -> None:
        """Put back entry `seq` from a computer's copy (`confide hub repair`): only where the
        hub holds nothing whole at that number (missing, damaged, beyond a rolled-back end),
        or where the caller has proved the hub's entry forged (its signature fails and the
        copy's holds). What it replaces is kept aside, never deleted.

        May raise: SequenceTaken (a whole entry is there and `replace` was not asked),
        HubRefused (the PostgreSQL device role may only add at the end), HubError."""

    def compact(self, upto_seq: int) -> int:
        """Drop the payload of every bundle entry up to `upto_seq` (a snapshot at upto_seq
        must exist) and every older snapshot. Returns how many entries were dropped. For
        the hub's administrator (app/services/team/compaction.py decides upto_seq); a
        device's PostgreSQL role is refused. May raise: HubError."""

    def wait_for_change(self, timeout: float) -> bool:
        """Block up to `timeout` seconds for a new entry (NOTIFY, or polling). True if one came."""

    def describe(self) -> str:
        """Where the hub is, for messages, with no password in it."""

    def close(self) -> None:
        ...


def read_whole_snapshot(hub: Hub) -> Snapshot | None:
    """`latest_snapshot` for a hub that streams (`fetch_latest_snapshot`): the pieces read into
    memory, for callers that want the bytes at once."""
    out = io.BytesIO()
    info = hub.fetch_latest_snapshot(out)
    if info is None:
        return None
    return Snapshot(upto_seq=info.upto_seq, device_id=info.device_id, payload=out.getvalue(),
                    created_at=info.created_at)
