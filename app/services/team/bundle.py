"""Seal and open change bundles, with every refusal of docs/sync.md §4 made before anything
is applied. Pure functions of bytes and state: they never write to the database."""

import hashlib
import json
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from app.errors import ConfideError
from app.security import crypto
from app.services.team import keys
from app.services.team.merge.decide import RULES_VERSION

MAGIC = b"CFB1"
# Format 1: the body is zlib'd JSON. Format 2 (a body that carries bytes, a document's pieces,
# docs/sync.md §3): the JSON names each run of bytes {"$blob": i} and the runs follow it raw,
# each compressed only if compressing pays (a PDF or a photo already is). A bundle with no
# bytes is written in format 1, as before.
FORMAT = 1
FORMAT_BYTES = 2
# Bounds on what a bundle may make this computer hold (docs/security.md, "Hostile files"): a
# header is a few hundred bytes; row images compress about 5 to 10 times, so a body that
# inflates more than 64 times its sealed size is a crafted one, refused before it is parsed.
MAX_HEADER = 64 * 1024
MAX_EXPANSION = 64


class BundleRefused(ConfideError):
    """A hub entry that must not be applied. `deterministic`: every replica refuses it the same
    way, so it is recorded and passed over; otherwise sync stops before it (docs/sync.md §4)."""

    def __init__(self, message: str, deterministic: bool = True):
        super().__init__(message)
        self.deterministic = deterministic


def canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


_last_hash: tuple[bytes, str] | None = None


def bundle_hash(payload: bytes) -> str:
    """SHA-256 of an entry, hex. A push and a pull each ask it several times of one large
    entry (the chain, the in-flight mark, the repair copy): the last answer is kept, for the
    very same bytes object only (bytes never change)."""
    global _last_hash
    last = _last_hash
    if last is not None and last[0] is payload:
        return last[1]
    digest = hashlib.sha256(payload).hexdigest()
    if isinstance(payload, bytes):
        _last_hash = (payload, digest)
    return digest


# Bodies larger than this are mostly row images, which zlib's level 1 packs within a few per
# cent of level 6 at a third of the time.
FAST_COMPRESS_BYTES = 1 << 20
# A run of bytes is compressed only if a sample of it shrinks below this share of its size.
SAMPLE_BYTES = 16 * 1024
WORTH_COMPRESSING = 0.9
RAW, DEFLATED = 0, 1


def _compress(plain: bytes) -> bytes:
    return zlib.compress(plain, 1 if len(plain) > FAST_COMPRESS_BYTES else 6)


def _pack_blob(data: bytes) -> bytes:
    """One run of bytes: kept raw when a sample does not shrink (already-compressed content:
    PDF streams, JPEG, PNG, zip), else deflated."""
    sample = data[:SAMPLE_BYTES]
    if len(zlib.compress(sample, 1)) < WORTH_COMPRESSING * len(sample):
        packed = zlib.compress(data, 1)
        if len(packed) < len(data):
            return struct.pack(">BI", DEFLATED, len(packed)) + packed
    return struct.pack(">BI", RAW, len(data)) + data


def encode_body(body: dict) -> tuple[int, bytes]:
    """(format, the bytes sealed): bytes anywhere in `body` travel as themselves (format 2)."""
    blobs: list[bytes] = []

    def as_blob(value):
        if isinstance(value, bytes | bytearray | memoryview):
            blobs.append(bytes(value))
            return {"$blob": len(blobs) - 1}
        raise TypeError(f"cannot put {type(value).__name__} in a bundle")

    plain = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=as_blob).encode()
    if not blobs:
        return FORMAT, _compress(plain)
    packed = _compress(plain)
    return FORMAT_BYTES, b"".join([struct.pack(">II", len(packed), len(blobs)), packed,
                                   *(_pack_blob(b) for b in blobs)])


def seal(header: dict, body: dict, epoch_key: bytes, sign_priv: str) -> bytes:
    form, sealed_body = encode_body(body)
    head = canonical({**header, "v": form})
    nonce, ct = crypto.seal(epoch_key, sealed_body, head)
    signed = head + nonce + ct
    return MAGIC + struct.pack(">I", len(head)) + signed + keys.sign(sign_priv, signed)


@dataclass(frozen=True)
class Parsed:
    header: dict
    header_bytes: bytes
    nonce: bytes
    ciphertext: bytes
    signature: bytes


def parse(payload: bytes, seq: int, magic: bytes = MAGIC) -> Parsed:
    damaged = BundleRefused(f"Change bundle {seq} on the hub is damaged and was not applied.")
    if len(payload) < 4 + 4 + crypto.NONCE_BYTES + keys.SIGNATURE_BYTES or payload[:4] != magic:
        raise damaged
    (length,) = struct.unpack(">I", payload[4:8])
    if length > MAX_HEADER:
        raise damaged
    head = payload[8:8 + length]
    rest = payload[8 + length:]
    if len(head) != length or len(rest) < crypto.NONCE_BYTES + 16 + keys.SIGNATURE_BYTES:
        raise damaged
    try:
        header = json.loads(head)
    except ValueError as exc:
        raise damaged from exc
    if not isinstance(header, dict):
        raise damaged
    return Parsed(header, head, rest[:crypto.NONCE_BYTES], rest[crypto.NONCE_BYTES:-keys.SIGNATURE_BYTES],
                  rest[-keys.SIGNATURE_BYTES:])


@dataclass(frozen=True)
class Expectation:
    """What this computer knows when it reads hub entry `seq`."""

    seq: int
    entry_device: str
    team_id: str
    schema: int
    device: object                                  # state.Device or None
    epoch_key: Callable[[int], bytes | None]        # the key of an epoch, if held
    latest_epoch: int = 0                           # the newest epoch started before `seq`
    merge: int = RULES_VERSION                      # the merge rules this computer follows


def open_bundle(payload: bytes, exp: Expectation) -> tuple[dict, dict]:
    """Check everything, then decrypt. Returns (header, body).

    May raise: BundleRefused (with the plain message of docs/sync.md §4).
    """
    n = exp.seq
    p = parse(payload, n)
    h = p.header
    try:
        team, device_id, dseq, prev = h["team"], h["device"], int(h["dseq"]), h["prev"]
        schema, epoch = int(h["schema"]), int(h["epoch"])
        merge = int(h.get("merge", 1))     # bundles from before the field: the first rules
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleRefused(f"Change bundle {n} on the hub is damaged and was not applied.") from exc
    if team != exp.team_id:
        raise BundleRefused(f"Change bundle {n} belongs to another team and was not applied.")
    dev = exp.device
    if device_id != exp.entry_device or dev is None:
        raise BundleRefused(f"Change bundle {n} comes from a computer that is not enrolled in this "
                            "team and was not applied.")
    if dev.revoked_seq is not None and dev.revoked_seq < n:
        raise BundleRefused(f"Change bundle {n} comes from a computer that was removed from the team "
                            "and was not applied.")
    if not keys.verify(dev.sign_pub, p.signature, p.header_bytes + p.nonce + p.ciphertext):
        raise BundleRefused(f"Change bundle {n} was altered after it was written and was not applied.")
    if schema > exp.schema:
        raise BundleRefused(f"Change bundle {n} was written by a newer version of Confide (schema "
                            f"{schema}). Update Confide on this computer, then sync again.",
                            deterministic=False)
    if merge > exp.merge:
        raise BundleRefused(f"Change bundle {n} was written by a newer version of Confide (merge rules "
                            f"{merge}). Update Confide on this computer, then sync again.",
                            deterministic=False)
    if epoch < exp.latest_epoch:
        # Written under a team key already replaced: only someone holding an old copy of a
        # key (a colleague who left, a removed computer) has a reason to (docs/sync.md §5).
        raise BundleRefused(f"Change bundle {n} is locked with a team key that had already been replaced "
                            "and was not applied.")
    epoch_key = exp.epoch_key(epoch)
    if epoch_key is None:
        raise BundleRefused(f"Change bundle {n} is locked with a team key this computer does not have "
                            f"(key epoch {epoch}). Ask your manager to re-enrol this computer.",
                            deterministic=False)
    if dseq <= dev.last_dseq:
        raise BundleRefused(f"Change bundle {n} repeats an earlier bundle from computer "
                            f"'{dev.name}' and was not applied.")
    if dseq > dev.last_dseq + 1:
        raise BundleRefused(f"Change bundle {n} skips bundles from computer '{dev.name}' and was not "
                            "applied.")
    if prev != dev.last_hash:
        raise BundleRefused(f"Change bundle {n} does not follow on from computer '{dev.name}''s "
                            "earlier bundles and was not applied.")
    try:
        body = open_body(epoch_key, p, n)
    except (crypto.DecryptionFailed, zlib.error, ValueError, RecursionError) as exc:
        raise BundleRefused(f"Change bundle {n} was altered after it was written and was not "
                            "applied.") from exc
    return h, body


def open_body(epoch_key: bytes, p: Parsed, seq: int) -> dict:
    """Decrypt and unpack a bundle's body, in either format. May raise: BundleRefused (a
    format this build does not know; unpacks too far), DecryptionFailed, zlib.error,
    ValueError (damaged)."""
    form = p.header.get("v", FORMAT)
    if form not in (FORMAT, FORMAT_BYTES):
        raise BundleRefused(f"Change bundle {seq} was written by a newer version of Confide. Update Confide "
                            "on this computer, then sync again.", deterministic=False)
    plain = crypto.open_sealed(epoch_key, p.nonce, p.ciphertext, p.header_bytes)
    if form == FORMAT:
        return json.loads(_inflate(plain, seq))
    return _unpack_blobs(memoryview(plain), seq)


def _unpack_blobs(plain: memoryview, seq: int) -> dict:
    damaged = ValueError("damaged body")
    if len(plain) < 8:
        raise damaged
    length, count = struct.unpack(">II", plain[:8])
    at = 8 + length
    if at > len(plain):
        raise damaged
    text = _inflate(bytes(plain[8:at]), seq)
    blobs = []
    for _ in range(count):
        if at + 5 > len(plain):
            raise damaged
        method, size = struct.unpack(">BI", plain[at:at + 5])
        at += 5
        if at + size > len(plain) or method not in (RAW, DEFLATED):
            raise damaged
        data = bytes(plain[at:at + size])
        blobs.append(data if method == RAW else _inflate(data, seq))
        at += size
    if at != len(plain):
        raise damaged

    def blob(d: dict):
        if len(d) == 1 and "$blob" in d:
            i = d["$blob"]
            if not isinstance(i, int) or not 0 <= i < len(blobs):
                raise damaged
            return blobs[i]
        return d
    return json.loads(text, object_hook=blob)


def _inflate(sealed_body: bytes, seq: int) -> bytes:
    """Decompress a bundle body, at most MAX_EXPANSION times its size (and 1 MiB).
    May raise: BundleRefused, zlib.error."""
    limit = MAX_EXPANSION * len(sealed_body) + (1 << 20)
    inflater = zlib.decompressobj()
    body = inflater.decompress(sealed_body, limit)
    if inflater.unconsumed_tail or not inflater.eof:
        raise BundleRefused(f"Change bundle {seq} unpacks to more than {MAX_EXPANSION} times its size, "
                            "which Confide never writes; it was not applied.")
    return body
