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
import json
import os
import tempfile
import zipfile
from pathlib import Path

from app import __version__, clock
from app.domain.role_matrix import Scope, grants
from app.errors import (
    ValidationError,
)
from app.fsutil import fsync_dir
from app.security import audit, sealing
from app.security.session import Session
from app.services.vault.backup_file import (  # noqa: F401  (FORMAT: the format this copy writes)
    FORMAT,
    Progress,
    manifest_mac,
    no_progress,
    sha256_hex,
)
from app.storage import db, local_state, migrations, page_copy

LAST_BACKUP = "last_backup_at"


@grants(Scope.ANY, "when this computer last made a backup: no family's records")
def last_backup(session: Session) -> str | None:
    """When this computer last made a backup (UTC ISO time), or None. Kept in the local,
    never replicated state: a colleague's backup on another computer does not cover this one.

    May raise: Locked."""
    return local_state.get(session.conn, LAST_BACKUP)


@grants(Scope.MANAGER, "the manager's action")
def create_backup(session: Session, out_path: Path, progress: Progress = no_progress) -> dict:
    """Write a backup file atomically. Returns its manifest.

    May raise: Locked, PermissionDenied (the manager's action), DatabaseDamaged (a page fails
    its checksum: nothing is written), DatabaseBusy, OSError.
    """
    out_path = Path(out_path)
    if out_path.is_dir():
        raise ValidationError(f"{out_path} is a folder; give a file name for the backup.", field="out")
    if not out_path.parent.is_dir():
        raise ValidationError(f"The folder {out_path.parent} does not exist.", field="out")
    progress(5, "Recording the backup in the audit trail")
    with db.transaction(session.conn):
        session.audit("backup", "vault", session.vault.vault_id)
        local_state.put(session.conn, LAST_BACKUP, clock.stamp())
    session.save_audit_head()
    manifest = {
        "format": FORMAT,
        "app_version": __version__,
        "created_at": clock.stamp(),
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
                info = zipfile.ZipInfo("database.sqlcipher", date_time=clock.now().timetuple()[:6])
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
                manifest["vault_sha256"] = sha256_hex(vault_bytes)
                manifest["database_sha256"] = digest.hexdigest()
                manifest["mac"] = manifest_mac(session.data_key, manifest)
                archive.writestr("vault.json", vault_bytes)
                archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(out_path.parent)
