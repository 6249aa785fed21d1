"""Staff key pairs and sealed data keys (docs/security.md, "Keys").

Each member of staff has an X25519 key pair. The private half is wrapped with AES-256-GCM
under a key stretched from their passphrase (Argon2id); that wrap does not name a vault or a
computer, so the team vault can carry it in the staff record. The data key is *sealed* to the
public half: an ephemeral X25519 exchange, with the device secret mixed into the HKDF, so
opening a sealed copy needs the passphrase (private key) and this computer's OS login (device
secret). Sealing needs neither: a re-key seals the new data key to every active member
without anyone's passphrase.
"""

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from app.security import crypto, kdf
from app.security.crypto import DecryptionFailed

KEY_BYTES = 32


def _raw_private(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def new_key_pair() -> tuple[bytes, bytes]:
    """(private, public), 32 raw bytes each."""
    private = X25519PrivateKey.generate()
    return _raw_private(private), _raw_public(private.public_key())


def public_of(private: bytes) -> bytes:
    return _raw_public(X25519PrivateKey.from_private_bytes(private).public_key())


def key_pair_from_secret(secret: bytes, info: bytes) -> tuple[bytes, bytes]:
    """A deterministic key pair (the recovery key's): X25519 accepts any 32 bytes."""
    private = crypto.hkdf(secret, info=info)
    return private, public_of(private)


# --- the travelling wrap of a private key ----------------------------------------------------

def wrap_aad(user: str, params: kdf.KdfParams, public: bytes) -> bytes:
    return (f"confide-staff-key:v2:{user}:{params.memory_kib}:{params.lanes}:{params.passes}:"
            f"{public.hex()}").encode()


def unwrap_private(wrap_key: bytes, nonce: bytes, wrapped: bytes, aad: bytes) -> bytes | None:
    """The private key, or None when the passphrase is wrong (or the wrap was altered)."""
    try:
        private = crypto.open_sealed(wrap_key, nonce, wrapped, aad)
    except DecryptionFailed:
        return None
    return private if len(private) == KEY_BYTES else None


# --- sealing a data key to a public key ------------------------------------------------------

@dataclass(frozen=True)
class Sealed:
    """One copy of a data key, sealed to one public key. `key_id` names which data key."""

    key_id: str
    ephemeral: bytes
    nonce: bytes
    wrapped: bytes


def _seal_info(vault_id: str, owner: str, key_id: str) -> bytes:
    return f"confide-seal:v2:{vault_id}:{owner}:{key_id}".encode()


def _seal_key(shared: bytes, bound_secret: bytes, ephemeral: bytes, public: bytes, info: bytes) -> bytes:
    # The device secret joins the exchange's output, so a copied vault.json and a stolen
    # passphrase still open nothing without this computer's credential store.
    return crypto.hkdf(shared + bound_secret, info=info, salt=ephemeral + public)


def seal(data_key: bytes, public: bytes, bound_secret: bytes, vault_id: str, owner: str,
         key_id: str) -> Sealed:
    ephemeral = X25519PrivateKey.generate()
    eph_public = _raw_public(ephemeral.public_key())
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    info = _seal_info(vault_id, owner, key_id)
    nonce, wrapped = crypto.seal(_seal_key(shared, bound_secret, eph_public, public, info), data_key, info)
    return Sealed(key_id, eph_public, nonce, wrapped)


def unseal(sealed: Sealed, private: bytes, bound_secret: bytes, vault_id: str, owner: str) -> bytes | None:
    """The data key, or None (wrong private key, wrong device secret, or altered)."""
    key = X25519PrivateKey.from_private_bytes(private)
    try:
        shared = key.exchange(X25519PublicKey.from_public_bytes(sealed.ephemeral))
    except ValueError:  # an all-zero shared secret: a crafted ephemeral key
        return None
    info = _seal_info(vault_id, owner, sealed.key_id)
    seal_key = _seal_key(shared, bound_secret, sealed.ephemeral, public_of(private), info)
    try:
        data_key = crypto.open_sealed(seal_key, sealed.nonce, sealed.wrapped, info)
    except DecryptionFailed:
        return None
    return data_key if len(data_key) == KEY_BYTES else None


def key_id(data_key: bytes, vault_id: str) -> str:
    """A short public name for a data key: tells sealed copies of different keys apart."""
    return crypto.hkdf(data_key, info=f"confide-key-id:v2:{vault_id}".encode()).hex()[:16]


def file_mac_key(data_key: bytes, vault_id: str) -> bytes:
    return crypto.hkdf(data_key, info=f"confide-vault-mac:v2:{vault_id}".encode())
