"""Changes stranded on a computer removed from the team (docs/sync.md §14, "A removed
computer"): counted for its banner, exported encrypted and signed, and reviewed and imported
by a manager's computer as its own edits.

A removed computer cannot push (the hub refuses it, and it holds no key to the new epoch),
and from the moment it learns it was removed it records nothing new (schema 17's trigger).
What it had recorded and not pushed is not lost: `export_pending` writes those changes, sealed
under the newest team key it holds (a manager's computer holds every epoch's key) and signed
with its device key (every computer knows its public key, revoked or not). `review_pending`
lists each change against the manager's replica; `import_pending` writes the ones that still
fit, captured as that computer's own edits so they reach the team at its next sync, and says
which it left out and why. Nothing is imported that the team changed in the meantime.
"""

import zlib
from dataclasses import dataclass, field
from pathlib import Path

from app import clock
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.errors import ValidationError
from app.fsutil import atomic_write
from app.security import crypto
from app.services.team import bundle, capture, device_keys, keys, state
from app.services.team.laptop.replica import is_laptop
from app.storage import migrations
from app.storage.capture import primary_key
from app.storage.db import transaction

MAGIC = b"CFP1"
# Bookkeeping a sign-in writes, not a record anyone made: never counted or exported.
SIGN_IN_ONLY = {"staff": frozenset({"last_unlock_at", "updated_at", "updated_by", "version"})}
MAX_FILE = 256 * 1024 * 1024
EXPORTED = "pending_exported"
IMPORTED = "pending_imported"


@dataclass(frozen=True)
class Stranded:
    removed: bool
    changes: int        # rows changed here that never reached the hub

    def banner(self) -> str | None:
        """The line the window shows, or None when this computer is in the team."""
        if not self.removed:
            return None
        if not self.changes:
            return ("This computer was removed from the team: nothing new can be recorded on it. "
                    "Every change made here reached the team.")
        return (f"This computer was removed from the team: nothing new can be recorded on it, and "
                f"{self.changes} change{'s' if self.changes != 1 else ''} made here did not reach the team. "
                "Save them with `confide pending export` and give the file to your manager.")


def removed(conn) -> bool:
    """Whether this computer knows it was removed from its team."""
    if not state.in_team(conn):
        return False
    me = state.device(conn, state.get(conn, "device_id"))
    return me is not None and me.revoked_seq is not None


def _made_here(conn, by: str) -> list[capture.Change]:
    """The unpushed changes people made here (a sign-in's own bookkeeping left out)."""
    out = []
    for ch in capture.collect(conn, by):
        quiet = SIGN_IN_ONLY.get(ch.table)
        if quiet and ch.before is not None and ch.after is not None and \
                all(k in quiet for k in ch.after if ch.after.get(k) != ch.before.get(k)):
            continue
        out.append(ch)
    return out


@grants(Scope.ANY, "counts only")
def stranded(session) -> Stranded:
    """May raise: Locked."""
    session.require()
    conn = session.conn
    return Stranded(True, len(_made_here(conn, session.user.username))) if removed(conn) else Stranded(False, 0)


@grants(Scope.CASEWORK, "this computer's own unpushed changes, sealed under the team key")
def export_pending(session, out: Path) -> int:
    """Write this computer's unpushed changes to `out`, encrypted and signed. Returns how many
    rows it holds. May raise: PermissionDenied, NotInTeam, ValidationError, OSError."""
    session.require(Role.MANAGER, Role.CASEWORKER)
    conn = session.conn
    state.require_team(conn)
    changes = _made_here(conn, session.user.username)
    if not changes:
        raise ValidationError("Nothing made on this computer is waiting to reach the team: there is nothing "
                              "to export.")
    epoch, key = state.current_epoch(conn)
    header = {"kind": "pending", "team": state.get(conn, "team_id"), "device": state.get(conn, "device_id"),
              "epoch": epoch, "schema": migrations.CURRENT_VERSION, "rows": len(changes),
              "at": clock.stamp(), "by": session.user.username}
    sealed = bundle.seal(header, {"changes": [c.as_wire() for c in changes]}, key, device_keys.sign_priv(conn))
    atomic_write(Path(out), MAGIC + sealed[len(bundle.MAGIC):])
    with transaction(conn):
        session.audit(EXPORTED, "device", header["device"], {"rows": len(changes)})
    return len(changes)


@dataclass(frozen=True)
class Item:
    table: str
    record_id: str
    action: str                 # new | changed | deleted
    fields: tuple[str, ...]     # what the change sets
    outcome: str                # imports | already here | left out: <why>
    change: dict = field(repr=False, compare=False, default_factory=dict)

    def line(self) -> str:
        what = f" ({', '.join(self.fields)})" if self.fields and self.action == "changed" else ""
        return f"{self.action} {self.table.replace('_', ' ')} {self.record_id}{what}: {self.outcome}"


@dataclass(frozen=True)
class Review:
    device: str
    written_at: str
    written_by: str
    items: list[Item]

    @property
    def importable(self) -> int:
        return sum(1 for i in self.items if i.outcome == "imports")

    @property
    def left_out(self) -> list[Item]:
        return [i for i in self.items if i.outcome.startswith("left out")]


def _open(conn, path: Path) -> tuple[dict, list[dict], str]:
    refused = ValidationError(f"{Path(path).name} is not a file of stranded changes from a computer of this "
                              "team, or it was altered.", field="file")
    try:
        if Path(path).stat().st_size > MAX_FILE:
            raise refused
        payload = Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path} cannot be read ({exc.strerror}).", field="file") from exc
    try:
        p = bundle.parse(payload, 0, magic=MAGIC)
    except bundle.BundleRefused as exc:
        raise refused from exc
    h = p.header
    dev = state.device(conn, str(h.get("device")))
    if h.get("kind") != "pending" or h.get("team") != state.get(conn, "team_id") or dev is None or \
            not keys.verify(dev.sign_pub, p.signature, p.header_bytes + p.nonce + p.ciphertext):
        raise refused
    if int(h.get("schema", 0)) > migrations.CURRENT_VERSION:
        raise ValidationError("The file was written by a newer version of Confide: update Confide on this "
                              "computer first.", field="file")
    key = state.epoch_key(conn, int(h.get("epoch", 0)))
    if key is None:
        raise ValidationError("The file is locked with a team key this computer does not have.", field="file")
    try:
        body = bundle.open_body(key, p, 0)
    except (bundle.BundleRefused, crypto.DecryptionFailed, zlib.error, ValueError) as exc:
        raise refused from exc
    return h, list(body.get("changes") or []), dev.name


def _outcome(conn, ch: capture.Change) -> tuple[str, str, tuple[str, ...], dict | None]:
    """(action, outcome, fields, the row to write)."""
    now = capture.current_image(conn, ch.table, ch.key)
    if ch.before is None:
        action, fields = "new", ()
    elif ch.after is None:
        action, fields = "deleted", ()
    else:
        action = "changed"
        fields = tuple(sorted(k for k in ch.after if ch.after.get(k) != ch.before.get(k)
                              and k not in ("version", "updated_at", "updated_by")))
    if now == ch.after:
        return action, "already here", fields, None
    if action == "new":
        if now is not None:
            return action, "left out: a record with this id is already here, different", fields, None
        twin = capture.unique_twin(conn, ch.table, ch.key, ch.after)
        if twin is not None:
            theirs = capture.current_image(conn, ch.table, twin) or {}
            pk = set(primary_key(conn, ch.table))
            same = {k: v for k, v in theirs.items() if k not in pk} == {k: v for k, v in ch.after.items() if k not in pk}
            return (action, "already here" if same else "left out: the team recorded another in its place since",
                    fields, None)
        return action, "imports", fields, ch.after
    if now is None:
        return action, "left out: the team has deleted this record", fields, None
    if action == "deleted":
        return (action, "imports", fields, None) if now == ch.before else \
            (action, "left out: the team changed this record since", fields, None)
    clash = [k for k in fields if now.get(k) != ch.before.get(k)]
    if clash:
        return action, f"left out: the team changed {', '.join(clash)} since", fields, None
    row = {**now, **{k: ch.after[k] for k in fields}}
    row.update(version=int(now.get("version") or 0) + 1, updated_at=ch.after.get("updated_at"),
               updated_by=ch.after.get("updated_by"))
    return action, "imports", fields, row


def _require_manager_office(session) -> None:
    session.require(Role.MANAGER)
    state.require_team(session.conn)
    if is_laptop(session.conn) or removed(session.conn):
        raise ValidationError("Stranded changes are imported on a manager's office computer of the team.")


@grants(Scope.MANAGER)
def review_pending(session, path: Path) -> Review:
    """What importing `path` would do, change by change. May raise: PermissionDenied,
    NotInTeam, ValidationError."""
    _require_manager_office(session)
    conn = session.conn
    h, wires, name = _open(conn, path)
    tables = set(capture.replicated_set(conn))
    items = []
    for w in wires:
        ch = capture.Change.from_wire(w)
        if ch.table not in tables:
            items.append(Item(ch.table, str(ch.key[0]), "changed", (), "left out: this computer has no such table"))
            continue
        action, outcome, fields, _ = _outcome(conn, ch)
        items.append(Item(ch.table, str(ch.key[0]), action, fields, outcome, w))
    return Review(name, str(h.get("at")), str(h.get("by")), items)


@grants(Scope.MANAGER)
def import_pending(session, path: Path) -> Review:
    """Write every change of `path` that still fits, as this computer's own edits (captured:
    they reach the team at its next sync), in one transaction; report each. May raise:
    PermissionDenied, NotInTeam, ValidationError."""
    review = review_pending(session, path)
    conn = session.conn
    with transaction(conn):
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for item in review.items:
            if item.outcome != "imports":
                continue
            ch = capture.Change.from_wire(item.change)
            _, _, _, row = _outcome(conn, ch)
            capture.write_image(conn, ch.table, ch.key, row)
        if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise ValidationError("Some of these changes name records that are no longer here (the team deleted "
                                  "them, or a change they rest on was left out); nothing was imported.")
        session.audit(IMPORTED, "device", None, {"from": review.device, "rows": review.importable,
                                                 "left_out": len(review.left_out)})
    return review
