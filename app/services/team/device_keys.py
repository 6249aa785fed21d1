"""This computer's own team key pairs, sealed under its device secret (docs/security.md
"Who holds what").

The database holds them only as AES-GCM ciphertext under a key derived from the device
secret, which lives in the OS credential store (or, by the explicit opt-in, the key file).
So the data key alone (any account's unlock, a volunteer's included) yields no private key
of this computer. The hub's location is sealed the same way when there is no credential
store to keep it in.

The box key pair is replaced at every change of the team key (rekeyed.py), so what a copy
taken before then holds opens nothing sealed after.
"""

import json

from app.errors import ConfideError
from app.security import crypto
from app.security.session import Session
from app.services.team import state

OWN = "device_keys"            # sync_state: the current key pairs, sealed
NEXT = "device_keys_next"      # the pairs about to be announced (rekeyed.py), sealed
INVITATION = "invitation_keys" # while joining: the invitation's pairs, until `joined`
PLAIN = ("sign_priv", "box_priv", "sign_pub", "box_pub")


class DeviceKeysLocked(ConfideError):
    """Nobody is signed in on this connection: the device secret is not at hand."""


def _key(device_secret: bytes, label: str) -> bytes:
    return crypto.hkdf(device_secret, info=f"confide-device-keys:v1:{label}".encode())


def seal_value(conn, name: str, value, device_secret: bytes) -> None:
    aad = f"{name}:{state.get(conn, 'device_id') or ''}".encode()
    nonce, ct = crypto.seal(_key(device_secret, name), json.dumps(value).encode(), aad)
    state.put(conn, name, {"nonce": nonce.hex(), "ct": ct.hex()})


def open_value(conn, name: str, device_secret: bytes):
    """None when nothing is stored. May raise: crypto.DecryptionFailed (another device secret)."""
    stored = state.get(conn, name)
    if stored is None:
        return None
    aad = f"{name}:{state.get(conn, 'device_id') or ''}".encode()
    return json.loads(crypto.open_sealed(_key(device_secret, name), bytes.fromhex(stored["nonce"]),
                                         bytes.fromhex(stored["ct"]), aad))


def secret_for(conn) -> bytes:
    """May raise: DeviceKeysLocked."""
    session = Session.for_connection(conn)
    if session is None:
        raise DeviceKeysLocked("Sign in on this computer first: its team keys open only with its "
                               "device secret.")
    return session.device_secret


def store(conn, pairs: dict, device_secret: bytes, name: str = OWN) -> None:
    seal_value(conn, name, {k: pairs[k] for k in ("sign_priv", "box_priv", "sign_pub", "box_pub")},
               device_secret)
    for key in PLAIN:       # an older version kept them in the clear
        conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))


def own(conn) -> dict:
    """This computer's current key pairs. May raise: DeviceKeysLocked."""
    pairs = open_value(conn, OWN, secret_for(conn))
    if pairs is None:
        raise DeviceKeysLocked("This computer holds no team keys.")
    return pairs


def sign_priv(conn) -> str:
    return own(conn)["sign_priv"]


def box_priv(conn) -> str:
    return own(conn)["box_priv"]
