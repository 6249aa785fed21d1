"""Encrypted snapshots of the replicated tables (docs/sync.md §10)."""

import json
import os
import struct
from dataclasses import dataclass

from app import faults
from app.errors import ConfideError
from app.security import crypto
from app.services.team import capture, copies, device_keys, keys, search_build, snapshot_file, state
from app.services.team.bundle import MAX_HEADER, BundleRefused, canonical
from app.services.team.laptop import replica as laptop_replica
from app.services.team.laptop.schema import casework
from app.storage import db, migrations
from app.storage.db import transaction
from app.storage.hub import pieces
from app.storage.hub.base import Hub

MAGIC = b"CFS2"
SNAPSHOT_EVERY = 1000       # hub entries between snapshots (docs/sync.md §10)
OLD_MAGIC = b"CFS1"         # row images as one JSON document: no longer written or read
SEALED_KEY = 32 + 16        # the snapshot file's key, AES-GCM sealed under the team key
FALLBACK = 6                # snapshots tried, newest first (a PostgreSQL hub keeps 2 per computer)
RESTORE_CACHE_KIB = 512 * 1024                  # page cache while a snapshot is restored
RESTORE_THREADS = min(4, os.cpu_count() or 1)   # helper threads for its index sorts


class SnapshotNotPossible(ConfideError):
    """A snapshot must hold exactly the log's state: not while local changes wait."""


def put_snapshot(conn, hub: Hub) -> int:
    """Write a snapshot of the state after the last applied entry. Returns its sequence number.

    May raise: SnapshotNotPossible, HubError.
    """
    state.require_team(conn)
    if _partial(conn):
        raise SnapshotNotPossible("This laptop holds only the cases checked out to it: snapshots are "
                                  "written by office computers.")
    if capture.pending_count(conn):
        raise SnapshotNotPossible("Sync first: a snapshot cannot include changes not yet on the hub.")
    upto = state.last_applied(conn)
    epoch, key = state.current_epoch(conn)
    me = state.get(conn, "device_id")
    header = canonical({"team": state.get(conn, "team_id"), "upto": upto, "epoch": epoch,
                        "schema": migrations.CURRENT_VERSION, "device": me, "v": 2, "form": "sqlcipher"})
    snap_key = os.urandom(32)
    # The file is encrypted under its own random key, sealed here under the team key; the
    # signature covers every byte, so a flipped one is refused before anything is read.
    nonce, sealed = crypto.seal(key, snap_key, header)
    prefix = MAGIC + struct.pack(">I", len(header))
    # Built in a file beside the vault and handed to the hub as a file: the hub stores it in
    # pieces (docs/hub.md), so no copy of the whole is ever held on the heap.
    with snapshot_file.Payload(conn) as out:
        out.write(prefix + header + nonce + sealed)
        snapshot_file.dump_into(conn, snap_key, out)
        with out.mapped() as whole:
            signature = keys.sign(device_keys.sign_priv(conn), whole[len(prefix):])
        out.write(signature)
        sha, size = out.digest()
        out.rewind()
        hub.put_snapshot(upto, me, out.file)
    with transaction(conn):
        state.put(conn, "snapshot_seq", upto)
        # What the hub must go on holding: `confide hub check` compares (docs/sync.md §15).
        copies.saw_snapshot(conn, upto, me, sha, size, own=True)
    return upto


def put_if_due(conn, hub: Hub) -> int:
    """Write a snapshot when SNAPSHOT_EVERY entries have passed since the last one this
    computer wrote or started from, and nothing waits to be pushed. Returns its sequence
    (0: none was due). May raise: HubError."""
    if capture.pending_count(conn) or _partial(conn) or \
            state.last_applied(conn) - int(state.get(conn, "snapshot_seq", 0)) < SNAPSHOT_EVERY:
        return 0
    return put_snapshot(conn, hub)


def _partial(conn) -> frozenset:
    """The tables a partial replica (a laptop, docs/sync.md §14) holds only in part: it never
    writes a snapshot, and takes none of these from one."""
    return frozenset(casework(conn).tables) if laptop_replica.is_laptop(conn) else frozenset()


@dataclass(frozen=True)
class Parts:
    header: dict
    header_bytes: bytes
    nonce: bytes
    sealed_key: bytes
    file: memoryview        # views into the payload, not copies: a large team's snapshot
    signed: memoryview      # is hundreds of megabytes
    signature: bytes


def read(payload: bytes) -> Parts:
    """Split a snapshot into its parts, checking nothing but the layout.
    May raise: BundleRefused (damaged)."""
    damaged = BundleRefused("The hub's snapshot is damaged; nothing was changed.")
    if len(payload) < 8 or payload[:4] != MAGIC:
        raise damaged
    (length,) = struct.unpack(">I", payload[4:8])
    start = 8 + length + crypto.NONCE_BYTES + SEALED_KEY
    # A header is a few hundred bytes; a crafted one of the snapshot's size would be parsed
    # into memory (docs/security.md, "Hostile files").
    if length > MAX_HEADER or len(payload) < start + keys.SIGNATURE_BYTES:
        raise damaged
    header_bytes = bytes(payload[8:8 + length])
    try:
        header = json.loads(header_bytes)
    except ValueError as exc:
        raise damaged from exc
    if not isinstance(header, dict):
        raise damaged
    view = memoryview(payload)
    return Parts(header, header_bytes, bytes(view[8 + length:8 + length + crypto.NONCE_BYTES]),
                 bytes(view[start - SEALED_KEY:start]), view[start:-keys.SIGNATURE_BYTES],
                 view[8:-keys.SIGNATURE_BYTES], bytes(view[-keys.SIGNATURE_BYTES:]))


def restore_latest(conn, hub: Hub, fresh: bool = False) -> int:
    """Replace this replica's records with the latest snapshot, in one transaction. Returns
    its sequence (0: none). Changes made here and not yet pushed are kept on top of it. A
    laptop's casework tables are left as they are: it takes no casework from a snapshot. The
    search index is emptied; it is built after (search_build).

    A snapshot that is refused (damaged, foreign, its signature does not hold) is passed
    over for the next older one, up to FALLBACK of them: any computer's hub login can store
    a snapshot, so one bad one must not stop every join (docs/hub.md).

    `fresh`: this database is a new file that nothing uses until it is complete (a join's,
    made aside and moved into place only when whole: join_staging). Its restore then keeps
    its rollback journal in memory instead of the write-ahead log (see _journal_in_memory).

    May raise: BundleRefused (the newest one's refusal, when none of them can be used;
    nothing is changed), HubError, OSError.
    """
    refused = None
    for skip in range(FALLBACK):
        try:
            with snapshot_file.Fetched(conn, hub, skip) as fetched:
                if fetched.info is None:
                    break
                p = read(fetched.payload) if fetched.payload[:4] != OLD_MAGIC else None
                try:
                    return _restore(conn, hub, fetched.info.upto_seq, p, fresh)
                finally:
                    if p is not None:
                        p.file.release()
                        p.signed.release()
        except BundleRefused as exc:
            refused = refused or exc
        except pieces.SnapshotDamaged as exc:
            # A piece missing or damaged on the hub: said in its own words, and the next
            # older snapshot is tried like any refused one.
            refused = refused or BundleRefused(exc.message, deterministic=False)
    if refused is not None:
        raise refused
    return 0


def _restore(conn, hub: Hub, upto_seq: int, p: "Parts | None", fresh: bool = False) -> int:
    if p is None:
        raise BundleRefused("The hub's snapshot was written by an older version of Confide. Ask a "
                            "computer of the team to sync (it writes a new one), then try again.",
                            deterministic=False)
    h = p.header
    if h.get("team") != state.get(conn, "team_id") or h.get("upto") != upto_seq:
        raise BundleRefused("The hub's snapshot belongs to another team; nothing was changed.")
    if int(h.get("schema", 0)) > migrations.CURRENT_VERSION:
        raise BundleRefused("The hub's snapshot was written by a newer version of Confide. Update "
                            "Confide on this computer, then join again.", deterministic=False)
    key = state.epoch_key(conn, int(h.get("epoch", 0)))
    if key is None:
        raise BundleRefused("The hub's snapshot is locked with a team key this computer does not have.",
                            deterministic=False)
    # The database file is written beside the vault meanwhile, on a thread of its own: it
    # is only bytes on disk until the signature holds (snapshot_file.Attached).
    with snapshot_file.Attached(conn, p.file) as snap:
        # Trust comes from the control entries, checked from genesis as usual, never from the
        # snapshot's own list of computers: they are small, so every joiner replays them.
        _replay_control(conn, hub, state.last_applied(conn), upto_seq)
        signer = state.device(conn, h.get("device"))
        altered = BundleRefused(snapshot_file.BROKEN)
        if signer is None or (signer.revoked_seq is not None and signer.revoked_seq <= upto_seq) or \
                not keys.verify(signer.sign_pub, p.signature, p.signed):
            raise altered
        try:
            snap_key = crypto.open_sealed(key, p.nonce, p.sealed_key, p.header_bytes)
        except crypto.DecryptionFailed as exc:
            raise altered from exc
        return _load(conn, snap, snap_key, h, upto_seq, fresh)


def _load(conn, snap, snap_key: bytes, h: dict, upto_seq: int, fresh: bool) -> int:
    # Checked table by table once its rows are in (snapshot_file.load) rather than row by
    # row: while a child row waits for its parent, SQLite looks for orphans at every parent
    # insert. (The pragma cannot change inside a transaction, and ATTACH cannot happen in one.)
    conn.execute("PRAGMA foreign_keys = OFF")
    journal = _journal_in_memory(conn) if fresh else None
    # The rows are copied, indexed and checked with the pages still in memory: at 50,000
    # cases the 64 MB cache decrypted the same pages again for each index and for the
    # foreign-key check (join CPU 45 -> 35 s). Index sorts may use helper threads. Both are
    # given back after (docs/sync.md §10).
    try:
        conn.execute(f"PRAGMA main.cache_size = -{RESTORE_CACHE_KIB}")
        conn.execute(f"PRAGMA threads = {RESTORE_THREADS}")
        snap.attach(snap_key)
        with transaction(conn):
            mine = capture.collect(conn, None) if state.in_team(conn) else []
            state.set_capture(conn, False)
            chains = snapshot_file.load(conn, skip=_partial(conn))
            if _partial(conn):
                # A laptop kept its casework and rebases it here: its references are checked
                # whole, after (a full replica's were checked table by table in `load`).
                laptop_replica.rebase_on_snapshot(conn)
                if conn.execute("PRAGMA main.foreign_key_check").fetchone() is not None:
                    raise BundleRefused(snapshot_file.BROKEN)
            # Only each known computer's place in its chain comes from the snapshot.
            conn.executemany("UPDATE sync_device SET last_dseq = ?, last_hash = ?, last_seq = ? "
                             "WHERE device_id = ?", [(d[1], d[2], d[3], d[0]) for d in chains])
            # A computer restarting from a snapshot (it was behind the compaction point) keeps
            # what it wrote and has not pushed, rebased on the snapshot like on a remote change.
            rebase_pending(conn, mine, skip=frozenset(), origin={"device": h.get("device"), "seq": upto_seq})
            faults.point("snapshot.restore")
            state.put(conn, "last_applied_seq", upto_seq)
            state.put(conn, "snapshot_seq", upto_seq)
            # The search index is derived data, never carried: every row gets its search key
            # now, and the index itself is built after the replica is ready (search_build).
            search_build.start(conn)
            state.set_capture(conn, True)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
        if journal is not None:
            conn.execute(f"PRAGMA main.journal_mode = {journal}").fetchone()
        conn.execute(f"PRAGMA main.cache_size = -{db.CACHE_KIB}")
        conn.execute("PRAGMA threads = 0")
        conn.execute("PRAGMA shrink_memory")
    return upto_seq


def _journal_in_memory(conn) -> str | None:
    """Keep a new file's rollback journal in memory for its restore. Returns the journal
    mode to go back to (None: unchanged, another connection has the file open).

    In the write-ahead log, a restore larger than the page cache wrote every page twice, to
    the log and then to the file, and read back from the log the pages it spilled there
    (commit 22 s of CPU at 200,000 cases). With the journal in memory the pages go to the
    file itself; the commit still syncs the file (synchronous = FULL) before it returns, and
    a failed restore still rolls back (the journal holds the few pages the new file had).
    A power cut in the middle can leave the file damaged: that is safe only because the file
    is not a vault yet (join_staging: a vault exists only once its vault.json does, moved
    into place after the join completes; what an unfinished join left is removed)."""
    before = conn.execute("PRAGMA main.journal_mode").fetchone()[0]
    try:
        changed = conn.execute("PRAGMA main.journal_mode = MEMORY").fetchone()[0] == "memory"
    except db.dbapi2.OperationalError:
        changed = False                                     # "database is locked": still in the log
    return before if changed else None


def rebase_pending(conn, mine: list, skip: frozenset, origin: dict) -> int:
    """Put this computer's unpushed changes back on top of the rows just loaded from a
    snapshot. A row the snapshot holds as it was when the local change started (its before
    image) simply takes the local change again. A row that differs was changed remotely in
    entries this computer never read (dropped by a forced compaction): that remote change is
    rebased like any other (apply.apply_change), so the same field changed on both sides, or a
    delete against an edit, becomes a conflict and disjoint fields merge. Tables in `skip`
    were not loaded (a laptop's casework): nothing there to compare. Returns the conflicts.
    Call inside the restoring transaction, with capture off."""
    from app.services.team import apply as applier

    pending = {(c.table, applier.key_json(c.key)) for c in mine}
    raised = 0
    for change in mine:
        loaded = None if change.table in skip else capture.current_image(conn, change.table, change.key)
        twin = capture.unique_twin(conn, change.table, change.key, change.after) if loaded is None else None
        if twin is not None:
            # Made here and by the team in the dropped range on the same unique key (the kept
            # revision of a note both sides edited): the team's row stays, ours is held as when a
            # bundle brings such a row (apply.write_remote).
            theirs = capture.current_image(conn, change.table, twin)
            capture.write_image(conn, change.table, twin, None)
            capture.write_image(conn, change.table, change.key, change.after)
            applier.write_remote(conn, capture.Change(change.table, twin, None, theirs, theirs.get("updated_by"),
                                                      theirs.get("updated_at")), origin, pending)
            continue
        capture.write_image(conn, change.table, change.key, change.after)
        if change.table in skip or loaded == change.before:
            continue
        # What the team did to the row since the local change started, as one remote change.
        theirs = capture.Change(change.table, change.key, change.before, loaded,
                                (loaded or {}).get("updated_by"), (loaded or {}).get("updated_at"))
        if applier.apply_change(conn, theirs, origin, pending, set()):
            raised += 1
            pending.discard((change.table, applier.key_json(change.key)))
    return raised


def restart_after_compaction(conn, hub: Hub, seq: int) -> int:
    """This computer meets entry `seq` dropped by compaction: restore the snapshot that
    covers it. Returns the snapshot's sequence.

    May raise: BundleRefused (no snapshot covers it, or it cannot be used), HubError.
    """
    snap_seq = restore_latest(conn, hub)
    if snap_seq < seq:
        raise BundleRefused(f"Hub entry {seq} was removed from the hub and no snapshot covers it. Ask IT "
                            "to check the hub.", deterministic=False)
    return snap_seq


def _replay_control(conn, hub: Hub, after: int, upto: int) -> None:
    from app.services.team import control

    for entry in hub.read_after(after):
        if entry.seq > upto:
            break
        if entry.kind != "control":
            continue
        with transaction(conn):
            try:
                body = control.check(conn, entry.payload, entry.seq, entry.device_id)
            except BundleRefused:
                continue
            control.apply(conn, body, entry.seq)


def index_everything(conn) -> None:
    """Build the whole search index now, in the caller's transaction (search_build)."""
    search_build.index_everything(conn)
