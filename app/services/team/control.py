"""Control entries: team genesis, device enrolment, key epochs and revocation (docs/sync.md §5).

Signed JSON, not encrypted: they carry public keys, sealed keys and ids, no personal data.
"""

import hashlib
import hmac
import struct

from app.services.team import keys, state
from app.services.team.bundle import BundleRefused, canonical

MAGIC = b"CFC1"
KINDS = ("genesis", "enrol", "epoch", "rekeyed", "blocked", "void")
# Said by a computer of itself only (signed with its own key): the rest need a manager's.
SELF_SAID = ("rekeyed", "blocked")
REKEYED = "device_rekeyed"     # sync_state: device id -> the latest epoch it said it re-keyed for
BLOCKED = "device_blocked"     # sync_state: device id -> the block it published (docs/sync.md §4)


def rekeyed_proof(epoch_key: bytes, team_id: str, device_id: str, epoch: int) -> str:
    """Shows the writer of a 'rekeyed' entry holds that epoch's key, without revealing it."""
    return hmac.new(epoch_key, f"confide-rekeyed:v1:{team_id}:{device_id}:{epoch}".encode(),
                    hashlib.sha256).hexdigest()


def rekeyed_epochs(conn) -> dict[str, int]:
    """Device id -> the latest key epoch that computer re-keyed its own database for."""
    return {k: int(v) for k, v in (state.get(conn, REKEYED) or {}).items()}


def seal(body: dict, sign_priv: str) -> bytes:
    raw = canonical({**body, "v": 1})
    return MAGIC + struct.pack(">I", len(raw)) + raw + keys.sign(sign_priv, raw)


def _parse(payload: bytes, seq: int) -> tuple[dict, bytes, bytes]:
    import json

    damaged = BundleRefused(f"Team entry {seq} on the hub is damaged and was not applied.")
    if len(payload) < 8 + keys.SIGNATURE_BYTES or payload[:4] != MAGIC:
        raise damaged
    (length,) = struct.unpack(">I", payload[4:8])
    raw, sig = payload[8:8 + length], payload[8 + length:]
    if len(raw) != length or len(sig) != keys.SIGNATURE_BYTES:
        raise damaged
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise damaged from exc
    if not isinstance(body, dict):
        raise damaged
    return body, raw, sig


def read_unverified(payload: bytes, seq: int) -> dict:
    """The body without checking it: for the hub's compaction tool, which holds no trust
    anchor and only decides when entries may be dropped. May raise: BundleRefused."""
    return _parse(payload, seq)[0]


def check(conn, payload: bytes, seq: int, entry_device: str) -> dict:
    """Verify a control entry against what this computer trusts. Writes nothing.

    May raise: BundleRefused.
    """
    body, raw, sig = _parse(payload, seq)
    team_id = state.get(conn, "team_id")
    if body.get("team") != team_id:
        raise BundleRefused(f"Team entry {seq} belongs to another team and was not applied.")
    kind, signer = body.get("type"), body.get("by")
    if signer != entry_device:
        raise BundleRefused(f"Team entry {seq} was not written by the computer that signed it and "
                            "was not applied.")
    if kind == "genesis":
        founder = body.get("device") or {}
        trusted = state.get(conn, "genesis_sign_pub")
        if seq != 1 or founder.get("device_id") != signer or founder.get("sign_pub") != trusted:
            raise BundleRefused(f"Team entry {seq} claims to found the team but does not match this "
                                "team's founding computer; it was not applied.")
        pub = trusted
    elif kind in SELF_SAID:
        # Any enrolled computer speaks for its own database; nobody speaks for another's.
        dev = state.device(conn, signer)
        if dev is None or (dev.revoked_seq is not None and dev.revoked_seq < seq):
            raise BundleRefused(f"Team entry {seq} comes from a computer that is not enrolled in this team "
                                "and was not applied.")
        pub = dev.sign_pub
    else:
        dev = state.device(conn, signer)
        if dev is None or not dev.manager or (dev.revoked_seq is not None and dev.revoked_seq < seq):
            raise BundleRefused(f"Team entry {seq} was not signed by a manager's computer of this team "
                                "and was not applied.")
        pub = dev.sign_pub
    if not keys.verify(pub, sig, raw):
        raise BundleRefused(f"Team entry {seq} was altered after it was written and was not applied.")
    if kind not in KINDS:
        raise BundleRefused(f"Team entry {seq} is of a kind this version of Confide does not know "
                            "(update Confide).", deterministic=False)
    if kind == "rekeyed":
        _check_rekeyed(conn, body, seq)
    return body


def _check_rekeyed(conn, body: dict, seq: int) -> None:
    try:
        epoch = int(body["epoch"])
        proof = str(body["proof"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleRefused(f"Team entry {seq} on the hub is damaged and was not applied.") from exc
    key = state.epoch_key(conn, epoch)
    # A computer without that key (one removed from the team) cannot check the proof; it
    # reads nothing under that key anyway.
    if key is not None and not hmac.compare_digest(
            proof, rekeyed_proof(key, body["team"], body["by"], epoch)):
        raise BundleRefused(f"Team entry {seq} says a computer changed to a team key it does not hold; "
                            "it was not applied.")


def apply(conn, body: dict, seq: int) -> None:
    """Record the devices and epoch keys a checked control entry carries."""
    me = state.get(conn, "device_id")
    team_id = body["team"]
    if body["type"] in ("genesis", "enrol"):
        info = body["device"]
        state.add_device(conn, info, seq)
        for epoch, sealed in (body.get("sealed") or {}).items():
            if info["device_id"] == me and state.epoch_key(conn, int(epoch)) is None:
                secret = keys.open_sealed_for_device(state.get(conn, "box_priv"), team_id, me,
                                                     int(epoch), sealed)
                state.add_epoch(conn, int(epoch), secret, seq)
    elif body["type"] == "rekeyed":
        said = rekeyed_epochs(conn)
        said[body["by"]] = max(said.get(body["by"], 1), int(body["epoch"]))
        state.put(conn, REKEYED, said)
    elif body["type"] == "blocked":
        said = dict(state.get(conn, BLOCKED) or {})
        if body.get("entry") is None:
            said.pop(body["by"], None)
        else:
            said[body["by"]] = {k: body.get(k) for k in ("entry", "author", "reason", "at")}
        state.put(conn, BLOCKED, said)
    elif body["type"] == "epoch":
        for device_id in body.get("revoked") or []:
            conn.execute("UPDATE sync_device SET revoked_seq = ? WHERE device_id = ? AND revoked_seq IS NULL",
                         (seq, device_id))
        sealed = (body.get("sealed") or {}).get(me)
        epoch = int(body["epoch"])
        if sealed is not None and state.epoch_key(conn, epoch) is None:
            state.add_epoch(conn, epoch, keys.open_sealed_for_device(
                state.get(conn, "box_priv"), team_id, me, epoch, sealed), seq)
