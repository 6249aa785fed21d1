"""Device keys, signatures and epoch keys sealed to a device (docs/sync.md §5).

Only this module touches Ed25519 and X25519; bundles and control entries call it.
"""

import os

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from app.security import crypto

SIGNATURE_BYTES = 64


def _raw_private(key) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _raw_public(key) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def new_device_keys() -> dict:
    """Hex-encoded key pairs for a new device: sign (Ed25519) and box (X25519)."""
    sign, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    return {"sign_priv": _raw_private(sign).hex(), "sign_pub": _raw_public(sign.public_key()).hex(),
            "box_priv": _raw_private(box).hex(), "box_pub": _raw_public(box.public_key()).hex()}


def sign(sign_priv_hex: str, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(sign_priv_hex)).sign(message)


def verify(sign_pub_hex: str, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(sign_pub_hex)).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _seal_info(team_id: str, device_id: str, epoch: int) -> bytes:
    return f"confide-seal:v1:{team_id}:{device_id}:{epoch}".encode()


def seal_to_device(box_pub_hex: str, team_id: str, device_id: str, epoch: int, secret: bytes) -> dict:
    """Encrypt an epoch key so that only the device holding box_priv can open it."""
    eph = X25519PrivateKey.generate()
    shared = eph.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(box_pub_hex)))
    info = _seal_info(team_id, device_id, epoch)
    nonce, ct = crypto.seal(crypto.hkdf(shared, info=info), secret, info)
    return {"eph": _raw_public(eph.public_key()).hex(), "nonce": nonce.hex(), "ct": ct.hex()}


def open_sealed_for_device(box_priv_hex: str, team_id: str, device_id: str, epoch: int,
                           sealed: dict) -> bytes:
    """May raise: crypto.DecryptionFailed (not sealed to this device, or altered)."""
    priv = X25519PrivateKey.from_private_bytes(bytes.fromhex(box_priv_hex))
    shared = priv.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(sealed["eph"])))
    info = _seal_info(team_id, device_id, epoch)
    return crypto.open_sealed(crypto.hkdf(shared, info=info), bytes.fromhex(sealed["nonce"]),
                              bytes.fromhex(sealed["ct"]), info)


def new_epoch_key() -> bytes:
    return os.urandom(crypto.KEY_BYTES)


def sign_pub_of(sign_priv_hex: str) -> str:
    return _raw_public(Ed25519PrivateKey.from_private_bytes(bytes.fromhex(sign_priv_hex)).public_key()).hex()
