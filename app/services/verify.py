"""`confide verify`: page HMACs, structure, and the audit chain against the recorded head.

It only reads: a check that wrote to the file it checks could hide or worsen damage.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import DatabaseDamaged
from app.security import audit
from app.services.vault import unwrap_key
from app.storage import db, migrations


@dataclass
class VerifyReport:
    ok: bool
    lines: list[str] = field(default_factory=list)


def verify_vault(data_dir: Path, username: str, passphrase: str,
                 device_key_file: str | Path | None = None,
                 progress: Callable[[int, str], None] | None = None) -> VerifyReport:
    """May raise: what unwrap_key raises; damage is reported in the result, not raised."""
    paths, vault, _store, _secret, _slot, data_key = unwrap_key(data_dir, username, passphrase,
                                                                 device_key_file)
    lines: list[str] = []
    try:
        conn = db.open_database(paths.db, data_key)
    except DatabaseDamaged as exc:
        return VerifyReport(False, [exc.message])
    try:
        lines.append(f"SQLCipher {db.cipher_version(conn)}")
        try:
            lines.append(f"Schema version {migrations.schema_version(conn)} "
                         f"(this copy of Confide: {migrations.CURRENT_VERSION})")
        except db.DatabaseError as exc:
            lines.append(f"Schema version unreadable: {exc}")
        if progress:
            progress(10, "Checking every page")
        problems = db.integrity_problems(conn)
        ok = not problems
        if problems:
            lines += [f"Database damaged: {p}" for p in problems[:20]]
        else:
            lines.append("Database pages (HMAC) and structure: ok")
        if progress:
            progress(70, "Checking the audit trail")
        try:
            chain = audit.verify(conn, vault.audit_head)
            ok = ok and chain.ok
            lines.append(chain.message if chain.ok else f"Audit trail broken: {chain.message}")
        except db.DatabaseError as exc:
            ok = False
            lines.append(f"Audit trail unreadable: {exc}")
    finally:
        conn.close()
    return VerifyReport(ok, lines)
