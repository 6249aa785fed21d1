"""Small wrappers over AES-256-GCM and HKDF so that no other module handles nonces or tags."""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12


class DecryptionFailed(Exception):
    """Wrong key, or data altered: GCM cannot tell which, and neither do we."""


def random_key() -> bytes:
    return os.urandom(KEY_BYTES)


def hkdf(material: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(material)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, aad)


def seal_with_nonce(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """For a key used once only (derived per message): the caller vouches for that."""
    return AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag as exc:
        raise DecryptionFailed() from exc
