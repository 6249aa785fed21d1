"""Backup and restore.

A backup is one file (a zip, stored uncompressed) holding:
  database.sqlcipher  the database file's pages as they are on disk: still a SQLCipher file
                      under the data key (format 3; format 2 re-encrypted it under a backup key)
  vault.json          the key slots at the time of the backup (they open the data key)
  manifest.json       schema version, audit head, SHA-256 of both files, the data key's public
                      id, and an HMAC over all of it under a key derived from the data key
Why the pages are copied as they are, not re-encrypted: docs/security.md, "Backups".
Restore (restore.py) opens the copy, checks hashes, page HMACs, structure and the audit
chain in a temp file first; only then is the live database moved aside (kept, never deleted)
and replaced.
"""

import hashlib
import hmac
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app import __version__
from app.domain.staff import Role
from app.errors import (
    BackupInvalid,
    ConfideError,
    ValidationError,
)
from app.fsutil import fsync_dir
from app.security import audit, crypto, keyslots, sealing
from app.security.keyslots import VaultFile
from app.security.session import Session
from app.services.team import state
from app.storage import bounded_zip, db, migrations, page_copy

# 2: the backup key's AAD covers the whole manifest (1 covered only the vault id and date).
# 3: the pages copied as they are, under the data key; an HMAC over the manifest.
FORMAT = 3
READABLE = (2, 3)
Progress = Callable[[int, str], None]


LAST_BACKUP = "last_backup_at"
MAX_MANIFEST_BYTES = 64 * 1024  # a real manifest is under 1 KB


def _noop(_percent: int, _text: str) -> None:
    pass


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


CHUNK = page_copy.CHUNK


def _stream_sha256(handle) -> str:
    """SHA-256 of a file object read in 1 MiB pieces: a 1.4 GB database never sits in memory."""
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(CHUNK), b""):
        digest.update(block)
    return digest.hexdigest()


def _manifest_aad(manifest: dict) -> bytes:
    """Every manifest field but the wrapped key itself, so that no field can be edited: the
    checksums in it then also vouch for vault.json and the database file."""
    fields = {k: v for k, v in manifest.items() if k != "backup_key"}
    return b"confide-backup:v2:" + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def _manifest_mac(data_key: bytes, manifest: dict) -> str:
    """HMAC-SHA256 of every other manifest field (format 3), under a key derived from the data
    key: no field, and so no checksum of vault.json or of the database, can be edited by
    someone who does not hold the data key."""
    fields = {k: v for k, v in manifest.items() if k != "mac"}
    key = crypto.hkdf(data_key, info=f"confide-backup-mac:v3:{manifest.get('vault_id')}".encode())
    text = b"confide-backup:v3:" + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def last_backup(session: Session) -> str | None:
    """When this computer last made a backup (UTC ISO time), or None. Kept in the local,
    never replicated state: a colleague's backup on another computer does not cover this one.

    May raise: Locked."""
    session.require()
    return state.get(session.conn, LAST_BACKUP)


def create_backup(session: Session, out_path: Path, progress: Progress = _noop) -> dict:
    """Write a backup file atomically. Returns its manifest.

    May raise: Locked, PermissionDenied (the manager's action), DatabaseDamaged (a page fails
    its checksum: nothing is written), DatabaseBusy, OSError.
    """
    session.require(Role.MANAGER)
    out_path = Path(out_path)
    if out_path.is_dir():
        raise ValidationError(f"{out_path} is a folder; give a file name for the backup.", field="out")
    if not out_path.parent.is_dir():
        raise ValidationError(f"The folder {out_path.parent} does not exist.", field="out")
    progress(5, "Recording the backup in the audit trail")
    with db.transaction(session.conn):
        session.audit("backup", "vault", session.vault.vault_id)
        state.put(session.conn, LAST_BACKUP, datetime.now(UTC).isoformat(timespec="seconds"))
    session.save_audit_head()
    manifest = {
        "format": FORMAT,
        "app_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "created_by": session.user.username,
        "vault_id": session.vault.vault_id,
        "key_id": sealing.key_id(session.data_key, session.vault.vault_id),
    }
    progress(15, "Copying the encrypted database")
    _write_zip(out_path, session, manifest)
    progress(100, "Backup complete")
    return manifest


def _write_zip(out_path: Path, session: Session, manifest: dict) -> None:
    """Stream the archive into a temp file beside the target, fsync, then os.replace. The
    database goes in first and is hashed as it is written (one pass over 1.3 GB, not two),
    under the write lock, so no commit lands half-way through the copy; the manifest that
    holds the hash comes last (entries are read by name).

    May raise: DatabaseBusy, DatabaseDamaged (a page fails its checksum), OSError.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    try:
        os.chmod(tmp, 0o600)
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
                digest = hashlib.sha256()
                info = zipfile.ZipInfo("database.sqlcipher", date_time=datetime.now().timetuple()[:6])
                info.compress_type = zipfile.ZIP_STORED
                info.external_attr = 0o600 << 16
                with page_copy.quiescent(session.conn, session.paths.db):
                    # Read under the same lock as the pages, so that they describe this copy.
                    manifest["schema_version"] = migrations.schema_version(session.conn)
                    manifest["audit_head"] = audit.head(session.conn)
                    vault_bytes = session.paths.vault.read_bytes()
                    with archive.open(info, "w", force_zip64=True) as dst:
                        page_size = session.conn.execute("PRAGMA page_size").fetchone()[0]
                        page_copy.stream(session.paths.db, dst.write, digest,
                                         page_copy.PageCheck(session.data_key, page_size))
                manifest["vault_sha256"] = _sha256(vault_bytes)
                manifest["database_sha256"] = digest.hexdigest()
                manifest["mac"] = _manifest_mac(session.data_key, manifest)
                archive.writestr("vault.json", vault_bytes)
                archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(out_path.parent)


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
        # Bounded before anything is read into memory: docs/security.md, "Hostile files".
        bounded_zip.check_directory(path)
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(bounded_zip.read_stored(archive, "manifest.json", MAX_MANIFEST_BYTES))
            vault_bytes = bounded_zip.read_stored(archive, "vault.json", keyslots.MAX_FILE_BYTES)
            with archive.open(bounded_zip.stored_info(archive, "database.sqlcipher")) as handle:
                db_sha256 = _stream_sha256(handle)
    except FileNotFoundError:
        raise BackupInvalid(f"There is no backup file at {path}.") from None
    except (zipfile.BadZipFile, bounded_zip.ZipRefused, KeyError, json.JSONDecodeError, RecursionError,
            OSError) as exc:
        raise BackupInvalid(f"{path.name} is not a Confide backup, or it is damaged ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") not in READABLE:
        raise BackupInvalid(f"{path.name} was made by a version of Confide this copy cannot read.")
    if db_sha256 != manifest.get("database_sha256") or _sha256(vault_bytes) != manifest.get("vault_sha256"):
        raise BackupInvalid(f"{path.name} is damaged: its contents do not match its checksums.")
    try:
        vault = VaultFile.from_json(json.loads(vault_bytes))
    except (json.JSONDecodeError, ConfideError) as exc:
        raise BackupInvalid(f"The key file inside {path.name} is damaged.") from exc
    return BackupContents(manifest, vault, path, vault_bytes)


def restore_backup(data_dir: Path, backup_path: Path, **credentials) -> Path | None:
    """Restore lives in restore.py (restore.restore_backup documents it); callers have always
    found it here. May raise: what restore.restore_backup raises."""
    from app.services.vault.restore import restore_backup as restore

    return restore(data_dir, backup_path, **credentials)
