"""One member of staff's key slot in vault.json.

Version 2 (key pairs): the private key wrapped under Argon2id(passphrase), the public key,
and the data key sealed to the public key (bound to the device secret); during a re-key it
holds two sealed copies, the old and the new data key.
Version 1 (before key pairs): the data key wrapped under
KEK = HKDF(Argon2id(passphrase) || device secret). Still opened; upgraded to version 2 at
that person's next unlock. A re-key cannot seal to a version-1 slot (it has no public key),
so such a slot is marked `needs_reset`: a manager's passphrase reset makes its key pair.
"""

import json
import os
from dataclasses import dataclass, field, replace

from app.errors import VaultFileInvalid
from app.security import crypto, kdf, sealing
from app.security.crypto import DecryptionFailed
from app.security.sealing import Sealed
from app.security.vault_fields import b64, read_bool, read_bytes, read_key_id, read_text

SALT_LENGTHS = range(16, 65)
NONCE = (crypto.NONCE_BYTES,)
WRAPPED_KEY = (crypto.KEY_BYTES + 16,)  # 32 bytes and the GCM tag
PUBLIC = (sealing.KEY_BYTES,)
MAX_SEALED = 2  # the current data key, and during a re-key the next one


@dataclass
class StaffSlot:
    user: str
    salt: bytes
    params: kdf.KdfParams
    must_change: bool = False
    public: bytes = b""
    private_nonce: bytes = b""
    private_wrapped: bytes = b""
    sealed: list[Sealed] = field(default_factory=list)
    nonce: bytes = b""  # version 1 only
    wrapped: bytes = b""  # version 1 only
    needs_reset: bool = False

    @property
    def version(self) -> int:
        return 2 if self.public else 1

    def v1_aad(self, vault_id: str) -> bytes:
        params = json.dumps(self.params.to_json(), sort_keys=True)
        return f"confide-slot:v1:{vault_id}:{self.user}:{params}:{int(self.must_change)}".encode()

    def to_json(self) -> dict:
        data = {"user": self.user, "salt": b64(self.salt), "kdf": self.params.to_json(),
                "must_change": self.must_change}
        if self.version == 1:
            data.update(nonce=b64(self.nonce), wrapped=b64(self.wrapped), needs_reset=self.needs_reset)
            return data
        data.update(public=b64(self.public), private={"nonce": b64(self.private_nonce),
                                                      "wrapped": b64(self.private_wrapped)},
                    sealed=[{"key_id": s.key_id, "ephemeral": b64(s.ephemeral), "nonce": b64(s.nonce),
                             "wrapped": b64(s.wrapped)} for s in self.sealed])
        return data

    @classmethod
    def from_json(cls, data: dict) -> "StaffSlot":
        """May raise: VaultFileInvalid (naming what is wrong with this one slot)."""
        if not isinstance(data, dict):
            raise VaultFileInvalid("vault.json has a key slot that is not an object.")
        user = read_text(data, "user", "a key slot", limit=64)
        what = f"the key slot of '{user}'"
        if not isinstance(data.get("kdf"), dict):
            raise VaultFileInvalid(f"vault.json: {what} has no Argon2 settings.")
        slot = cls(user=user, salt=read_bytes(data, "salt", what, SALT_LENGTHS),
                   params=kdf.KdfParams.from_json(data["kdf"]),
                   must_change=read_bool(data, "must_change", what))
        if "public" not in data:
            slot.nonce = read_bytes(data, "nonce", what, NONCE)
            slot.wrapped = read_bytes(data, "wrapped", what, WRAPPED_KEY)
            slot.needs_reset = read_bool(data, "needs_reset", what)
            return slot
        slot.public = read_bytes(data, "public", what, PUBLIC)
        private = data.get("private")
        slot.private_nonce = read_bytes(private, "nonce", what + " (private key)", NONCE)
        slot.private_wrapped = read_bytes(private, "wrapped", what + " (private key)", WRAPPED_KEY)
        sealed = data.get("sealed")
        if not isinstance(sealed, list) or not 1 <= len(sealed) <= MAX_SEALED:
            raise VaultFileInvalid(f"vault.json: {what} does not hold one or two sealed keys.")
        for item in sealed:
            slot.sealed.append(Sealed(read_key_id(item, "key_id", what),
                                      read_bytes(item, "ephemeral", what, PUBLIC),
                                      read_bytes(item, "nonce", what, NONCE),
                                      read_bytes(item, "wrapped", what, WRAPPED_KEY)))
        return slot


def stretch(passphrase: str, salt: bytes, params: kdf.KdfParams) -> bytes:
    return kdf.derive(passphrase, salt, params)


def _v1_kek(stretched: bytes, device_secret: bytes, vault_id: str) -> bytes:
    return crypto.hkdf(stretched + device_secret, info=f"confide-kek:v1:{vault_id}".encode())


def _wrap_key(stretched: bytes) -> bytes:
    return crypto.hkdf(stretched, info=b"confide-staff-key:v2")


def make_staff_slot(vault_id: str, user: str, passphrase: str, data_key: bytes,
                    device_secret: bytes, params: kdf.KdfParams, must_change: bool = False,
                    private: bytes | None = None) -> StaffSlot:
    """A version-2 slot: a new key pair (or `private`), wrapped under the passphrase, with the
    data key sealed to it."""
    salt = os.urandom(16)
    return _v2_slot(vault_id, user, stretch(passphrase, salt, params), salt, params, data_key,
                    device_secret, must_change, private)


def _v2_slot(vault_id, user, stretched, salt, params, data_key, device_secret, must_change,
             private=None) -> StaffSlot:
    if private is None:
        private, public = sealing.new_key_pair()
    else:
        public = sealing.public_of(private)
    slot = StaffSlot(user, salt, params, must_change, public=public)
    slot.private_nonce, slot.private_wrapped = crypto.seal(
        _wrap_key(stretched), private, sealing.wrap_aad(user, params, public))
    slot.sealed = [sealing.seal(data_key, public, device_secret, vault_id, user,
                                sealing.key_id(data_key, vault_id))]
    return slot


def rewrap(slot: StaffSlot, private: bytes, passphrase: str, params: kdf.KdfParams,
           must_change: bool = False) -> StaffSlot:
    """The same key pair and sealed keys under a new passphrase (a passphrase change)."""
    salt = os.urandom(16)
    new = replace(slot, salt=salt, params=params, must_change=must_change, sealed=list(slot.sealed))
    new.private_nonce, new.private_wrapped = crypto.seal(
        _wrap_key(stretch(passphrase, salt, params)), private, sealing.wrap_aad(slot.user, params, slot.public))
    return new


@dataclass
class Opened:
    """What a right passphrase opens: the private key (version 2), every data key it could
    unseal (one, or two during a re-key), and the stretched passphrase for a v1 upgrade."""

    private: bytes | None
    data_keys: list[bytes]
    stretched: bytes


def open_slot(vault_id: str, slot: StaffSlot, passphrase: str, device_secret: bytes) -> Opened | None:
    """None when the passphrase is wrong. May raise: VaultFileInvalid (Argon2 settings)."""
    stretched = stretch(passphrase, slot.salt, slot.params)
    if slot.version == 1:
        try:
            key = crypto.open_sealed(_v1_kek(stretched, device_secret, vault_id), slot.nonce,
                                     slot.wrapped, slot.v1_aad(vault_id))
        except DecryptionFailed:
            return None
        return Opened(None, [key], stretched)
    private = sealing.unwrap_private(_wrap_key(stretched), slot.private_nonce, slot.private_wrapped,
                                     sealing.wrap_aad(slot.user, slot.params, slot.public))
    if private is None:
        return None
    return Opened(private, unseal_all(vault_id, slot, private, device_secret), stretched)


def unseal_all(vault_id: str, slot: StaffSlot, private: bytes, device_secret: bytes) -> list[bytes]:
    keys = [sealing.unseal(s, private, device_secret, vault_id, slot.user) for s in slot.sealed]
    return [k for k in keys if k is not None]


def upgrade_v1(vault_id: str, slot: StaffSlot, opened: Opened, data_key: bytes,
               device_secret: bytes) -> tuple[StaffSlot, bytes]:
    """A version-2 slot for a version-1 one, from the same passphrase (same salt, no second
    Argon2 run). Returns (slot, private key)."""
    private, _ = sealing.new_key_pair()
    new = _v2_slot(vault_id, slot.user, opened.stretched, slot.salt, slot.params, data_key,
                   device_secret, slot.must_change, private)
    return new, private


def unwrap_staff_slot(vault_id: str, slot: StaffSlot, passphrase: str, device_secret: bytes) -> bytes | None:
    """The first data key this slot opens, or None (kept for callers that need only that)."""
    opened = open_slot(vault_id, slot, passphrase, device_secret)
    return opened.data_keys[0] if opened and opened.data_keys else None
