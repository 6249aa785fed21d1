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


def decode(data: bytes, team_id: str) -> tuple[dict, bytes]:
    """The header and payload of a complete record of this team.

    May raise: TornRecord (with the reason, for logs and the self-test).
    """
    fixed = len(MAGIC) + _LEN.size
    if len(data) < fixed + _DIGEST:
        raise TornRecord(f"only {len(data)} bytes")
    if not data.startswith(MAGIC):
        raise TornRecord("not a Confide hub record")
    (head_len,) = _LEN.unpack_from(data, len(MAGIC))
    if head_len > MAX_HEADER or fixed + head_len + _DIGEST > len(data):
        raise TornRecord("header cut short")
    try:
        header = json.loads(data[fixed:fixed + head_len].decode("utf-8"))
        size = int(header["size"])
    except (ValueError, KeyError, TypeError) as exc:
        raise TornRecord("header unreadable") from exc
    end = fixed + head_len + size
    if len(data) != end + _DIGEST:
        raise TornRecord(f"{len(data)} bytes where the header promises {end + _DIGEST}")
    if hashlib.sha256(data[:end]).digest() != data[end:]:
        raise TornRecord("checksum does not match")
    if header.get("team_id") != team_id:
        raise TornRecord("record belongs to another team")
    return header, data[fixed + head_len:end]
