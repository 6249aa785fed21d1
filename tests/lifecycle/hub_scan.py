"""Everything a hub holds, decrypted with the team's keys, for a canary scan: every entry's
payload (bundles opened with the epoch keys, control entries as they are), every snapshot
(its key opened with the team key, then every page of its SQLCipher file decrypted), and the
raw bytes of every file of a folder hub or every value of every row of a PostgreSQL hub."""

import io
import json
import zlib
from pathlib import Path

import psycopg
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.security import crypto
from app.services.team import bundle, snapshot, state
from app.storage.hub import record
from tests.lifecycle.support import PAGE
from tests.team.sqlcipher_pages import RESERVE


def _pages(data: bytes, key: bytes) -> list[bytes]:
    out = []
    for n in range(len(data) // PAGE):
        page = data[n * PAGE:(n + 1) * PAGE]
        start = 16 if n == 0 else 0
        iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
        dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out.append(dec.update(page[start:PAGE - RESERVE]) + dec.finalize())
    assert not out or out[0][:2] == PAGE.to_bytes(2, "big"), "snapshot file not decrypted"
    return out


def plaintexts(hub, conn) -> list[bytes]:
    """Every readable thing on the hub. `conn`: a full replica's database (its epoch keys)."""
    found = []
    for entry in hub.read_after(0):
        if not entry.payload:
            continue
        opened = payload_opened(entry.payload, conn)
        if entry.payload[:4] == bundle.MAGIC:
            assert len(opened) > 1, f"hub entry {entry.seq} did not open with the team's keys"
            found += opened[1:]
        else:
            found.append(entry.payload)
    skip = 0
    while True:
        out = io.BytesIO()
        info = hub.fetch_latest_snapshot(out, skip)
        if info is None:
            break
        parts = snapshot.read(out.getvalue())
        snap_key = crypto.open_sealed(state.epoch_key(conn, int(parts.header["epoch"])), parts.nonce,
                                      parts.sealed_key, parts.header_bytes)
        found += _pages(bytes(parts.file), snap_key)
        skip += 1
    return found


def payload_opened(payload: bytes, conn) -> list[bytes]:
    """A payload as it is, and opened with the team's key when it is a readable bundle: its
    body as JSON and each piece of bytes it carries (format 2, docs/sync.md §3), through the
    same opener sync uses."""
    out = [payload]
    if payload[:4] == bundle.MAGIC:
        try:
            p = bundle.parse(payload, 0)
            body = bundle.open_body(state.epoch_key(conn, int(p.header["epoch"])), p, 0)
        except (bundle.BundleRefused, crypto.DecryptionFailed, zlib.error, KeyError, TypeError, ValueError):
            return out
        pieces: list[bytes] = []

        def keep(value):
            if isinstance(value, bytes | bytearray | memoryview):
                pieces.append(bytes(value))
                return f"<piece {len(pieces)}>"
            raise TypeError(type(value).__name__)
        out += [json.dumps(body, default=keep).encode(), *pieces]
    return out


def set_aside_plaintexts(hub, conn, conninfo: str | None = None) -> list[bytes]:
    """What the hub keeps aside, decrypted with the team's keys where it can be: a folder
    hub's damaged/ and torn/ records (their payload read whatever their checksum says), a
    PostgreSQL hub's confide.entries_replaced rows."""
    found = []
    root = getattr(hub, "root", None)
    if root is not None:
        for folder in ("damaged", "torn"):
            for path in sorted((Path(root) / folder).glob("*")):
                data = path.read_bytes()
                fixed = len(record.MAGIC) + 4
                head_len = int.from_bytes(data[len(record.MAGIC):fixed], "big")
                try:
                    size = int(json.loads(data[fixed:fixed + head_len])["size"])
                except (ValueError, KeyError, TypeError):
                    size = len(data)
                found += payload_opened(data[fixed + head_len:fixed + head_len + size], conn)
        return found
    with psycopg.connect(conninfo) as pg:
        for (payload,) in pg.execute("SELECT payload FROM confide.entries_replaced"):
            found += payload_opened(bytes(payload), conn)
    return found


def raw_bytes(hub, conninfo: str | None = None) -> list[bytes]:
    root = getattr(hub, "root", None)
    if root is not None:
        return [p.read_bytes() for p in Path(root).rglob("*") if p.is_file()]
    out = []
    with psycopg.connect(conninfo) as pg:
        for (table,) in pg.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'confide'"):
            for row in pg.execute(f'SELECT * FROM confide."{table}"'):
                out += [bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row]
    return out


def snapshots_held(hub) -> int:
    n = 0
    while hub.fetch_latest_snapshot(io.BytesIO(), n) is not None:
        n += 1
    return n
