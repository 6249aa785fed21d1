"""The self-checking file format of the folder hub: one record per file.

A file on a shared folder can be torn (a crash in the middle of a write, a USB stick pulled
out, a synced folder that has only half downloaded it). Every record therefore carries its
own length and a SHA-256 over everything before the checksum, so a reader tells a complete
record from any prefix or damaged copy of one, and never takes the latter for an entry.

Layout: MAGIC | header length (4 bytes, big-endian) | header (JSON) | payload | SHA-256.
The header names the team, so a file copied in from another team's folder is refused too.
"""

import hashlib
import json
import struct
from typing import BinaryIO

MAGIC = b"CONFIDE-HUB-1\n"
_LEN = struct.Struct(">I")
_DIGEST = 32
MAX_HEADER = 64 * 1024


class TornRecord(Exception):
    """The bytes are not one complete, intact record (torn, partial, damaged or foreign)."""


def encode(header: dict, payload: bytes) -> bytes:
    head = json.dumps({**header, "size": len(payload)}, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")
    body = MAGIC + _LEN.pack(len(head)) + head + payload
    return body + hashlib.sha256(body).digest()


_FIXED = len(MAGIC) + _LEN.size


def _head_length(start: bytes, total: int) -> int:
    if total < _FIXED + _DIGEST:
        raise TornRecord(f"only {total} bytes")
    if not start.startswith(MAGIC):
        raise TornRecord("not a Confide hub record")
    (head_len,) = _LEN.unpack_from(start, len(MAGIC))
    if head_len > MAX_HEADER or _FIXED + head_len + _DIGEST > total:
        raise TornRecord("header cut short")
    return head_len


def _header(head: bytes) -> tuple[dict, int]:
    try:
        header = json.loads(head.decode("utf-8"))
        return header, int(header["size"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TornRecord("header unreadable") from exc


def decode(data: bytes, team_id: str) -> tuple[dict, bytes]:
    """The header and payload of a complete record of this team.

    May raise: TornRecord (with the reason, for logs and the self-test).
    """
    fixed = _FIXED
    head_len = _head_length(data[:fixed], len(data))
    header, size = _header(data[fixed:fixed + head_len])
    end = fixed + head_len + size
    if len(data) != end + _DIGEST:
        raise TornRecord(f"{len(data)} bytes where the header promises {end + _DIGEST}")
    if hashlib.sha256(memoryview(data)[:end]).digest() != data[end:]:
        raise TornRecord("checksum does not match")
    if header.get("team_id") != team_id:
        raise TornRecord("record belongs to another team")
    return header, data[fixed + head_len:end]


def could_be_torn(data: bytes) -> bool:
    """True when `data` may be a record still being written, or one whose writer died
    part-way: a prefix of the magic, or a readable header that promises more bytes than are
    there. A file at the length its header promises that fails its checksum, or one that
    does not start like a record at all, is damaged, never torn (docs/hub.md)."""
    if len(data) < len(MAGIC):
        return MAGIC.startswith(data)
    if not data.startswith(MAGIC):
        return False
    if len(data) < _FIXED:
        return True
    (head_len,) = _LEN.unpack_from(data, len(MAGIC))
    if head_len > MAX_HEADER:
        return False
    if len(data) < _FIXED + head_len:
        return True
    try:
        _header_dict, size = _header(data[_FIXED:_FIXED + head_len])
    except TornRecord:
        return False
    return len(data) < _FIXED + head_len + size + _DIGEST


def named_device(data: bytes) -> str:
    """The device id a damaged record's header still names, or "" (for messages only)."""
    try:
        (head_len,) = _LEN.unpack_from(data, len(MAGIC))
        header = json.loads(data[_FIXED:_FIXED + min(head_len, MAX_HEADER)].decode("utf-8"))
        device = header.get("device_id")
        return device if isinstance(device, str) and len(device) <= 128 else ""
    except (ValueError, struct.error, AttributeError, UnicodeDecodeError):
        return ""


def copy_payload(src: BinaryIO, total: int, out: BinaryIO, team_id: str, chunk: int = 1 << 20) -> dict:
    """decode for a record too large to hold in memory (a snapshot): check it while its
    payload is copied to `out`, a chunk at a time. `total` is the record's size. Returns the
    header; what was copied is only to be used when this returns.

    May raise: TornRecord, OSError.
    """
    start = src.read(_FIXED)
    if len(start) < _FIXED:
        raise TornRecord("cut short")
    head_len = _head_length(start, total)
    head = src.read(head_len)
    header, size = _header(head)
    if total != _FIXED + head_len + size + _DIGEST:
        raise TornRecord(f"{total} bytes where the header promises {_FIXED + head_len + size + _DIGEST}")
    if header.get("team_id") != team_id:
        raise TornRecord("record belongs to another team")
    digest = hashlib.sha256(start + head)
    left = size
    while left:
        part = src.read(min(chunk, left))
        if not part:
            raise TornRecord("cut short")
        digest.update(part)
        out.write(part)
        left -= len(part)
    if digest.digest() != src.read(_DIGEST + 1):
        raise TornRecord("checksum does not match")
    return header


def peek_header(src: BinaryIO, total: int) -> dict:
    """The header of the record in `src` (`total` bytes), unchecked beyond its layout: to
    tell a snapshot's small manifest from a large whole snapshot before reading it.

    May raise: TornRecord, OSError.
    """
    start = src.read(_FIXED)
    if len(start) < _FIXED:
        raise TornRecord("cut short")
    header, _size = _header(src.read(_head_length(start, total)))
    return header
