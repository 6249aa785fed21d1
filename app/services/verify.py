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

MAX_PROBLEM_LINES = 20


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
        # SQLite reports a whole damaged tree as one multi-line row: split it so the cap holds.
        problems = [line for p in db.integrity_problems(conn) for line in p.splitlines()
                    if line.strip() and not line.startswith("*** in database")]
        ok = not problems
        if problems:
            lines += [f"Database damaged: {p}" for p in problems[:MAX_PROBLEM_LINES]]
            if len(problems) > MAX_PROBLEM_LINES:
                lines.append(f"... and {len(problems) - MAX_PROBLEM_LINES} more damaged places.")
        else:
            lines.append("Database pages (HMAC) and structure: ok")
        if progress:
            progress(70, "Checking the audit trail")
        try:
            chain = audit.verify(conn, vault.audit_head)
            ok = ok and chain.ok
            lines.append(chain.message if chain.ok else f"Audit trail broken: {chain.message}")
            # Found at an earlier unlock, whose new head then replaced the one in vault.json.
            earlier = audit.recorded_mismatches(conn)
            ok = ok and not earlier
            lines += [f"Audit trail incomplete: {line}" for line in earlier]
        except db.DatabaseError as exc:
            ok = False
            lines.append(f"Audit trail unreadable: {exc}")
    finally:
        conn.close()
    return VerifyReport(ok, lines)
