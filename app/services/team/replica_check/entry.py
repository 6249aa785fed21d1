"""The 'digest' control entry (docs/sync.md §5, §17): signed by the computer it describes,
its content sealed under the team key, so the hub learns only who published a digest and at
which entry, never a row's hash (a hash of a short record could be confirmed by guessing).
"""

import json
import zlib

from app import clock
from app.security import crypto
from app.services.team import state
from app.services.team.bundle import BundleRefused, canonical
from app.storage import migrations

DIGEST = "digest"


def _aad(team: str, device: str, upto: int, epoch: int) -> bytes:
    return f"confide-digest:v1:{team}:{device}:{upto}:{epoch}".encode()


def seal(conn, content: dict) -> dict:
    """The body of a digest entry describing the state after this computer's last applied entry."""
    team, me, upto = state.get(conn, "team_id"), state.get(conn, "device_id"), state.last_applied(conn)
    epoch, key = state.current_epoch(conn)
    nonce, ct = crypto.seal(key, zlib.compress(canonical(content)), _aad(team, me, upto, epoch))
    return {"team": team, "type": DIGEST, "by": me, "at": clock.stamp(),
            "upto": upto, "epoch": epoch, "schema": migrations.CURRENT_VERSION,
            "nonce": nonce.hex(), "ct": ct.hex()}


def check_shape(body: dict, seq: int) -> None:
    """May raise: BundleRefused (deterministic: every computer refuses it alike)."""
    try:
        ok = int(body["upto"]) == seq - 1 and int(body["epoch"]) >= 1 and int(body["schema"]) >= 1
        bytes.fromhex(body["nonce"]), bytes.fromhex(body["ct"])
    except (KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        raise BundleRefused(f"Team entry {seq} on the hub is damaged and was not applied.")


def open_content(conn, body: dict) -> dict | None:
    """The sealed content, or None when this computer lacks that key (a removed computer) or
    the writer sealed something unreadable."""
    key = state.epoch_key(conn, int(body["epoch"]))
    if key is None:
        return None
    try:
        raw = crypto.open_sealed(key, bytes.fromhex(body["nonce"]), bytes.fromhex(body["ct"]),
                                 _aad(body["team"], body["by"], int(body["upto"]), int(body["epoch"])))
        content = json.loads(zlib.decompress(raw))
    except (crypto.DecryptionFailed, zlib.error, ValueError):
        return None
    return content if isinstance(content, dict) and isinstance(content.get("tables"), dict) else None
