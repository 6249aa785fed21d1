"""Encrypted snapshots of the replicated tables (docs/sync.md §10)."""

import json
import struct
import zlib

from app.errors import ConfideError
from app.security import crypto
from app.services.team import capture, keys, state
from app.services.team.bundle import BundleRefused, canonical, parse
from app.storage import migrations
from app.storage.capture import columns, replicated_tables
from app.storage.db import transaction
from app.storage.hub.base import Hub

MAGIC = b"CFS1"


class SnapshotNotPossible(ConfideError):
    """A snapshot must hold exactly the log's state: not while local changes wait."""


def _dump(conn) -> dict:
    tables = {}
    for table in replicated_tables(conn):
        cols = columns(conn, table)
        from app.storage.capture import image_sql
        tables[table] = [json.loads(r[0]) for r in conn.execute(
            f"SELECT {image_sql(cols, table)} FROM {table} ORDER BY rowid")]
    devices = [list(r) for r in conn.execute(
        "SELECT device_id, name, device_index, sign_pub, box_pub, manager, enrolled_seq, revoked_seq, "
        "last_dseq, last_hash, last_seq FROM sync_device")]
    epochs = [list(r) for r in conn.execute("SELECT epoch, started_seq FROM sync_epoch")]
    return {"tables": tables, "devices": devices, "epochs": epochs}


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
                        "schema": migrations.CURRENT_VERSION, "device": me, "v": 1})
    nonce, ct = crypto.seal(key, zlib.compress(canonical(_dump(conn)), 6), header)
    signed = header + nonce + ct
    payload = MAGIC + struct.pack(">I", len(header)) + signed + keys.sign(state.get(conn, "sign_priv"), signed)
    hub.put_snapshot(upto, me, payload)
    return upto


def restore_latest(conn, hub: Hub, skip: frozenset = frozenset()) -> int:
    """Replace this replica's records with the latest snapshot. Returns its sequence (0: none).
    Tables in `skip` are left empty (a laptop takes no casework from it: docs/sync.md §14).

    May raise: BundleRefused (damaged, foreign, not signed by a known computer), HubError.
    """
    snap = hub.latest_snapshot()
    if snap is None:
        return 0
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
    body = json.loads(zlib.decompress(crypto.open_sealed(key, p.nonce, p.ciphertext, p.header_bytes)))
    # Trust comes from the control entries, checked from genesis as usual, never from the
    # snapshot's own list of computers: they are small, so every joiner replays them.
    _replay_control(conn, hub, snap.upto_seq)
    signer = state.device(conn, h.get("device"))
    if signer is None or (signer.revoked_seq is not None and signer.revoked_seq <= snap.upto_seq) or \
            not keys.verify(signer.sign_pub, p.signature, p.header_bytes + p.nonce + p.ciphertext):
        raise BundleRefused("The hub's snapshot was altered or not written by a computer of this team.")
    with transaction(conn):
        state.set_capture(conn, False)
        # The snapshot is consistent as a whole; rows may reference rows later in it.
        conn.execute("PRAGMA defer_foreign_keys = ON")
        tables = replicated_tables(conn)
        for table in reversed(tables):
            conn.execute(f"DELETE FROM {table}")
        for table in tables:
            # One prepared statement per table: a joining computer may receive 50,000 cases.
            if table not in skip:
                capture.write_images(conn, table, body["tables"].get(table, []))
        # Only each known computer's place in its chain comes from the snapshot.
        for d in body["devices"]:
            conn.execute("UPDATE sync_device SET last_dseq = ?, last_hash = ?, last_seq = ? WHERE device_id = ?",
                         (d[8], d[9], d[10], d[0]))
        state.put(conn, "last_applied_seq", snap.upto_seq)
        # The search index is derived data, never carried: build it here for what arrived.
        index_everything(conn)
        state.set_capture(conn, True)
    return snap.upto_seq


def _replay_control(conn, hub: Hub, upto: int) -> None:
    from app.services.team import control

    for entry in hub.read_after(0):
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
