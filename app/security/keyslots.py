"""vault.json: non-secret metadata, one key slot per member of staff, and the recovery slot.

Format 2 adds, over format 1: staff key pairs with sealed data keys (staff_slot.py), a
recovery key pair (recovery_slot.py), the name of the current data key, a generation counter
that the database also keeps (roll-back detection), a pending re-key, and MACs under keys
derived from the data key(s) over the file's canonical content. A format-1 file still opens;
it is written as format 2 at the next unlock.

Reading validates every field with bounds. A slot that fails is kept aside (`broken_slots`)
so that one damaged or weakened slot refuses that person only, never the whole vault.
"""

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

from app import clock
from app.errors import VaultFileInvalid, VaultNotFound
from app.fsutil import atomic_write
from app.security import sealing
from app.security.recovery_slot import (  # noqa: F401  (re-exported: callers import them from here)
    RECOVERY_BYTES,
    RecoverySlot,
    new_recovery_key,
    parse_recovery_key,
    recovery_groups,
    typed_as_read,
)
from app.security.staff_slot import (  # noqa: F401
    StaffSlot,
    make_staff_slot,
    open_slot,
    unwrap_staff_slot,
)
from app.security.vault_fields import b64, read_bool, read_head, read_int, read_key_id, read_text

_b64 = b64  # the backup manifest's wrapped key uses the same encoding

FORMAT = 2
READABLE = (1, 2)
MAX_SLOTS = 500
MAX_FILE_BYTES = 4 * 1024 * 1024


def _unb64(text: str) -> bytes:
    """Kept for the backup manifest's wrapped key. May raise: VaultFileInvalid."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise VaultFileInvalid("vault.json holds a value that is not valid base64.") from exc


def now_utc() -> str:
    return clock.stamp()


@dataclass
class VaultFile:
    vault_id: str
    service_name: str
    created_at: str
    device_store: str = "keyring"  # or "file"
    device_key_file: str | None = None
    test_kdf: bool = False
    slots: dict[str, StaffSlot] = field(default_factory=dict)
    recovery: RecoverySlot = field(default_factory=RecoverySlot)
    audit_head: dict = field(default_factory=lambda: {"seq": 0, "hash": ""})
    device_check: str = ""
    generation: int = 0
    key_id: str = ""
    pending_key_id: str = ""  # set while a re-key is under way: the key being moved to
    macs: list[str] = field(default_factory=list)
    read_format: int = FORMAT
    broken_slots: dict[str, str] = field(default_factory=dict)
    broken_raw: list = field(default_factory=list)  # written back as found: never silently dropped

    # recovery slot (kept as methods: the setup wizard and recover() call them)
    def set_recovery(self, recovery_key: str, data_key: bytes, device_secret: bytes) -> None:
        self.recovery = RecoverySlot.create(recovery_key, self.vault_id, data_key, device_secret)

    def open_recovery(self, recovery_key: str) -> tuple[list[bytes], bytes]:
        """(data keys, device secret). May raise: ValidationError, WrongRecoveryKey."""
        return self.recovery.open(recovery_key, self.vault_id)

    # --- authentication --------------------------------------------------------------------
    def to_json(self) -> dict:
        data = {
            "format": FORMAT,
            "vault_id": self.vault_id,
            "service_name": self.service_name,
            "created_at": self.created_at,
            "device_secret": {"store": self.device_store, "path": self.device_key_file},
            "test_kdf": self.test_kdf,
            # Sorted by name, so that the MAC does not depend on the order slots were read in.
            "slots": sorted([slot.to_json() for slot in self.slots.values()] + list(self.broken_raw),
                            key=lambda raw: str(raw.get("user", "")) if isinstance(raw, dict) else ""),
            "recovery": self.recovery.to_json(),
            "audit_head": self.audit_head,
            "device_check": self.device_check,
            "generation": self.generation,
            "key_id": self.key_id,
            "pending_key_id": self.pending_key_id,
        }
        data["macs"] = list(self.macs)
        return data

    def canonical(self) -> bytes:
        data = self.to_json()
        del data["macs"]
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()

    def _mac(self, data_key: bytes) -> str:
        return hmac.new(sealing.file_mac_key(data_key, self.vault_id), self.canonical(), hashlib.sha256).hexdigest()

    def sign(self, data_keys: list[bytes]) -> None:
        self.macs = [self._mac(k) for k in data_keys]

    def mac_ok(self, data_key: bytes) -> bool:
        mine = self._mac(data_key)
        return any(hmac.compare_digest(mine, m) for m in self.macs)

    # --- reading ---------------------------------------------------------------------------
    @classmethod
    def from_json(cls, data: dict) -> "VaultFile":
        """May raise: VaultFileInvalid (one plain sentence)."""
        if not isinstance(data, dict) or data.get("format") not in READABLE:
            raise VaultFileInvalid("vault.json is not a Confide vault file this version can read.")
        device = data.get("device_secret") or {}
        if not isinstance(device, dict):
            raise VaultFileInvalid("vault.json: the device secret entry is damaged.")
        path = device.get("path")
        if path is not None and (not isinstance(path, str) or len(path) > 4096):
            raise VaultFileInvalid("vault.json: the device key file's path is damaged.")
        vault = cls(
            vault_id=read_text(data, "vault_id", "the file", limit=64),
            service_name=read_text(data, "service_name", "the file", default=""),
            created_at=read_text(data, "created_at", "the file", default=""),
            device_store=read_text(device, "store", "the device secret entry", default="keyring"),
            device_key_file=path,
            test_kdf=read_bool(data, "test_kdf", "the file"),
            audit_head=read_head(data.get("audit_head")),
            device_check=read_text(data, "device_check", "the file", default=""),
            read_format=data["format"],
        )
        if data["format"] == 2:
            vault.generation = read_int(data, "generation", "the file")
            vault.key_id = read_key_id(data, "key_id", "the file")
            if data.get("pending_key_id"):
                vault.pending_key_id = read_key_id(data, "pending_key_id", "the file")
            macs = data.get("macs")
            if not isinstance(macs, list) or not 1 <= len(macs) <= 2 or not all(
                    isinstance(m, str) and len(m) == 64 for m in macs):
                raise VaultFileInvalid("vault.json: its authentication codes are missing or damaged.")
            vault.macs = macs
        vault.recovery = RecoverySlot.from_json(data.get("recovery"))
        slots = data.get("slots")
        if not isinstance(slots, list) or len(slots) > MAX_SLOTS:
            raise VaultFileInvalid("vault.json: the list of key slots is missing or damaged.")
        for index, raw in enumerate(slots):
            try:
                slot = StaffSlot.from_json(raw)
            except VaultFileInvalid as exc:
                # One bad slot refuses that person only (named if the name itself is readable).
                user = raw.get("user") if isinstance(raw, dict) else None
                name = user.strip().lower() if isinstance(user, str) and len(user) <= 64 else f"#{index}"
                vault.broken_slots[name] = exc.message
                vault.broken_raw.append(raw)
                continue
            vault.slots[slot.user] = slot
        return vault

    @classmethod
    def load(cls, path: Path) -> "VaultFile":
        """May raise: VaultNotFound, VaultFileInvalid."""
        try:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            raise VaultNotFound(f"There is no Confide vault in {Path(path).parent}.") from None
        if len(raw) > MAX_FILE_BYTES:
            raise VaultFileInvalid("vault.json is far larger than any Confide writes; it is damaged.")
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise VaultFileInvalid("vault.json is damaged (not text). Restore it from a backup.") from exc
        except json.JSONDecodeError as exc:
            raise VaultFileInvalid(f"vault.json is damaged (not valid JSON at line {exc.lineno}). "
                                   "Restore it from a backup.") from exc
        except RecursionError as exc:
            raise VaultFileInvalid("vault.json is damaged (nested too deeply).") from exc
        return cls.from_json(data)

    def save(self, path: Path, data_keys: list[bytes]) -> None:
        """Sign with every key given (two during a re-key) and write atomically."""
        self.sign(data_keys)
        atomic_write(Path(path), json.dumps(self.to_json(), indent=2, sort_keys=True).encode(), 0o600)
