"""A minimal hub in a folder, for tests that run replicas in separate processes (kill -9).

The real FolderHub (app/storage/hub/) replaces it at merge; this one follows the same
contract: an entry is claimed by hard-linking a fully written, fsynced temporary file to its
final name, which fails if the name exists, so a torn file is never read as an entry."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from app.storage.hub.base import HubEntry, HubRefused, SequenceTaken, Snapshot, write_snapshot


class FileHub:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        for sub in ("entries", "snapshots", "tmp", "revoked"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)

    def _write_tmp(self, payload: bytes) -> Path:
        tmp = self.folder / "tmp" / f"{os.getpid()}-{os.urandom(6).hex()}"
        with open(tmp, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        return tmp

    def append(self, seq: int, device_id: str, kind: str, payload: bytes) -> HubEntry:
        if (self.folder / "revoked" / device_id).exists():
            raise HubRefused("This computer has been removed from the team.")
        if seq != self.head() + 1:
            raise SequenceTaken(f"Sequence {seq} is taken.")
        tmp = self._write_tmp(payload.read() if hasattr(payload, "read") else payload)
        try:
            os.link(tmp, self.folder / "entries" / f"{seq:012d}.{device_id}.{kind}")
        except FileExistsError as exc:
            raise SequenceTaken(f"Sequence {seq} is taken.") from exc
        finally:
            tmp.unlink(missing_ok=True)
        return HubEntry(seq, device_id, kind, payload, datetime.now(UTC).isoformat(timespec="seconds"))

    def _names(self) -> list[str]:
        return sorted(n for n in os.listdir(self.folder / "entries"))

    def head(self) -> int:
        names = self._names()
        return int(names[-1].split(".")[0]) if names else 0

    def read_after(self, seq: int, limit: int | None = None) -> Iterator[HubEntry]:
        expected = seq + 1
        for name in self._names():
            number, device_id, kind = name.split(".")
            if int(number) <= seq:
                continue
            if int(number) != expected:
                return
            data = (self.folder / "entries" / name).read_bytes()
            yield HubEntry(int(number), device_id, kind, data, "")
            expected += 1
            if limit is not None and expected - seq > limit:
                return

    def revoke_device(self, device_id: str) -> None:
        (self.folder / "revoked" / device_id).touch()

    def revoked_devices(self) -> set[str]:
        return set(os.listdir(self.folder / "revoked"))

    def put_snapshot(self, upto_seq: int, device_id: str, payload: bytes) -> None:
        tmp = self._write_tmp(payload.read() if hasattr(payload, "read") else payload)
        os.replace(tmp, self.folder / "snapshots" / f"{upto_seq:012d}.{device_id}")

    def add_device_login(self, device_id: str, manager: bool = False) -> None:
        return None

    def fetch_latest_snapshot(self, out, skip: int = 0):
        names = sorted(os.listdir(self.folder / "snapshots"), reverse=True)
        if skip >= len(names):
            return write_snapshot(None, out)
        number, device_id = names[skip].split(".")
        snap = Snapshot(int(number), device_id, (self.folder / "snapshots" / names[skip]).read_bytes(), "")
        return write_snapshot(snap, out)

    def latest_snapshot(self) -> Snapshot | None:
        names = sorted(os.listdir(self.folder / "snapshots"))
        if not names:
            return None
        number, device_id = names[-1].split(".")
        return Snapshot(int(number), device_id, (self.folder / "snapshots" / names[-1]).read_bytes(), "")

    def wait_for_change(self, timeout: float) -> bool:
        return False

    def describe(self) -> str:
        return str(self.folder)

    def close(self) -> None:
        pass
