"""The folder hub: a shared network folder or a USB stick (never a cloud-synced folder: docs/hub.md) (docs/sync.md).

Layout inside the hub folder:
    confide-hub.json         the team marker: binds the folder to one team id
    entries/000000000001.entry ...   one self-checking record per sequence number
    revoked/<device id>.revoked      one file per revoked device
    snapshots/<upto seq>.<device id>.snap        a snapshot's manifest (or, from an older
                                                 Confide, the whole snapshot)
    snapshots/pieces/<upto>.<device>.<id>.<n>.piece   its pieces (docs/hub.md)
    torn/                    torn claims moved aside (kept, never read as entries)
    damaged/                 damaged or forged entries `hub repair` replaced (kept for inspection)
    tmp/                     temp files being written
    head                     a hint: a recent head, so a new reader need not scan the folder

An entry is claimed by exclusive create of the next number (claim.py). A torn claim blocks
its number for at most two minutes and is then moved aside (torn.py). A valid entry is
never moved, and neither is a damaged one (a whole-length record that fails its checksum,
or any record with a later entry after it): readers are told DAMAGED and `confide hub
repair` puts the entry back from a computer's copy.
"""

import os
import time
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import BinaryIO

from app import clock, faults
from app.storage.hub import claim, marker, pieces, record, torn
from app.storage.hub.base import (
    COMPACTED,
    DAMAGED,
    DEVICE_ID,
    MISSING,
    READ_KINDS,
    HubEntry,
    HubError,
    HubRefused,
    HubUnavailable,
    SequenceTaken,
    Snapshot,
    SnapshotInfo,
    check_append,
    check_device_id,
    read_whole_snapshot,
)

MARKER = marker.MARKER
TORN_GRACE_SECONDS = torn.TORN_GRACE_SECONDS
STALE_TMP_SECONDS = 24 * 3600
POLL_SECONDS = 0.25
_SUBDIRS = ("entries", "revoked", "snapshots", "torn", "tmp", "damaged")
PIECES = "pieces"               # snapshots/pieces/: the pieces manifests name (pieces.py)
MANIFEST_KIND = "snapshot-pieces"
# A reader copies a snapshot in minutes and a writer writes one in minutes: a piece nobody
# names is left this long before it is swept.
PIECE_GRACE_SECONDS = 3600


def _now() -> str:
    return clock.precise_stamp()


class FolderHub:
    """May raise (every method): HubUnavailable (folder gone or unreadable), HubError."""

    def __init__(self, path, team_id: str, *, create: bool = False, use_links: bool | None = None):
        """Open the hub folder at `path` for team `team_id`; `create=True` makes the folder's
        layout and marker first (team create). `use_links` forces a claim method (None: try
        hard links, fall back to exclusive open where the folder has none).

        May raise: HubUnavailable (no such folder, or no marker: perhaps a network drive that
        is not connected), HubError (another team's folder, damaged marker).
        """
        self.root = Path(path)
        self.team_id = team_id
        self.use_links = use_links
        self.piece_bytes = pieces.PIECE_BYTES
        self._known = 0         # highest sequence number seen valid, with all before it
        self._looked = False
        try:
            if create:
                marker.create_marker(self.root, self.team_id)
            marker.check_marker(self.root, self.team_id)
            marker.share_if_private(self.root)
            for name in _SUBDIRS:
                claim.make_dir(self.root / name)
            self._sweep_tmp()
        except OSError as exc:
            raise HubUnavailable(f"The hub folder {self.root} cannot be used: {exc.strerror or exc}.") from exc

    def _listdir(self, sub: str) -> list[str]:
        try:
            return os.listdir(self.root / sub)
        except OSError as exc:
            raise HubUnavailable(f"The hub folder {self.root} cannot be read: {exc.strerror or exc}.") from exc

    def _sweep_tmp(self) -> None:
        # A computer killed between writing its temp file and linking it leaves the temp
        # behind (ciphertext, never read). A day is far longer than any honest write.
        cutoff = time.time() - STALE_TMP_SECONDS
        for path in (self.root / "tmp").iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass

    # -- entries -----------------------------------------------------------------------

    def _entry_path(self, seq: int) -> Path:
        return self.root / "entries" / f"{seq:012d}.entry"

    def _read_entry(self, seq: int) -> HubEntry | None:
        """The entry at seq; an entry of kind DAMAGED when the file there is not a whole
        entry of this team and cannot be a torn claim; None when there is nothing, or a
        claim that may still be being written (or torn by its writer's crash)."""
        try:
            data = self._entry_path(seq).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise HubUnavailable(f"The hub folder {self.root} cannot be read: {exc.strerror or exc}.") from exc
        try:
            header, payload = record.decode(data, self.team_id)
        except record.TornRecord:
            # A later entry proves this one was whole when its writer read it: damaged since.
            if record.could_be_torn(data) and not self._entry_path(seq + 1).exists():
                return None
            return self._damaged(seq, record.named_device(data))
        if header.get("seq") != seq or header.get("kind") not in READ_KINDS:
            return self._damaged(seq, str(header.get("device_id") or ""))
        return HubEntry(seq=seq, device_id=str(header.get("device_id")), kind=header["kind"],
                        payload=payload, created_at=str(header.get("created_at")))

    @staticmethod
    def _damaged(seq: int, device_id: str) -> HubEntry:
        return HubEntry(seq=seq, device_id=device_id, kind=DAMAGED, payload=b"", created_at="")

    def _start_point(self) -> int:
        """A sequence number known to hold a valid entry (or 0), without reading them all."""
        if self._looked and (self._known == 0 or self._entry_path(self._known).exists()):
            return self._known
        # Never seen, or the folder lost what we had seen (put back from an older copy): look again.
        self._known = 0
        self._looked = True
        try:
            hint = int((self.root / "head").read_text("ascii").strip())
        except (OSError, ValueError):
            hint = 0
        if hint > 0 and self._read_entry(hint) is not None:
            self._known = max(self._known, hint)
            return self._known
        names = []
        for name in self._listdir("entries"):
            stem = name.removesuffix(".entry")
            if stem.isdigit():
                names.append(int(stem))
        for seq in sorted(names, reverse=True):
            if self._read_entry(seq) is not None:
                self._known = max(self._known, seq)
                break
        return self._known

    def head(self) -> int:
        seq = self._start_point()
        while self._read_entry(seq + 1) is not None:
            seq += 1
        self._known = seq
        return seq

    def read_after(self, seq: int, limit: int | None = None) -> Iterator[HubEntry]:
        count = 0
        nxt = seq + 1
        while limit is None or count < limit:
            entry = self._read_entry(nxt)
            if entry is None:
                if not self._entry_path(nxt + 1).exists():
                    return
                # Nothing at nxt but an entry after it: a gap, said, never passed over.
                entry = HubEntry(seq=nxt, device_id="", kind=MISSING, payload=b"", created_at="")
            self._known = max(self._known, nxt)
            yield entry
            count += 1
            nxt += 1

    def append(self, seq: int, device_id: str, kind: str, payload: bytes) -> HubEntry:
        check_append(seq, device_id, kind)
        if device_id in self.revoked_devices():
            raise HubRefused("This computer has been removed from the team: the hub refuses its changes.")
        if seq > 1 and self._read_entry(seq - 1) is None:
            raise HubError(f"Entry {seq} would leave a gap: the hub's last entry is {self.head()}.")
        created = _now()
        data = record.encode({"team_id": self.team_id, "seq": seq, "device_id": device_id,
                              "kind": kind, "created_at": created}, bytes(payload))
        final = self._entry_path(seq)
        data = faults.data("hub.folder.append", data, crash_after="hub.folder.after_claim")
        try:
            try:
                self._claim(final, data)
            except FileExistsError:
                if not torn.clear_if_stale(final, self.root / "torn", self.root / "tmp",
                                           lambda: self._read_entry(seq) is not None):
                    raise SequenceTaken(f"Another computer added entry {seq} first.") from None
                try:
                    self._claim(final, data)
                except FileExistsError:
                    raise SequenceTaken(f"Another computer added entry {seq} first.") from None
        except OSError as exc:
            raise HubUnavailable(f"The hub folder {self.root} cannot be written: {exc.strerror or exc}.") from exc
        faults.point("hub.folder.after_claim")
        self._known = max(self._known, seq)
        self._write_hint(seq)
        return HubEntry(seq=seq, device_id=device_id, kind=kind, payload=bytes(payload), created_at=created)

    def restore_entry(self, seq: int, device_id: str, kind: str, payload: bytes,
                      replace: bool = False) -> None:
        """Write entry `seq` back from a computer's copy (docs/hub.md "Repair"). The file at
        that number, if any, is moved to damaged/ first: only when it is not a whole entry,
        or `replace` (the caller proved it forged). May raise: SequenceTaken, HubError."""
        check_append(seq, device_id, kind)
        final = self._entry_path(seq)
        present = self._read_entry(seq)
        if present is not None and present.kind != DAMAGED and not replace:
            raise SequenceTaken(f"Entry {seq} on the hub is whole; it was not replaced.")
        data = record.encode({"team_id": self.team_id, "seq": seq, "device_id": device_id,
                              "kind": kind, "created_at": _now()}, bytes(payload))
        try:
            if final.exists():
                aside = self.root / "damaged" / f"{final.name}.{uuid.uuid4().hex}"
                os.rename(final, aside)
            self._claim(final, data)
        except FileExistsError:
            raise SequenceTaken(f"Another computer wrote entry {seq} while it was being repaired.") from None
        except OSError as exc:
            raise HubUnavailable(f"The hub folder {self.root} cannot be written: {exc.strerror or exc}.") from exc
        self._looked = False

    def last_number(self) -> int:
        """The highest number any file in entries/ has, whole or not (for `hub check`)."""
        numbers = [int(n.removesuffix(".entry")) for n in self._listdir("entries")
                   if n.endswith(".entry") and n.removesuffix(".entry").isdigit()]
        return max(numbers, default=0)

    def _claim(self, final: Path, data: bytes) -> None:
        if self.use_links is not False:
            try:
                claim.claim_by_link(final, self.root / "tmp", data)
                self.use_links = True
                return
            except claim.LinksUnsupported:
                self.use_links = False
        claim.claim_by_exclusive_open(final, data)

    def _write_hint(self, seq: int) -> None:
        # Only a hint (checked before use), so a failure here loses nothing.
        try:
            claim.replace_atomically(self.root / "head", self.root / "tmp", str(seq).encode("ascii"))
        except OSError:
            pass

    # -- revocations and snapshots ------------------------------------------------------

    def revoke_device(self, device_id: str) -> None:
        check_device_id(device_id)
        data = record.encode({"team_id": self.team_id, "kind": "revocation",
                              "device_id": device_id, "created_at": _now()}, b"")
        try:
            claim.replace_atomically(self.root / "revoked" / f"{device_id}.revoked", self.root / "tmp", data)
        except OSError as exc:
            raise HubUnavailable(f"The hub folder {self.root} cannot be written: {exc.strerror or exc}.") from exc

    def add_device_login(self, device_id: str, manager: bool = False) -> None:
        """A folder has no logins: every computer uses the same folder."""
        check_device_id(device_id)
        return None

    def revoked_devices(self) -> set[str]:
        # A revocation file counts by its name even if torn: when in doubt, refuse.
        names = self._listdir("revoked")
        return {n.removesuffix(".revoked") for n in names
                if n.endswith(".revoked") and DEVICE_ID.match(n.removesuffix(".revoked"))}

    def _piece_path(self, upto_seq: int, device_id: str, token: str, n: int) -> Path:
        return self.root / "snapshots" / PIECES / f"{upto_seq:012d}.{device_id}.{token}.{n:06d}.piece"

    def put_snapshot(self, upto_seq: int, device_id: str, payload: "bytes | BinaryIO") -> None:
        """The pieces first, each a file of its own, then the manifest, written whole in one
        rename: a reader sees the snapshot complete or not at all (docs/hub.md)."""
        check_device_id(device_id)
        if not isinstance(upto_seq, int) or upto_seq < 0:
            raise HubError("A snapshot's sequence number cannot be negative.")
        token = uuid.uuid4().hex
        tmp = self.root / "tmp"
        try:
            claim.make_dir(self.root / "snapshots" / PIECES)
            body = pieces.write(payload, self.piece_bytes, lambda n, data: claim.replace_atomically(
                self._piece_path(upto_seq, device_id, token, n), tmp, data))
            data = record.encode({"team_id": self.team_id, "kind": MANIFEST_KIND, "upto_seq": upto_seq,
                                  "device_id": device_id, "created_at": _now()},
                                 pieces.encode({**body, "id": token}))
            claim.replace_atomically(self.root / "snapshots" / f"{upto_seq:012d}.{device_id}.snap", tmp, data)
            self._sweep_pieces()
        except OSError as exc:
            raise HubUnavailable(f"The hub folder {self.root} cannot be written: {exc.strerror or exc}.") from exc

    def _manifests(self) -> Iterator[tuple[str, dict, bytes]]:
        """Every whole snapshot file, newest first: (name, header, payload). The payload of a
        manifest is small; that of a snapshot written whole by an older Confide is not, so
        it is read only when asked (fetch_latest_snapshot copies it)."""
        folder = self.root / "snapshots"
        for name in sorted((n for n in self._listdir("snapshots") if n.endswith(".snap")), reverse=True):
            try:
                with open(folder / name, "rb") as src:
                    size = os.fstat(src.fileno()).st_size
                    header = record.peek_header(src, size)
                    if header.get("kind") == MANIFEST_KIND:
                        src.seek(0)
                        header, payload = record.decode(src.read(), self.team_id)
                    else:
                        payload = b""
            except (record.TornRecord, FileNotFoundError):
                continue
            except OSError as exc:
                raise HubUnavailable(f"The hub folder {self.root} cannot be read: {exc.strerror or exc}.") from exc
            if header.get("kind") in ("snapshot", MANIFEST_KIND) and isinstance(header.get("upto_seq"), int):
                yield name, header, payload

    def _referenced(self) -> set[str]:
        named = set()
        for _name, header, payload in self._manifests():
            if header.get("kind") == MANIFEST_KIND:
                try:
                    named.add(str(pieces.decode(payload, self.describe()).get("id")))
                except pieces.SnapshotDamaged:
                    continue
        return named

    def _sweep_pieces(self, below: int = -1) -> None:
        """Remove pieces no manifest names: at once where they cover entries before `below`
        (compaction drops those snapshots: docs/lifecycle.md), otherwise only once older
        than PIECE_GRACE_SECONDS, so a writer still between pieces, or a reader still copying
        a snapshot just replaced, is never cut short."""
        folder = self.root / "snapshots" / PIECES
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return
        named = self._referenced()
        cutoff = time.time() - PIECE_GRACE_SECONDS
        for name in names:
            parts = name.split(".")
            if len(parts) != 5 or parts[2] in named:
                continue
            try:
                if (parts[0].isdigit() and int(parts[0]) < below) or (folder / name).stat().st_mtime < cutoff:
                    (folder / name).unlink()
            except OSError:
                pass                                        # gone already, or open elsewhere

    def latest_snapshot(self) -> Snapshot | None:
        return read_whole_snapshot(self)

    def fetch_latest_snapshot(self, out: BinaryIO, skip: int = 0) -> SnapshotInfo | None:
        folder = self.root / "snapshots"
        for name, header, payload in self._manifests():
            if skip > 0:
                skip -= 1
                continue
            out.seek(0)
            out.truncate()
            upto, device = header["upto_seq"], str(header.get("device_id"))
            try:
                if header["kind"] == MANIFEST_KIND:
                    manifest = pieces.decode(payload, self.describe())
                    size = pieces.copy(manifest, partial(self._read_piece, upto, device, manifest), out,
                                       upto, self.describe())
                else:
                    # Written whole by an older Confide: still read (docs/hub.md).
                    with open(folder / name, "rb") as src:
                        header = record.copy_payload(src, os.fstat(src.fileno()).st_size, out, self.team_id)
                    size = int(header["size"])
            except (record.TornRecord, FileNotFoundError) as exc:
                raise pieces.SnapshotDamaged(f"The snapshot at entry {upto} on {self.describe()} changed while it "
                                             "was being read, or is damaged. Try again in a moment.") from exc
            except OSError as exc:
                raise HubUnavailable(f"The hub folder {self.root} cannot be read: {exc.strerror or exc}.") from exc
            out.flush()
            return SnapshotInfo(upto_seq=upto, device_id=device, created_at=str(header.get("created_at")),
                                size=size)
        out.seek(0)
        out.truncate()
        return None

    def _read_piece(self, upto_seq: int, device_id: str, manifest: dict, n: int) -> bytes | None:
        if not DEVICE_ID.match(device_id) or not isinstance(manifest.get("id"), str) or \
                not manifest["id"].isalnum():
            return None
        try:
            return self._piece_path(upto_seq, device_id, manifest["id"], n).read_bytes()
        except FileNotFoundError:
            return None

    def compact(self, upto_seq: int) -> int:
        snapshots = {n: int(n.split(".", 1)[0]) for n in self._listdir("snapshots")
                     if n.endswith(".snap") and n.split(".", 1)[0].isdigit()}
        if upto_seq not in snapshots.values():
            raise HubError(f"The hub holds no snapshot at entry {upto_seq}: nothing was compacted.")
        dropped = 0
        try:
            for seq in range(1, upto_seq + 1):
                entry = self._read_entry(seq)
                if entry is None or entry.kind == DAMAGED:
                    raise HubError(f"Entry {seq} of the hub is missing or damaged; compaction stopped there.")
                if entry.kind != "bundle":
                    continue
                # Replaced whole (a reader sees the entry or its stub, never a mix).
                stub = record.encode({"team_id": self.team_id, "seq": seq, "device_id": entry.device_id,
                                      "kind": COMPACTED, "created_at": entry.created_at}, b"")
                claim.replace_atomically(self._entry_path(seq), self.root / "tmp", stub)
                faults.point("compaction.entry")
                dropped += 1
            for name, upto in snapshots.items():
                if upto < upto_seq:
                    (self.root / "snapshots" / name).unlink(missing_ok=True)
            self._sweep_pieces(below=upto_seq)
            # Torn claims may hold the start of an old bundle: they go too. So do the entries
            # `hub repair` set aside at numbers the snapshot covers: whole bundles, readable
            # with the team's key, that may carry an erased record (docs/lifecycle.md).
            for name in self._listdir("torn"):
                (self.root / "torn" / name).unlink(missing_ok=True)
            for name in self._listdir("damaged"):
                number = name.split(".", 1)[0]
                if number.isdigit() and int(number) <= upto_seq:
                    (self.root / "damaged" / name).unlink(missing_ok=True)
        except OSError as exc:
            raise HubUnavailable(f"The hub folder {self.root} cannot be written: {exc.strerror or exc}.") from exc
        return dropped

    # -- waiting and describing ---------------------------------------------------------

    def wait_for_change(self, timeout: float) -> bool:
        """True as soon as an entry beyond the last one this object has seen is complete.
        Polls one file name (the next number): one stat per POLL_SECONDS, cheap on shares."""
        base = self._start_point()
        deadline = time.monotonic() + max(0.0, timeout)
        nxt = self._entry_path(base + 1)
        while True:
            if nxt.exists() and self._read_entry(base + 1) is not None:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(POLL_SECONDS, left))

    def describe(self) -> str:
        return f"the hub folder {self.root}"

    def close(self) -> None:
        pass
