"""A format-2 backup, made the way Confide made them before format 3 (that release's code,
kept here so that restoring an old backup stays tested; no key material is stored: each
test makes its own from a fresh vault)."""

import hashlib
import json
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from app import __version__
from app.security import audit, crypto, keyslots
from app.security.session import Session
from app.services.vault.backup_file import manifest_aad as _manifest_aad
from app.storage import export, migrations


def make_format2_backup(session: Session, out: Path) -> dict:
    """The database re-encrypted under a random backup key, that key wrapped with the data key
    (AES-256-GCM, the manifest as associated data). Returns the manifest."""
    backup_key = crypto.random_key()
    with tempfile.TemporaryDirectory(dir=session.paths.data_dir, prefix=".backup-") as tmp:
        copy = Path(tmp) / "database.sqlcipher"
        export.export_copy(session.conn, copy, backup_key)
        vault_bytes = session.paths.vault.read_bytes()
        database = copy.read_bytes()
    manifest = {
        "format": 2,
        "app_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "created_by": session.user.username,
        "vault_id": session.vault.vault_id,
        "schema_version": migrations.schema_version(session.conn),
        "audit_head": audit.head(session.conn),
        "vault_sha256": hashlib.sha256(vault_bytes).hexdigest(),
        "database_sha256": hashlib.sha256(database).hexdigest(),
    }
    nonce, wrapped = crypto.seal(session.data_key, backup_key, _manifest_aad(manifest))
    manifest["backup_key"] = {"nonce": keyslots._b64(nonce), "wrapped": keyslots._b64(wrapped)}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("database.sqlcipher", database)
        archive.writestr("vault.json", vault_bytes)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
    return manifest
