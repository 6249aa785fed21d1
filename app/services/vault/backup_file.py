"""The backup file itself: its format, its manifest's seal and the checks made on opening it.
Both making a backup (backup.py) and restoring one (restore.py) use these; see backup.py for
what the file holds."""

import hashlib
import hmac
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.errors import BackupInvalid, ConfideError
from app.security import crypto
from app.security.keyslots import VaultFile
from app.storage import page_copy

# 2: the backup key's AAD covers the whole manifest (1 covered only the vault id and date).
# 3: the pages copied as they are, under the data key; an HMAC over the manifest.
FORMAT = 3
READABLE = (2, 3)
Progress = Callable[[int, str], None]


def no_progress(_percent: int, _text: str) -> None:
    pass


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


CHUNK = page_copy.CHUNK


def stream_sha256(handle) -> str:
    """SHA-256 of a file object read in 1 MiB pieces: a 1.4 GB database never sits in memory."""
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(CHUNK), b""):
        digest.update(block)
    return digest.hexdigest()


def manifest_aad(manifest: dict) -> bytes:
    """Every manifest field but the wrapped key itself, so that no field can be edited: the
    checksums in it then also vouch for vault.json and the database file."""
    fields = {k: v for k, v in manifest.items() if k != "backup_key"}
    return b"confide-backup:v2:" + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def manifest_mac(data_key: bytes, manifest: dict) -> str:
    """HMAC-SHA256 of every other manifest field (format 3), under a key derived from the data
    key: no field, and so no checksum of vault.json or of the database, can be edited by
    someone who does not hold the data key."""
    fields = {k: v for k, v in manifest.items() if k != "mac"}
    key = crypto.hkdf(data_key, info=f"confide-backup-mac:v3:{manifest.get('vault_id')}".encode())
    text = b"confide-backup:v3:" + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


@dataclass
class BackupContents:
    manifest: dict
    vault: VaultFile
    path: Path
    vault_bytes: bytes

    @property
    def db_bytes(self) -> bytes:
        """The whole database entry (tests only: restore streams it instead)."""
        with zipfile.ZipFile(self.path) as archive:
            return archive.read("database.sqlcipher")

    def extract_database(self, target: Path) -> None:
        with zipfile.ZipFile(self.path) as archive, archive.open("database.sqlcipher") as src, \
                open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)


def read_backup(path: Path) -> BackupContents:
    """Open a backup file and check its hashes. May raise: BackupInvalid."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            vault_bytes = archive.read("vault.json")
            with archive.open("database.sqlcipher") as handle:
                db_sha256 = stream_sha256(handle)
    except FileNotFoundError:
        raise BackupInvalid(f"There is no backup file at {path}.") from None
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, OSError) as exc:
        raise BackupInvalid(f"{path.name} is not a Confide backup, or it is damaged ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") not in READABLE:
        raise BackupInvalid(f"{path.name} was made by a version of Confide this copy cannot read.")
    if db_sha256 != manifest.get("database_sha256") or sha256_hex(vault_bytes) != manifest.get("vault_sha256"):
        raise BackupInvalid(f"{path.name} is damaged: its contents do not match its checksums.")
    try:
        vault = VaultFile.from_json(json.loads(vault_bytes))
    except (json.JSONDecodeError, ConfideError) as exc:
        raise BackupInvalid(f"The key file inside {path.name} is damaged.") from exc
    return BackupContents(manifest, vault, path, vault_bytes)
