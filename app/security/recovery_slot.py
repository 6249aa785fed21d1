"""The recovery key and its slot in vault.json.

Version 2: the recovery key derives a key pair (HKDF, deterministic), so a re-key seals the
new data key to it like any member of staff, with no recovery key at hand. The device secret
is kept beside it, encrypted under a key from the recovery key, to enrol a replaced computer.
Version 1 wrapped the data key and the device secret together; a re-key cannot renew that, so
after one the slot is `stale`: it still enrols the computer, and the manager is asked to make
a new recovery key (renew_recovery_key).
"""

import base64
import binascii
import secrets
from dataclasses import dataclass, field

from app.errors import ValidationError, VaultFileInvalid, WrongRecoveryKey
from app.security import crypto, sealing
from app.security.crypto import DecryptionFailed
from app.security.sealing import Sealed
from app.security.vault_fields import b64, read_bool, read_bytes, read_key_id

RECOVERY_BYTES = 25  # 200 bits: 40 base32 characters in 8 groups of 5
RECOVERY_GROUP = 5
RECOVERY_CHARS = RECOVERY_BYTES * 8 // 5
OWNER = "recovery"

# Crockford's base32: no I, L, O or U, so a key read from paper is not misread (0 is the only
# round character, 1 the only upright stroke). Keys made before used RFC 4648 base32 (A-Z, 2-7);
# they stay valid: a typed key is tried in both alphabets, and the slot tells which one opens it.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_READS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_LEGACY_READS = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_recovery_key() -> str:
    text = _encode(secrets.token_bytes(RECOVERY_BYTES))
    return "-".join(text[i:i + RECOVERY_GROUP] for i in range(0, len(text), RECOVERY_GROUP))


def _encode(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    return "".join(ALPHABET[(number >> shift) & 31] for shift in range(len(raw) * 8 - 5, -1, -5))


def _decode(text: str) -> bytes | None:
    number = 0
    for ch in text:
        value = ALPHABET.find(ch)
        if value < 0:
            return None
        number = number << 5 | value
    return number.to_bytes(RECOVERY_BYTES, "big")


def recovery_groups(key: str) -> list[str]:
    return key.split("-")


def typed_as_read(text: str) -> str:
    """What someone typed of a key made today, as the parser reads it: any case, no spaces
    or dashes, O read as 0 and I or L as 1 (the one rule; the set-up wizard checks a typed
    group with it)."""
    return "".join(ch for ch in text.upper() if ch.isalnum()).translate(_CROCKFORD_READS)


def recovery_candidates(text: str) -> list[bytes]:
    """The keys `text` can be, as typed: any case, spaces or dashes, and the look-alikes read
    either way. Today's alphabet first, then the one keys were printed in before.

    May raise: ValidationError when it cannot be a recovery key in either alphabet."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) != RECOVERY_CHARS:
        raise ValidationError(
            f"A recovery key has {RECOVERY_CHARS} letters and digits "
            f"(8 groups of 5); you typed {len(cleaned)}.", field="recovery_key")
    found = []
    current = _decode(cleaned.translate(_CROCKFORD_READS))
    if current is not None:
        found.append(current)
    try:
        legacy = base64.b32decode(cleaned.translate(_LEGACY_READS))
    except (binascii.Error, ValueError):
        legacy = None
    if legacy is not None and legacy not in found:
        found.append(legacy)
    if not found:
        raise ValidationError("That is not a recovery key: some characters cannot be in one. "
                              "Check it against the recovery sheet.", field="recovery_key")
    return found


def parse_recovery_key(text: str) -> bytes:
    """A key in today's alphabet (a new key being set). May raise: ValidationError."""
    cleaned = typed_as_read(text)
    raw = _decode(cleaned) if len(cleaned) == RECOVERY_CHARS else None
    if raw is None:
        raise ValidationError("That is not a recovery key made by this version of Confide.", field="recovery_key")
    return raw


def _kek(raw: bytes, vault_id: str) -> bytes:
    # The recovery key carries 200 random bits, so a slow KDF would add nothing against guessing.
    return crypto.hkdf(raw, info=f"confide-recovery:v1:{vault_id}".encode())


def _key_pair(raw: bytes, vault_id: str) -> tuple[bytes, bytes]:
    return sealing.key_pair_from_secret(raw, f"confide-recovery-x25519:v2:{vault_id}".encode())


@dataclass
class RecoverySlot:
    device_nonce: bytes = b""
    device_wrapped: bytes = b""
    public: bytes = b""
    sealed: list[Sealed] = field(default_factory=list)
    stale: bool = False

    @property
    def version(self) -> int:
        return 2 if self.public else 1

    @classmethod
    def create(cls, recovery_key: str, vault_id: str, data_key: bytes, device_secret: bytes) -> "RecoverySlot":
        raw = parse_recovery_key(recovery_key)
        slot = cls(public=_key_pair(raw, vault_id)[1])
        slot.device_nonce, slot.device_wrapped = crypto.seal(_kek(raw, vault_id), device_secret,
                                                             f"{vault_id}:device".encode())
        slot.reseal(vault_id, [data_key])
        return slot

    def reseal(self, vault_id: str, data_keys: list[bytes]) -> None:
        """Seal these data keys (no recovery key needed); a version-1 slot becomes stale."""
        if self.version == 1:
            self.stale = True
            return
        self.sealed = [sealing.seal(k, self.public, b"", vault_id, OWNER, sealing.key_id(k, vault_id))
                       for k in data_keys]

    def open(self, recovery_key: str, vault_id: str) -> tuple[list[bytes], bytes]:
        """(data keys it opens, device secret). May raise: ValidationError, WrongRecoveryKey."""
        for raw in recovery_candidates(recovery_key):
            try:
                return self._open_raw(raw, vault_id)
            except WrongRecoveryKey:
                continue
        raise WrongRecoveryKey()

    def _open_raw(self, raw: bytes, vault_id: str) -> tuple[list[bytes], bytes]:
        try:
            if self.version == 1:
                both = crypto.open_sealed(_kek(raw, vault_id), self.device_nonce, self.device_wrapped,
                                          vault_id.encode())
                return ([] if self.stale else [both[:32]]), both[32:]
            device = crypto.open_sealed(_kek(raw, vault_id), self.device_nonce, self.device_wrapped,
                                        f"{vault_id}:device".encode())
        except DecryptionFailed:
            raise WrongRecoveryKey() from None
        private, public = _key_pair(raw, vault_id)
        if public != self.public:
            raise WrongRecoveryKey()
        keys = [sealing.unseal(s, private, b"", vault_id, OWNER) for s in self.sealed]
        return [k for k in keys if k is not None], device

    def to_json(self) -> dict:
        if self.version == 1:
            return {"nonce": b64(self.device_nonce), "wrapped": b64(self.device_wrapped), "stale": self.stale}
        return {"public": b64(self.public),
                "device": {"nonce": b64(self.device_nonce), "wrapped": b64(self.device_wrapped)},
                "sealed": [{"key_id": s.key_id, "ephemeral": b64(s.ephemeral), "nonce": b64(s.nonce),
                            "wrapped": b64(s.wrapped)} for s in self.sealed]}

    @classmethod
    def from_json(cls, data) -> "RecoverySlot":
        what = "the recovery slot"
        if not isinstance(data, dict):
            raise VaultFileInvalid("vault.json has no recovery slot.")
        if "public" not in data:
            return cls(read_bytes(data, "nonce", what, (12,)), read_bytes(data, "wrapped", what, (80,)),
                       stale=read_bool(data, "stale", what))
        slot = cls(read_bytes(data.get("device"), "nonce", what, (12,)),
                   read_bytes(data.get("device"), "wrapped", what, (48,)),
                   public=read_bytes(data, "public", what, (32,)))
        sealed = data.get("sealed")
        if not isinstance(sealed, list) or len(sealed) > 2:
            raise VaultFileInvalid("vault.json: the recovery slot does not hold one or two sealed keys.")
        for item in sealed:
            slot.sealed.append(Sealed(read_key_id(item, "key_id", what), read_bytes(item, "ephemeral", what, (32,)),
                                      read_bytes(item, "nonce", what, (12,)),
                                      read_bytes(item, "wrapped", what, (48,))))
        return slot
