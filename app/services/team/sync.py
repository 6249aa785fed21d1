"""Sync = pull, rebase, push (docs/sync.md §8).

Pull applies every unseen hub entry in order, one transaction per entry, so a kill -9
anywhere leaves a state that syncs on. Push appends at head + 1 and, when another computer
got there first, pulls again and retries.
"""

from dataclasses import dataclass, field

from app import clock, faults
from app.domain.role_matrix import Scope, grants
from app.errors import ConfideError
from app.security import audit as audit_log
from app.services.lifecycle import erase_set
from app.services.team import apply as applier
from app.services.team import (
    audit_chain,
    blocks,
    bundle,
    capture,
    control,
    copies,
    device_keys,
    erasure_warrant,
    key_conflicts,
    snapshot,
    state,
)
from app.services.team.capture import Change
from app.services.team.laptop import office as laptop_office
from app.services.team.laptop import replica as laptop_replica
from app.services.team.laptop import sync_step as laptop_step
from app.services.team.merge import decide as merge_rule
from app.services.team.merge import sets as merge_sets
from app.storage import migrations
from app.storage.capture import schema_pass
from app.storage.db import IntegrityError, transaction
from app.storage.hub.base import COMPACTED, DAMAGED, MISSING, Hub, HubEntry, HubError, SequenceTaken

PUSH_ATTEMPTS = 8
# One bundle carries about this many bytes of row images at most (docs/sync.md §8.3): a 50 MB
# document reaches the hub as a run of bounded pieces, never as one entry.
PIECE_BYTES = 4 * 1024 * 1024
AUDIT_COLUMNS = ("seq", "id", "at", "actor", "action", "object_type", "object_id", "detail",
                 "prev_hash", "hash")


class SyncBlocked(ConfideError):
    """An entry this computer cannot read yet (newer schema, missing key): nothing after it
    is applied until the cause is fixed."""


@dataclass
class SyncResult:
    pulled: int = 0
    pushed: int = 0
    conflicts: int = 0
    refused: list[str] = field(default_factory=list)     # passed over by a manager's void; rows a laptop could not write
    blocked: str | None = None     # why sync stopped before an entry (docs/sync.md §4), in words
    others_stopped: list[str] = field(default_factory=list)   # stopped at an entry we wrote
    # Another computer's audit events that do not follow its earlier ones (audit_chain.py).
    audit_breaks: list[str] = field(default_factory=list)
    # Said to the person, nothing to decide: whose passphrase choice gave way (key_conflicts.py).
    notices: list[str] = field(default_factory=list)


def utc_now() -> str:
    return clock.stamp()


# --- pull -------------------------------------------------------------------------------

def pull(conn, hub: Hub) -> SyncResult:
    """Apply every entry after the last one applied. An entry that cannot be applied stops
    the pull there (docs/sync.md §4): never passed over unless a manager voided it.

    May raise: EntryBlocked (recorded, to be published), SyncBlocked, HubError."""
    state.require_team(conn)
    result = SyncResult()
    with schema_pass():
        _check_where_we_stand(conn, hub)
        for entry in hub.read_after(state.last_applied(conn)):
            if entry.seq != state.last_applied(conn) + 1:
                break
            if entry.kind == COMPACTED:
                # Dropped by compaction before this computer read it: start again from the
                # snapshot that covers it (what is not pushed yet is kept), then read on.
                try:
                    snapshot.restart_after_compaction(conn, hub, entry.seq)
                except bundle.BundleRefused as exc:
                    raise SyncBlocked(exc.message) from exc
                again = pull(conn, hub)
                again.pulled += result.pulled
                again.refused[:0] = result.refused
                again.conflicts += result.conflicts
                again.audit_breaks[:0] = result.audit_breaks
                return again
            if entry.kind in (DAMAGED, MISSING):
                refusal = (f"Hub entry {entry.seq} is damaged: its bytes are not the ones written."
                           if entry.kind == DAMAGED else f"Hub entry {entry.seq} is missing from the hub.")
            else:
                refusal = _apply_entry(conn, entry, result)
            if refusal is not None:
                voided = blocks.look_ahead(conn, hub, entry.seq)
                if voided is None:
                    raise blocks.EntryBlocked(blocks.record(conn, entry.seq, entry.device_id, refusal),
                                              entry.seq)
                blocks.skip_voided(conn, entry, f"{voided} (refused here: {refusal})")
                result.refused.append(voided)
            result.pulled += 1
    blocks.clear(conn)
    _abandon_in_flight_if_absent(conn)
    return result


def _check_where_we_stand(conn, hub: Hub) -> None:
    """The hub must still hold the entry this computer applied last, as it applied it: a
    hub folder or server put back from an older copy is found here, before anything is
    read or appended (docs/sync.md §15). May raise: EntryBlocked."""
    last = state.last_applied(conn)
    mine = copies.get(conn, last) if last else None
    if mine is None:
        return
    there = next(iter(hub.read_after(last - 1, limit=1)), None)
    if there is None or there.seq != last or there.kind == MISSING:
        reason = (f"The hub has gone back to an older copy: it ends before entry {last}, which this "
                  "computer applied.")
    elif there.kind == DAMAGED:
        reason = "The hub's copy of this entry, which this computer applied, is damaged."
    elif there.kind != COMPACTED and copies.digest(there.payload) != mine.sha256:
        reason = ("The hub holds a different entry at this number than the one this computer applied: "
                  "the hub was put back from an older copy and written to since, or the entry was "
                  "replaced.")
    else:
        return
    raise blocks.EntryBlocked(blocks.record(conn, last, mine.device_id, reason), last)


def _apply_entry(conn, entry: HubEntry, result: SyncResult) -> str | None:
    """Apply one entry in one transaction. Returns why it cannot be applied (nothing was
    changed then), or None. May raise: SyncBlocked (this computer cannot read it yet)."""
    with transaction(conn):
        state.set_capture(conn, False)
        conn.execute("SAVEPOINT entry")
        try:
            if entry.kind == "control":
                body = control.check(conn, entry.payload, entry.seq, entry.device_id)
                control.apply(conn, body, entry.seq)
            elif entry.kind == "bundle":
                _apply_bundle(conn, entry, result)
            else:
                raise bundle.BundleRefused(f"Hub entry {entry.seq} is of an unknown kind and was not "
                                           "applied.")
        except bundle.BundleRefused as exc:
            if not exc.deterministic:
                raise SyncBlocked(_removed_message(conn) or exc.message) from exc
            conn.execute("ROLLBACK TO entry")
            reason = exc.message
        except (applier.Unappliable, IntegrityError) as exc:
            # A row this computer cannot write (docs/sync.md §8.2, §11): never passed over, or
            # this replica would part from the others for good. Nothing of the entry is kept.
            raise SyncBlocked(_unappliable_message(conn, entry, exc)) from exc
        else:
            reason = None
        faults.point("pull.entry")
        conn.execute("RELEASE entry")
        if reason is None:
            copies.keep(conn, entry.seq, entry.device_id, entry.kind, entry.payload,
                        own=entry.device_id == state.get(conn, "device_id"), created_at=entry.created_at)
            state.put(conn, "last_applied_seq", entry.seq)
        state.set_capture(conn, True)
    return reason


def _unappliable_message(conn, entry: HubEntry, exc: Exception) -> str:
    sender = state.device(conn, entry.device_id)
    who = f"computer '{sender.name}'" if sender else "another computer"
    if isinstance(exc, applier.Unappliable):
        who += f" ({exc.by})" if exc.by else ""
        why = exc.message
    else:
        why = "a record in it does not fit the records here"
    return (f"Change bundle {entry.seq} from {who} could not be applied on this computer: {why}. "
            "Nothing after it is applied until this is sorted out; ask your manager.")


def _removed_message(conn) -> str | None:
    """A computer removed from the team meets a key it was not given: say why, plainly."""
    me = state.device(conn, state.get(conn, "device_id"))
    if me is not None and me.revoked_seq is not None:
        return ("This computer was removed from the team: it cannot read what the team writes now, "
                "and the hub refuses its changes. Ask your manager.")
    return None


def _apply_bundle(conn, entry: HubEntry, result: SyncResult) -> None:
    me = state.get(conn, "device_id")
    in_flight = state.get(conn, "in_flight")
    if entry.device_id == me and in_flight and in_flight["hash"] == bundle.bundle_hash(entry.payload):
        _finalise_push(conn, in_flight, entry.seq)
        return
    exp = bundle.Expectation(entry.seq, entry.device_id, state.get(conn, "team_id"),
                             migrations.CURRENT_VERSION, state.device(conn, entry.device_id),
                             lambda epoch: state.epoch_key(conn, epoch), control.latest_epoch(conn))
    header, body = bundle.open_bundle(entry.payload, exp)
    erasure_warrant.check(conn, body, entry.seq)      # an erasure only under a manager's signature
    laptop_replica.receive_packages(conn, body, entry)       # check-out rows for this laptop, if any
    origin = {"device": entry.device_id, "seq": entry.seq}
    touched, renamed = set(), set()
    pending, held = capture.pending_keys(conn), _held_rows(conn)
    run_table, run = None, []
    written: dict[tuple[str, str], dict] = {}
    wires = laptop_replica.select_changes(conn, body.get("changes", []), entry.seq)
    contested = merge_sets.contested(conn, wires, pending, held)
    erased_here = erase_set.pending_erasures(conn)      # erased here, not yet on the hub
    erasures: dict[str, list[list]] = {}                # rows nobody here touched: deleted in bulk
    erased: list[tuple[str, list]] = []
    for wire in wires:
        change = Change.from_wire(wire)
        kj = applier.key_json(change.key)
        if applier.is_erasure(change):
            erased.append((change.table, change.key))
        if applier.is_erasure(change) and (change.table, kj) not in pending and (change.table, kj) not in held:
            erasures.setdefault(change.table, []).append(change.key)
            if len(change.key) == 1:
                touched.add((change.table, change.key[0]))
            continue
        if erased_here and not applier.is_erasure(change) and \
                erase_set.meets_erased(conn, change.table, change.key, change.after, erased_here):
            # The erasure made here wins: the row stays out, and the erasure will carry it.
            result.conflicts += _flush(conn, run_table, run, origin, pending)
            run_table, run = None, []
            erase_set.erase_on_arrival(conn, change.table, change.key, change.after, erased_here)
            pending.discard((change.table, kj))
            continue
        group = contested.get((change.table, merge_sets.parent_key_json(conn, change)), None) if contested else None
        if group is not None:
            # A set this computer changed too: merged as one field, where its first change stands.
            result.conflicts += _flush(conn, run_table, run, origin, pending)
            run_table, run = None, []
            if not group.applied:
                group.applied = True
                if applier.apply_set(conn, group, origin):
                    result.conflicts += 1
                    held.add(group.held_key)
            continue
        if change.after is not None and (change.table, kj) not in pending and (change.table, kj) not in held:
            # The common case, rows nobody here touched: written in batches, in order. Their
            # search entries change only if the edit changed what the index is made from.
            if len(change.key) == 1:
                written[(change.table, change.key[0])] = change.after
                if applier.changes_search(change):
                    touched.add((change.table, change.key[0]))
                if applier.changes_case_titles(change):
                    renamed.add(change.key[0])
            if change.table != run_table:
                result.conflicts += _flush(conn, run_table, run, origin, pending)
                run_table, run = change.table, []
            run.append(change)
            continue
        result.conflicts += _flush(conn, run_table, run, origin, pending)
        run_table, run = None, []
        if len(change.key) == 1:
            written.pop((change.table, change.key[0]), None)   # merged or held: read it back
            touched.add((change.table, change.key[0]))
            renamed.add(change.key[0])
        if applier.apply_change(conn, change, origin, pending, held):
            result.conflicts += 1
            held.add((change.table, kj))
            pending.discard((change.table, kj))
    result.conflicts += _flush(conn, run_table, run, origin, pending)
    applier.erase_rows(conn, erasures)
    if erased:
        # What was made here on an erased record and not yet pushed goes too (docs/lifecycle.md).
        erase_set.cascade_local(conn, erased)
    broken = audit_chain.receive(conn, entry.device_id, body.get("audit", []), entry.seq)
    if broken is not None:
        result.audit_breaks.append(broken)
    applier.reindex(conn, touched, written, renamed)
    state.advance_device(conn, entry.device_id, int(header["dseq"]),
                         bundle.bundle_hash(entry.payload), entry.seq)


def _flush(conn, table: str | None, run: list[Change], origin: dict, pending: set) -> int:
    """Write a run of remote rows; row by row only if one of them collides (see write_remote)."""
    if not run:
        return 0
    conn.execute("SAVEPOINT run")
    try:
        capture.write_changes(conn, table, run)
    except IntegrityError:
        conn.execute("ROLLBACK TO run")
        conn.execute("RELEASE run")
        return sum(applier.write_remote(conn, c, origin, pending) for c in run)
    conn.execute("RELEASE run")
    return 0


# --- push -------------------------------------------------------------------------------

def _held_rows(conn) -> set[tuple[str, str]]:
    return {(r[0], r[1]) for r in conn.execute(
        "SELECT tbl, pk FROM sync_conflict WHERE resolved_at IS NULL")}


def build(conn, by: str) -> tuple[bytes, dict] | None:
    """Seal this computer's pending changes and unpushed audit events, or None if there are none."""
    held = merge_sets.held_rows(conn, capture.pending_keys(conn), _held_rows(conn))
    cut = capture.cutoff(conn, held, PIECE_BYTES)
    changes = [c for c in capture.collect(conn, by, cut) if (c.table, applier.key_json(c.key)) not in held]
    pushed_audit = int(state.get(conn, "audit_pushed_seq", 0))
    cursor = conn.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_event WHERE seq > ? ORDER BY seq",
                          (pushed_audit,))
    events = [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in cursor]
    rows = [r for r in capture.pending_rows(conn) if (r[0], r[1]) not in held and (cut is None or r[2] < cut)]
    upto = conn.execute("SELECT coalesce(max(seq), 0) FROM sync_outbox").fetchone()[0]
    pieces, sent = laptop_office.next_pieces(conn, PIECE_BYTES)
    if not changes and not events and not rows and not pieces:
        return None
    me = state.device(conn, state.get(conn, "device_id"))
    epoch, key = state.current_epoch(conn)
    if epoch < control.latest_epoch(conn):
        # Every computer refuses a bundle under a replaced team key (docs/sync.md §5).
        raise SyncBlocked(_removed_message(conn) or "The team key changed and this computer has not got "
                          "the new one yet: a member of staff with a key to it must sign in here. Your "
                          "changes wait.")
    header = {"team": state.get(conn, "team_id"), "device": me.device_id, "dseq": me.last_dseq + 1,
              "prev": me.last_hash, "schema": migrations.CURRENT_VERSION, "merge": merge_rule.RULES_VERSION, "epoch": epoch,
              "base": state.last_applied(conn), "at": utc_now()}
    content = {"changes": [c.as_wire() for c in changes], "audit": events}
    warrants = erasure_warrant.for_changes(conn, content["changes"])
    if warrants:
        content["erasures"] = warrants          # docs/sync.md §10: who may erase
    packages, later = laptop_office.packages(conn, cut)
    packages = laptop_office.add_filed_on(conn, packages, content["changes"])
    if packages or pieces:
        content["packages"] = packages + pieces      # docs/sync.md §14
    payload = bundle.seal(header, content, key, device_keys.sign_priv(conn))
    info = {"hash": bundle.bundle_hash(payload), "dseq": me.last_dseq + 1,
            "audit_upto": events[-1]["seq"] if events else pushed_audit,
            "rows": len(rows), "outbox_upto": upto, "cut": cut, "later": later, "sent": sent}
    return payload, info


def push(conn, hub: Hub, by: str) -> int | None:
    """Append one bundle. Returns the number of rows pushed, 0 if nothing waited, None when
    another computer appended first (pull and retry). May raise: HubError."""
    with schema_pass():
        built = build(conn, by)
    if built is None:
        return 0
    payload, info = built
    seq = state.last_applied(conn) + 1
    with transaction(conn):
        # What the bundle holds: outbox rows up to the last one it read, less held rows. A
        # write made after the bundle was built stays pending for the next push.
        # One bounded piece (docs/sync.md §8.3): only the rows first written before the cut.
        conn.execute("UPDATE sync_outbox SET in_flight = 1 WHERE seq <= ? AND (? IS NULL OR (tbl, pk) IN "
                     "(SELECT tbl, pk FROM sync_outbox GROUP BY tbl, pk HAVING min(seq) < ?))",
                     (info["outbox_upto"], info["cut"], info["cut"]))
        conn.executemany("UPDATE sync_outbox SET in_flight = NULL WHERE tbl = ? AND pk = ?",
                         sorted(merge_sets.held_rows(conn, capture.pending_keys(conn), _held_rows(conn))))
        state.put(conn, "in_flight", {k: info[k] for k in ("hash", "dseq", "audit_upto", "later", "sent")})
    faults.point("push.before_append")
    try:
        hub.append(seq, state.get(conn, "device_id"), "bundle", payload)
    except SequenceTaken:
        _clear_in_flight(conn)
        return None
    faults.point("push.after_append")
    with transaction(conn):
        _finalise_push(conn, state.get(conn, "in_flight"), seq)
        copies.keep(conn, seq, state.get(conn, "device_id"), "bundle", payload, own=True)
    return info["rows"]


def _finalise_push(conn, in_flight: dict, seq: int) -> None:
    conn.execute("DELETE FROM sync_outbox WHERE in_flight = 1")
    erasure_warrant.forget_pushed(conn)        # a warrant lists erased rows' ids: kept no longer
    # Laptops' pieces: those this bundle carried are done; those its packages left for later wait.
    laptop_office.drop_pieces(conn, in_flight.get("sent") or [])
    laptop_office.queue_pieces(conn, in_flight.get("later") or [])
    me = state.get(conn, "device_id")
    state.advance_device(conn, me, int(in_flight["dseq"]), in_flight["hash"], seq)
    state.put(conn, "audit_pushed_seq", int(in_flight["audit_upto"]))
    state.put(conn, "last_applied_seq", seq)
    conn.execute("DELETE FROM sync_state WHERE key = 'in_flight'")


def _clear_in_flight(conn) -> None:
    with transaction(conn):
        conn.execute("UPDATE sync_outbox SET in_flight = NULL WHERE in_flight IS NOT NULL")
        conn.execute("DELETE FROM sync_state WHERE key = 'in_flight'")


def _abandon_in_flight_if_absent(conn) -> None:
    # Pull reached the head without meeting our in-flight bundle: the append never happened.
    if state.get(conn, "in_flight") is not None:
        _clear_in_flight(conn)


# --- the use case -----------------------------------------------------------------------

def sync_conn(conn, hub: Hub, by: str) -> SyncResult:
    """Pull, answer laptops' requests, push. A blocked pull ends it with `blocked` set and
    nothing pushed (this computer is not at the hub's end). May raise: SyncBlocked, HubError."""
    result = SyncResult()
    with transaction(conn):
        key_conflicts.settle_held(conn, by)       # held by an earlier version: settled by rule now
    try:
        result = pull(conn, hub)
        result.refused += laptop_step.after_pull(conn, by)
        attempts, waiting = 0, None
        while attempts < PUSH_ATTEMPTS:
            pushed = push(conn, hub, by)
            if pushed is not None:
                result.pushed += pushed
                # Bounded pieces (docs/sync.md §8.3): push on while something waits and each
                # piece takes some of it.
                left = _waiting(conn)
                if not left or (waiting is not None and left >= waiting):
                    break
                waiting = left
                continue
            attempts += 1
            more = pull(conn, hub)
            result.pulled += more.pulled
            result.refused += more.refused
            result.audit_breaks += more.audit_breaks
    except blocks.EntryBlocked as exc:
        result.blocked = exc.message
    try:
        blocks.publish(conn, hub)
    except HubError:
        pass    # said at the next sync; the block itself is kept and shown here
    with transaction(conn):
        if result.blocked is None:
            state.put(conn, "last_synced", utc_now())
        copies.prune(conn)
        result.notices = key_conflicts.take_notices(conn)
    result.conflicts = open_conflict_count(conn)
    result.others_stopped = blocks.stopped_at_mine(conn)
    return result


@grants(Scope.ANY)
def sync_now(session, hub: Hub) -> SyncResult:
    """Pull, rebase and push. May raise: NotInTeam, SyncBlocked, HubUnavailable, HubError."""
    return sync_conn(session.conn, hub, session.user.username)


def _waiting(conn) -> int:
    """Rows and laptop pieces a push would still carry."""
    held = merge_sets.held_rows(conn, capture.pending_keys(conn), _held_rows(conn))
    rows = sum(1 for r in capture.pending_rows(conn) if (r[0], r[1]) not in held)
    return rows + laptop_office.pieces_waiting(conn)


def open_conflict_count(conn) -> int:
    return conn.execute("SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL").fetchone()[0]


@grants(Scope.ANY)
def pending_count(session) -> int:
    """Rows changed here and not yet on the hub."""
    return capture.pending_count(session.conn)


@grants(Scope.ANY)
def last_synced(session) -> str | None:
    return state.get(session.conn, "last_synced")


def audit_pending(conn) -> int:
    return audit_log.head(conn)["seq"] - int(state.get(conn, "audit_pushed_seq", 0))
