"""Encrypted snapshots of the replicated tables (docs/sync.md §10)."""

import struct
import zlib

from app.errors import ConfideError
from app.security import crypto
from app.services.team import capture, keys, snapshot_rows, state
from app.services.team.bundle import BundleRefused, canonical, parse
from app.storage import migrations
from app.storage.db import transaction
from app.storage.hub.base import Hub

MAGIC = b"CFS2"
OLD_MAGIC = b"CFS1"     # row images as one JSON document: no longer written or read


class SnapshotNotPossible(ConfideError):
    """A snapshot must hold exactly the log's state: not while local changes wait."""


def put_snapshot(conn, hub: Hub) -> int:
    """Write a snapshot of the state after the last applied entry. Returns its sequence number.

    May raise: SnapshotNotPossible, HubError.
    """
    state.require_team(conn)
    if capture.pending_count(conn):
        raise SnapshotNotPossible("Sync first: a snapshot cannot include changes not yet on the hub.")
    upto = state.last_applied(conn)
    epoch, key = state.current_epoch(conn)
    me = state.get(conn, "device_id")
    header = canonical({"team": state.get(conn, "team_id"), "upto": upto, "epoch": epoch,
                        "schema": migrations.CURRENT_VERSION, "device": me, "v": 2})
    conn.execute("BEGIN")          # one consistent state, even with another connection writing
    try:
        body = snapshot_rows.dump(conn)
    finally:
        conn.execute("COMMIT")
    nonce, ct = crypto.seal(key, body, header)
    del body
    signed = header + nonce + ct
    payload = MAGIC + struct.pack(">I", len(header)) + signed + keys.sign(state.get(conn, "sign_priv"), signed)
    hub.put_snapshot(upto, me, payload)
    return upto


def restore_latest(conn, hub: Hub) -> int:
    """Replace this replica's records with the latest snapshot, in one transaction. Returns
    its sequence (0: none). Changes made here and not yet pushed are kept on top of it.

    May raise: BundleRefused (damaged, foreign, not signed by a known computer; nothing is
    changed), HubError.
    """
    snap = hub.latest_snapshot()
    if snap is None:
        return 0
    if snap.payload[:4] == OLD_MAGIC:
        raise BundleRefused("The hub's snapshot was written by an older version of Confide. Ask a "
                            "computer of the team to sync (it writes a new one), then try again.",
                            deterministic=False)
    p = parse(snap.payload, snap.upto_seq, MAGIC)
    h = p.header
    if h.get("team") != state.get(conn, "team_id") or h.get("upto") != snap.upto_seq:
        raise BundleRefused("The hub's snapshot belongs to another team; nothing was changed.")
    if int(h.get("schema", 0)) > migrations.CURRENT_VERSION:
        raise BundleRefused("The hub's snapshot was written by a newer version of Confide. Update "
                            "Confide on this computer, then join again.", deterministic=False)
    key = state.epoch_key(conn, int(h.get("epoch", 0)))
    if key is None:
        raise BundleRefused("The hub's snapshot is locked with a team key this computer does not have.",
                            deterministic=False)
    # Trust comes from the control entries, checked from genesis as usual, never from the
    # snapshot's own list of computers: they are small, so every joiner replays them.
    _replay_control(conn, hub, state.last_applied(conn), snap.upto_seq)
    signer = state.device(conn, h.get("device"))
    altered = BundleRefused("The hub's snapshot was altered or not written by a computer of this team.")
    if signer is None or (signer.revoked_seq is not None and signer.revoked_seq <= snap.upto_seq) or \
            not keys.verify(signer.sign_pub, p.signature, p.header_bytes + p.nonce + p.ciphertext):
        raise altered
    try:
        body = crypto.open_sealed(key, p.nonce, p.ciphertext, p.header_bytes)
    except crypto.DecryptionFailed as exc:
        raise altered from exc
    # Checked once at the end rather than row by row: while a child row waits for its
    # parent, SQLite looks for orphans at every parent insert, scanning tables whose
    # indexes are only built at the end. (The pragma cannot change inside a transaction.)
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with transaction(conn):
            mine = capture.collect(conn, None) if state.in_team(conn) else []
            state.set_capture(conn, False)
            try:
                chains = snapshot_rows.load(conn, body)
            except (ValueError, KeyError, TypeError, zlib.error) as exc:
                raise altered from exc
            del body
            if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise altered
            # Only each known computer's place in its chain comes from the snapshot.
            conn.executemany("UPDATE sync_device SET last_dseq = ?, last_hash = ?, last_seq = ? "
                             "WHERE device_id = ?", [(d[1], d[2], d[3], d[0]) for d in chains])
            # A computer restarting from a snapshot (it was behind the compaction point) keeps
            # what it wrote and has not pushed: its rows go back on top, still in the outbox.
            for change in mine:
                capture.write_image(conn, change.table, change.key, change.after)
            state.put(conn, "last_applied_seq", snap.upto_seq)
            # The search index is derived data, never carried: build it here for what arrived.
            index_everything(conn)
            state.set_capture(conn, True)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    return snap.upto_seq


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
    """Build the whole search index of a replica that has just received a snapshot, in bulk:
    the same entries search_index.put makes one at a time (people, cases, notes)."""
    from app.services.cases import _CASE_SELECT

    def words(*values) -> str:
        return " ".join(v for v in values if v)

    conn.execute("DELETE FROM search_index")
    conn.execute("DELETE FROM note_search")
    conn.execute("DELETE FROM search_key")
    people = [("person", r["id"], None, words(r["first_name"], r["last_name"], r["known_as"]),
               words(r["school_name"], r["area"], r["postcode"]))
              for r in conn.execute("SELECT id, first_name, last_name, known_as, school_name, area, postcode "
                                    "FROM person")]
    case_rows = [("case", r["id"], r["id"], f"{r['reference']} {r['client_name']} {r['child_name']}", "")
                 for r in conn.execute(_CASE_SELECT)]
    notes = [("note", r[0], r[1], r[2], r[3]) for r in conn.execute(
        "SELECT n.id, n.case_id, c.reference, n.body FROM note n JOIN casefile c ON c.id = n.case_id")]
    entries = people + case_rows + notes
    conn.executemany("INSERT INTO search_key (id, kind, ref_id) VALUES (?, ?, ?)",
                     [(n, e[0], e[1]) for n, e in enumerate(entries, start=1)])
    for table, kinds in (("search_index", ("person", "case")), ("note_search", ("note",))):
        conn.executemany(f"INSERT INTO {table} (rowid, kind, ref_id, case_id, title, body) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [(n, *e) for n, e in enumerate(entries, start=1) if e[0] in kinds])
