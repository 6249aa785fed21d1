"""What a colleague who left can do with every byte their account could read (docs/security.md
"Who holds what"): a copy of a computer's database with the data key their unlock gave, that
computer's device secret (their OS account saw the credential store or key file), their own
passphrase, and the hub.

Written as the attacker would, from the raw files and the published formats only: no
service of Confide is asked for anything.
"""

import json
import zlib
from dataclasses import dataclass, field

from app.security import crypto
from app.services.team import bundle, control, keys
from app.storage.db import open_database


@dataclass
class Loot:
    """What the copy yields."""

    device_id: str
    team_id: str
    sign_priv: str | None = None
    box_priv: str | None = None
    epoch_keys: dict[int, bytes] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)     # private keys found in the clear


def _sealed_value(value, device_secret: bytes, name: str, device_id: str):
    # The layout of app/services/team/device_keys.py, as anyone reading the source knows it.
    key = crypto.hkdf(device_secret, info=f"confide-device-keys:v1:{name}".encode())
    try:
        return json.loads(crypto.open_sealed(key, bytes.fromhex(value["nonce"]), bytes.fromhex(value["ct"]),
                                             f"{name}:{device_id}".encode()))
    except (crypto.DecryptionFailed, KeyError, ValueError, TypeError):
        return None


def plunder(db_path, data_key: bytes, device_secret: bytes | None) -> Loot:
    """Open the copied database raw and take every key in it."""
    conn = open_database(db_path, data_key)
    try:
        st = {r[0]: json.loads(r[1]) for r in conn.execute("SELECT key, value FROM sync_state")}
        loot = Loot(st["device_id"], st["team_id"])
        loot.epoch_keys = {int(r[0]): bytes(r[1]) for r in conn.execute("SELECT epoch, key FROM sync_epoch")}
    finally:
        conn.close()
    if st.get("sign_priv"):                      # kept in the clear
        loot.sign_priv, loot.box_priv = st["sign_priv"], st["box_priv"]
        loot.secrets += [st["sign_priv"], st["box_priv"]]
    elif device_secret is not None:
        for name in ("device_keys", "device_keys_next"):
            pairs = _sealed_value(st.get(name), device_secret, name, loot.device_id) if st.get(name) else None
            if pairs:
                loot.sign_priv, loot.box_priv = pairs["sign_priv"], pairs["box_priv"]
    return loot


def data_key_only_secrets(db_path, data_key: bytes) -> list[str]:
    """The private keys the database gives to its data key alone (no device secret)."""
    return plunder(db_path, data_key, None).secrets


def _try(priv, team_id, label, epoch, sealed):
    if not priv or not sealed:
        return None
    try:
        return keys.open_sealed_for_device(priv, team_id, label, epoch, sealed)
    except (crypto.DecryptionFailed, ValueError, KeyError, TypeError):
        return None


def try_open_epochs(loot: Loot, entries, own: tuple[str, bytes] | None) -> None:
    """Every later team key the loot can open from the hub's control entries: sealed whole
    to the copied computer (the old format), or made of a person half and a computer half
    (docs/sync.md §5), with the leaver's own staff key for the first."""
    for entry in entries:
        if entry.kind != "control":
            continue
        body = control.read_unverified(entry.payload, entry.seq)
        if body.get("type") != "epoch":
            continue
        epoch = int(body["epoch"])
        for device_id, sealed in (body.get("sealed") or {}).items():
            whole = _try(loot.box_priv, loot.team_id, device_id, epoch, sealed)
            if whole is not None:
                loot.epoch_keys[epoch] = whole
        person = None
        if own is not None:
            person = _try(own[1].hex(), loot.team_id, f"person:{own[0]}", epoch,
                          (body.get("people") or {}).get(own[0]))
        device = None
        for device_id, sealed in (body.get("devices") or {}).items():
            device = device or _try(loot.box_priv, loot.team_id, device_id, epoch, sealed)
        if person is not None and device is not None:
            loot.epoch_keys[epoch] = control.epoch_key_from_halves(loot.team_id, epoch, person, device)


def read_bundles(loot: Loot, entries) -> list[str]:
    """The plaintext of every bundle the loot's keys open."""
    out = []
    for entry in entries:
        if entry.kind != "bundle":
            continue
        p = bundle.parse(entry.payload, entry.seq)
        key = loot.epoch_keys.get(int(p.header.get("epoch", 0)))
        if key is None:
            continue
        try:
            body = bundle.open_body(key, p, entry.seq)      # either format, as sync opens it
        except (crypto.DecryptionFailed, bundle.BundleRefused, zlib.error, ValueError):
            continue
        # A document's pieces as text too, so a canary in a file is found like one in a note.
        out.append(json.dumps(body, default=lambda piece: bytes(piece).decode("latin-1")))
    return out


def forged_enrol(loot: Loot, claim_manager: str, index: int = 99) -> bytes:
    """An `enrol` entry for a rogue manager's computer, signed with the copied computer's key."""
    rogue = keys.new_device_keys()
    body = {"team": loot.team_id, "type": "enrol", "by": loot.device_id, "staff": claim_manager,
            "at": "2026-01-05T10:00:00+00:00", "expires": "2099-01-01T00:00:00+00:00",
            "device": {"device_id": "rogue-computer", "name": "Manager laptop", "index": index,
                       "sign_pub": rogue["sign_pub"], "box_pub": rogue["box_pub"], "manager": True},
            "sealed": {}}
    return control.seal(body, loot.sign_priv)


def forged_bundle(loot: Loot, dseq: int, prev: str, changes: list, base: int) -> bytes:
    """A change bundle as the copied computer, under the newest team key the loot holds."""
    epoch = max(loot.epoch_keys)
    header = {"team": loot.team_id, "device": loot.device_id, "dseq": dseq, "prev": prev, "schema": 1,
              "epoch": epoch, "base": base, "at": "2026-01-05T10:00:00+00:00"}
    return bundle.seal(header, {"changes": changes, "audit": []}, loot.epoch_keys[epoch], loot.sign_priv)
