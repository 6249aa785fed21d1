"""vault.json: non-secret metadata and the key slots that wrap the database key.

Each staff slot wraps the data key with AES-256-GCM under
KEK = HKDF-SHA256(Argon2id(passphrase, salt) || device_secret). The recovery slot wraps the
data key *and* the device secret under a key derived from the recovery key, so a computer
whose credential store lost the secret can be enrolled again with every staff slot intact.
"""

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from app.errors import ValidationError, VaultFileInvalid, VaultNotFound, WrongRecoveryKey
from app.fsutil import atomic_write
from app.security import crypto, kdf
from app.security.crypto import DecryptionFailed

FORMAT = 1
RECOVERY_BYTES = 25  # 200 bits: 40 base32 characters in 8 groups of 5
RECOVERY_GROUP = 5


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise VaultFileInvalid("vault.json holds a value that is not valid base64.") from exc


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class StaffSlot:
    user: str
    salt: bytes
    params: kdf.KdfParams
    nonce: bytes
    wrapped: bytes
    must_change: bool = False

    def aad(self, vault_id: str) -> bytes:
        params = json.dumps(self.params.to_json(), sort_keys=True)
        return f"confide-slot:v1:{vault_id}:{self.user}:{params}:{int(self.must_change)}".encode()

    def to_json(self) -> dict:
        return {
            "user": self.user,
            "salt": _b64(self.salt),
            "kdf": self.params.to_json(),
            "nonce": _b64(self.nonce),
            "wrapped": _b64(self.wrapped),
            "must_change": self.must_change,
        }

    @classmethod
    def from_json(cls, data: dict) -> "StaffSlot":
        try:
            return cls(
                user=str(data["user"]),
                salt=_unb64(data["salt"]),
                params=kdf.KdfParams.from_json(data["kdf"]),
                nonce=_unb64(data["nonce"]),
                wrapped=_unb64(data["wrapped"]),
                must_change=bool(data.get("must_change", False)),
            )
        except KeyError as exc:
            raise VaultFileInvalid(f"vault.json has a key slot without '{exc.args[0]}'.") from exc


def _slot_kek(passphrase: str, salt: bytes, params: kdf.KdfParams, device_secret: bytes,
              vault_id: str) -> bytes:
    stretched = kdf.derive(passphrase, salt, params)
    return crypto.hkdf(stretched + device_secret, info=f"confide-kek:v1:{vault_id}".encode())


def make_staff_slot(vault_id: str, user: str, passphrase: str, data_key: bytes,
                    device_secret: bytes, params: kdf.KdfParams, must_change: bool = False) -> StaffSlot:
    salt = os.urandom(16)
    slot = StaffSlot(user, salt, params, b"", b"", must_change)
    kek = _slot_kek(passphrase, salt, params, device_secret, vault_id)
    slot.nonce, slot.wrapped = crypto.seal(kek, data_key, slot.aad(vault_id))
    return slot


def unwrap_staff_slot(vault_id: str, slot: StaffSlot, passphrase: str, device_secret: bytes) -> bytes | None:
    """The data key, or None when the passphrase (or the device secret) is wrong."""
    kek = _slot_kek(passphrase, slot.salt, slot.params, device_secret, vault_id)
    try:
        return crypto.open_sealed(kek, slot.nonce, slot.wrapped, slot.aad(vault_id))
    except DecryptionFailed:
        return None


# --- recovery key -----------------------------------------------------------------------

def new_recovery_key() -> str:
    raw = secrets.token_bytes(RECOVERY_BYTES)
    text = base64.b32encode(raw).decode("ascii")
    return "-".join(text[i:i + RECOVERY_GROUP] for i in range(0, len(text), RECOVERY_GROUP))


def recovery_groups(key: str) -> list[str]:
    return key.split("-")


def parse_recovery_key(text: str) -> bytes:
    """Accept the key as typed: any case, spaces or dashes, and the look-alikes 0/1/8."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"0": "O", "1": "I", "8": "B"}))
    if len(cleaned) != RECOVERY_BYTES * 8 // 5:
        raise ValidationError(
            f"A recovery key has {RECOVERY_BYTES * 8 // 5} letters and digits "
            f"(8 groups of 5); you typed {len(cleaned)}.", field="recovery_key")
    try:
        return base64.b32decode(cleaned)
    except (binascii.Error, ValueError):
        raise ValidationError("That is not a recovery key: it may only hold the letters A-Z and "
                              "the digits 2-7.", field="recovery_key") from None


def _recovery_kek(raw: bytes, vault_id: str) -> bytes:
    # The recovery key carries 200 random bits, so a slow KDF would add nothing against guessing.
    return crypto.hkdf(raw, info=f"confide-recovery:v1:{vault_id}".encode())


# --- the file ------------------------------------------------------------------------------

@dataclass
class VaultFile:
    vault_id: str
    service_name: str
    created_at: str
    device_store: str = "keyring"  # or "file"
    device_key_file: str | None = None
    test_kdf: bool = False
    slots: dict[str, StaffSlot] = field(default_factory=dict)
    recovery_nonce: bytes = b""
    recovery_wrapped: bytes = b""
    audit_head: dict = field(default_factory=lambda: {"seq": 0, "hash": ""})
    device_check: str = ""

    # recovery slot
    def set_recovery(self, recovery_key: str, data_key: bytes, device_secret: bytes) -> None:
        kek = _recovery_kek(parse_recovery_key(recovery_key), self.vault_id)
        self.recovery_nonce, self.recovery_wrapped = crypto.seal(
            kek, data_key + device_secret, self.vault_id.encode())

    def open_recovery(self, recovery_key: str) -> tuple[bytes, bytes]:
        """(data key, device secret). May raise: ValidationError, WrongRecoveryKey."""
        kek = _recovery_kek(parse_recovery_key(recovery_key), self.vault_id)
        try:
            both = crypto.open_sealed(kek, self.recovery_nonce, self.recovery_wrapped,
                                      self.vault_id.encode())
        except DecryptionFailed:
            raise WrongRecoveryKey() from None
        return both[:32], both[32:]

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "vault_id": self.vault_id,
            "service_name": self.service_name,
            "created_at": self.created_at,
            "device_secret": {"store": self.device_store, "path": self.device_key_file},
            "test_kdf": self.test_kdf,
            "slots": [slot.to_json() for slot in self.slots.values()],
            "recovery": {"nonce": _b64(self.recovery_nonce), "wrapped": _b64(self.recovery_wrapped)},
            "audit_head": self.audit_head,
            "device_check": self.device_check,
        }

    @classmethod
    def from_json(cls, data: dict) -> "VaultFile":
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise VaultFileInvalid("vault.json is not a Confide vault file this version can read.")
        try:
            device = data.get("device_secret") or {}
            vault = cls(
                vault_id=str(data["vault_id"]),
                service_name=str(data.get("service_name", "")),
                created_at=str(data.get("created_at", "")),
                device_store=str(device.get("store", "keyring")),
                device_key_file=device.get("path"),
                test_kdf=bool(data.get("test_kdf", False)),
                recovery_nonce=_unb64(data["recovery"]["nonce"]),
                recovery_wrapped=_unb64(data["recovery"]["wrapped"]),
                audit_head=dict(data.get("audit_head") or {"seq": 0, "hash": ""}),
                device_check=str(data.get("device_check", "")),
            )
            for raw in data["slots"]:
                slot = StaffSlot.from_json(raw)
                vault.slots[slot.user] = slot
        except (KeyError, TypeError, AttributeError) as exc:
            raise VaultFileInvalid("vault.json is incomplete or damaged.") from exc
        return vault

    @classmethod
    def load(cls, path: Path) -> "VaultFile":
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise VaultNotFound(f"There is no Confide vault in {Path(path).parent}.") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise VaultFileInvalid(f"vault.json is damaged (not valid JSON at line {exc.lineno}). "
                                   "Restore it from a backup.") from exc
        return cls.from_json(data)

    def save(self, path: Path) -> None:
        atomic_write(Path(path), json.dumps(self.to_json(), indent=2, sort_keys=True).encode(), 0o600)
