"""An in-memory hub for the engine's tests: the same contract as app/storage/hub/base.py."""

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

from app.storage.hub.base import (
    ENTRY_KINDS,
    HubEntry,
    HubRefused,
    SequenceTaken,
    Snapshot,
    write_snapshot,
)


class MemoryHub:
    def __init__(self):
        self.entries: list[HubEntry] = []
        self.revoked: set[str] = set()
        self.snapshots: list[Snapshot] = []
        self._lock = threading.Lock()

    def _now(self) -> str:
        return datetime.now(UTC).isoformat(timespec="seconds")

    def append(self, seq: int, device_id: str, kind: str, payload: bytes) -> HubEntry:
        if kind not in ENTRY_KINDS:
            raise ValueError(kind)
        with self._lock:
            if device_id in self.revoked:
                raise HubRefused("This computer has been removed from the team.")
            if seq != len(self.entries) + 1:
                raise SequenceTaken(f"Sequence {seq} is taken.")
            entry = HubEntry(seq, device_id, kind, bytes(payload), self._now())
            self.entries.append(entry)
            return entry

    def head(self) -> int:
        return len(self.entries)

    def last_number(self) -> int:
        return len(self.entries)

    def read_after(self, seq: int, limit: int | None = None) -> Iterator[HubEntry]:
        chosen = self.entries[seq:]
        return iter(chosen if limit is None else chosen[:limit])

    def revoke_device(self, device_id: str) -> None:
        self.revoked.add(device_id)

    def revoked_devices(self) -> set[str]:
        return set(self.revoked)

    def put_snapshot(self, upto_seq: int, device_id: str, payload: bytes) -> None:
        data = payload.read() if hasattr(payload, "read") else bytes(payload)    # a file, as from put_snapshot
        self.snapshots.append(Snapshot(upto_seq, device_id, data, self._now()))

    def add_device_login(self, device_id: str, manager: bool = False) -> None:
        return None

    def fetch_latest_snapshot(self, out, skip: int = 0):
        newest = sorted(reversed(self.snapshots), key=lambda s: s.upto_seq, reverse=True)
        return write_snapshot(newest[skip] if skip < len(newest) else None, out)

    def latest_snapshot(self) -> Snapshot | None:
        return max(self.snapshots, key=lambda s: s.upto_seq) if self.snapshots else None

    def wait_for_change(self, timeout: float) -> bool:
        return False

    def describe(self) -> str:
        return "memory hub"

    def close(self) -> None:
        pass

    # --- for attack tests: what an attacker with write access to the hub could do ------
    def force(self, kind: str, device_id: str, payload: bytes) -> HubEntry:
        """Append bypassing the revocation list (a hub that does not enforce it)."""
        entry = HubEntry(len(self.entries) + 1, device_id, kind, bytes(payload), self._now())
        self.entries.append(entry)
        return entry

    def all_bytes(self) -> list[bytes]:
        return [e.payload for e in self.entries] + [s.payload for s in self.snapshots]
