"""`confide verify`: page HMACs, structure, vault.json's authenticity and generation, the
append-only triggers, and the audit chain against every head recorded outside the database
(vault.json, a backup's manifest, checkpoints the manager printed).

It only reads: a check that wrote to the file it checks could hide or worsen damage.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import ConfideError, DatabaseDamaged, ValidationError
from app.security import audit
from app.services.team import audit_hub, membership
from app.services.team import state as team_state
from app.services.vault.backup_file import read_backup
from app.services.vault.unlock import check_credentials
from app.storage import db, keying, migrations
from app.storage.hub.location import open_hub

MAX_PROBLEM_LINES = 20


@dataclass
class VerifyReport:
    ok: bool
    lines: list[str] = field(default_factory=list)


def verify_vault(data_dir: Path, username: str, passphrase: str,
                 device_key_file: str | Path | None = None,
                 progress: Callable[[int, str], None] | None = None,
                 against: Path | None = None, checkpoints: list[str] | None = None) -> VerifyReport:
    """May raise: what check_credentials raises, ValidationError (a checkpoint that does not
    parse), BackupInvalid (`against` is not a readable backup); damage is reported in the
    result, not raised."""
    given = []
    for text in checkpoints or []:
        try:
            given.append((audit.parse_checkpoint(text), f"the checkpoint {text.strip()[:16]}..."))
        except ValueError as exc:
            raise ValidationError(str(exc), field="checkpoint") from None
    if against is not None:
        manifest = read_backup(Path(against)).manifest
        given.append((audit.read_head_or_zero(manifest.get("audit_head")), f"the backup {Path(against).name}"))
    creds = check_credentials(data_dir, username, passphrase, device_key_file)
    lines: list[str] = []
    try:
        conn, data_key = db.open_with_any(creds.paths.db, creds.keys_in_order())
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
            progress(60, "Checking the key file and the audit trail")
        ok = _check_keys(conn, creds.vault, data_key, lines) and ok
        try:
            ok = _check_audit(conn, creds.vault, given, lines) and ok
            ok = _check_team_audit(conn, creds.vault, creds.device_secret, lines) and ok
        except db.DatabaseError as exc:
            ok = False
            lines.append(f"Audit trail unreadable: {exc}")
    finally:
        conn.close()
    return VerifyReport(ok, lines)


def _check_keys(conn, vault, data_key: bytes, lines: list[str]) -> bool:
    if migrations.schema_version(conn) < 7:
        lines.append("vault.json: not yet checked (the database is upgraded at the next unlock)")
        return True
    try:
        keying.check_file(conn, vault, data_key)
    except ConfideError as exc:
        lines.append(f"vault.json refused: {exc.message}")
        return False
    note = " (a re-key is under way; the next unlock finishes it)" if vault.pending_key_id else ""
    lines.append(f"vault.json: authentic, key generation {vault.generation}{note}")
    return True


def _check_audit(conn, vault, given: list[tuple[dict, str]], lines: list[str]) -> bool:
    ok = True
    triggers = audit.trigger_problems(conn)
    if triggers:
        ok = False
        lines += [f"Audit trail unprotected: {p}" for p in triggers]
    else:
        lines.append("Append-only triggers: exactly the shipped ones")
    chain = audit.verify(conn, vault.audit_head)
    ok = ok and chain.ok
    lines.append(chain.message if chain.ok else f"Audit trail broken: {chain.message}")
    # Found at an earlier unlock, whose new head then replaced the one in vault.json.
    earlier = audit.recorded_mismatches(conn)
    ok = ok and not earlier
    lines += [f"Audit trail incomplete: {line}" for line in earlier]
    for checkpoint, source in given:
        problem = audit.compare_checkpoint(conn, checkpoint, source)
        if problem:
            ok = False
            lines.append(f"Audit trail rewritten: {problem}")
        else:
            lines.append(f"Matches {source} (event {checkpoint['seq']})")
    return ok


def _check_team_audit(conn, vault, device_secret: bytes, lines: list[str]) -> bool:
    """On a team computer: its trail against the hub's copy and every other computer's
    chain (docs/sync.md §9), so a rewrite on one computer is reported on all of them."""
    if not team_state.in_team(conn):
        return True
    hub, unreachable = None, ""
    try:
        hub = open_hub(membership.location_of(conn, vault, device_secret), team_state.require_team(conn))
    except ConfideError as exc:
        unreachable = exc.message
    try:
        report = audit_hub.verify_team(conn, hub, unreachable)
    except ConfideError as exc:
        report = audit_hub.verify_team(conn, None, exc.message)
    finally:
        if hub is not None:
            hub.close()
    lines += report.lines
    return report.ok
