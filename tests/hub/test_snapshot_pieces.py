"""A snapshot is stored as bounded pieces and a manifest written last, on every hub
(docs/hub.md "Snapshots in pieces"): no hub row or file holds more than a piece, a writer
stopped between pieces or before the manifest leaves the previous snapshot as the latest,
a missing or damaged piece is named in plain words, and a whole snapshot written by an
older Confide is still read."""

import os
from io import BytesIO
from pathlib import Path

import psycopg
import pytest

from app import faults
from app.storage.hub import folder as folder_mod
from app.storage.hub import record
from app.storage.hub.pieces import SnapshotDamaged
from app.storage.hub.postgres import PostgresHub

PIECE = 4096


def _hub(hub_setup):
    hub = hub_setup.open(create=True)
    hub.piece_bytes = PIECE
    for seq in range(1, 4):
        hub.append(seq, "dev-a", "bundle", b"entry %d" % seq)
    return hub


def _largest_stored(hub_setup) -> int:
    if hub_setup.kind == "postgres":
        with hub_setup.admin() as admin:
            return admin.execute("SELECT greatest((SELECT max(octet_length(payload)) FROM confide.snapshots), "
                                 "(SELECT max(octet_length(payload)) FROM confide.snapshot_pieces))").fetchone()[0]
    folder = Path(hub_setup.location) / "snapshots"
    return max(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _fetch(hub) -> bytes | None:
    out = BytesIO()
    return out.getvalue() if hub.fetch_latest_snapshot(out) is not None else None


def _drop_piece(hub_setup, n: int) -> None:
    if hub_setup.kind == "postgres":
        with hub_setup.admin() as admin:
            admin.execute("DELETE FROM confide.snapshot_pieces WHERE n = %s", (n,))
    else:
        next((Path(hub_setup.location) / "snapshots" / "pieces").glob(f"*.{n:06d}.piece")).unlink()


def _flip_piece(hub_setup, n: int) -> None:
    if hub_setup.kind == "postgres":
        with hub_setup.admin() as admin:
            admin.execute("UPDATE confide.snapshot_pieces SET payload = set_byte(payload, 7, get_byte(payload, 7) # 1) "
                          "WHERE n = %s", (n,))
    else:
        path = next((Path(hub_setup.location) / "snapshots" / "pieces").glob(f"*.{n:06d}.piece"))
        data = bytearray(path.read_bytes())
        data[7] ^= 1
        path.write_bytes(bytes(data))


def test_no_hub_row_or_file_holds_more_than_a_piece(hub_setup):
    hub = _hub(hub_setup)
    payload = os.urandom(25 * PIECE + 123)
    hub.put_snapshot(3, "dev-a", BytesIO(payload))
    assert _largest_stored(hub_setup) <= PIECE
    assert _fetch(hub) == payload
    assert hub.latest_snapshot().payload == payload


def test_a_writer_stopped_between_pieces_or_before_the_manifest_leaves_the_last_snapshot(hub_setup):
    hub = _hub(hub_setup)
    first = os.urandom(3 * PIECE)
    hub.put_snapshot(1, "dev-a", first)
    for point, skip in (("snapshot.piece", 1), ("snapshot.manifest", 0)):
        faults.arm(point, skip=skip)
        try:
            with pytest.raises(faults.SimulatedCrash):
                hub.put_snapshot(2, "dev-a", os.urandom(5 * PIECE))
        finally:
            faults.disarm()
        assert _fetch(hub) == first
    later = os.urandom(2 * PIECE)
    hub.put_snapshot(3, "dev-a", later)
    assert _fetch(hub) == later


def test_a_missing_piece_is_named_in_plain_words(hub_setup):
    hub = _hub(hub_setup)
    hub.put_snapshot(3, "dev-a", os.urandom(4 * PIECE))
    _drop_piece(hub_setup, 2)
    with pytest.raises(SnapshotDamaged, match="Piece 3 of 4 of the snapshot at entry 3 is missing"):
        _fetch(hub)


def test_a_damaged_piece_is_named_in_plain_words(hub_setup):
    hub = _hub(hub_setup)
    hub.put_snapshot(3, "dev-a", os.urandom(4 * PIECE))
    _flip_piece(hub_setup, 0)
    with pytest.raises(SnapshotDamaged, match="Piece 1 of 4 of the snapshot at entry 3 on .* is damaged"):
        _fetch(hub)


def test_a_whole_snapshot_from_an_older_confide_is_still_read(hub_setup):
    hub = _hub(hub_setup)
    whole = os.urandom(3 * PIECE + 5)
    if hub_setup.kind == "postgres":
        with hub_setup.admin() as admin:
            admin.execute("INSERT INTO confide.snapshots (upto_seq, device_id, payload) VALUES (2, 'dev-a', %s)",
                          (whole,))
    else:
        data = record.encode({"team_id": hub_setup.team_id, "kind": "snapshot", "upto_seq": 2,
                              "device_id": "dev-a", "created_at": "2026-01-01T00:00:00Z"}, whole)
        (Path(hub_setup.location) / "snapshots" / f"{2:012d}.dev-a.snap").write_bytes(data)
    assert _fetch(hub) == whole
    newer = os.urandom(PIECE)
    hub.put_snapshot(3, "dev-a", newer)
    assert _fetch(hub) == newer
    out = BytesIO()
    assert hub.fetch_latest_snapshot(out, skip=1).upto_seq == 2 and out.getvalue() == whole


def test_compaction_removes_the_dropped_snapshots_pieces(hub_setup):
    if hub_setup.kind == "postgres":
        pytest.skip("compaction on PostgreSQL needs the owner's login: tests/team/test_compaction.py")
    hub = _hub(hub_setup)
    hub.put_snapshot(1, "dev-a", os.urandom(3 * PIECE))
    hub.put_snapshot(3, "dev-a", os.urandom(2 * PIECE))
    hub.compact(3)
    left = sorted(p.name.split(".")[0] for p in (Path(hub_setup.location) / "snapshots" / "pieces").iterdir())
    assert left == [f"{3:012d}"] * 2


def test_pieces_a_reader_may_still_be_copying_are_kept_for_a_while(hub_setup, monkeypatch):
    """A snapshot replaced at the same name (a repair): a reader copying the old pieces
    is not cut short; they go once nobody can still be reading them."""
    if hub_setup.kind == "postgres":
        pytest.skip("PostgreSQL readers copy in one REPEATABLE READ transaction")
    hub = _hub(hub_setup)
    pieces_dir = Path(hub_setup.location) / "snapshots" / "pieces"
    hub.put_snapshot(3, "dev-a", os.urandom(2 * PIECE))
    old = set(pieces_dir.iterdir())
    hub.put_snapshot(3, "dev-a", os.urandom(2 * PIECE))
    assert old < set(pieces_dir.iterdir())
    monkeypatch.setattr(folder_mod, "PIECE_GRACE_SECONDS", -1)
    hub.put_snapshot(3, "dev-a", os.urandom(PIECE))
    assert len(list(pieces_dir.iterdir())) == 1


def test_a_postgresql_hub_set_up_by_an_older_script_still_takes_and_gives_whole_snapshots(hub_setup):
    """Until IT runs the new script, a snapshot goes whole into one row, as before."""
    if hub_setup.kind != "postgres":
        pytest.skip("PostgreSQL only")
    names = hub_setup.server.new_hub_database()
    hub = PostgresHub(names["conninfo"], hub_setup.team_id, create=True)
    try:
        with psycopg.connect(hub_setup.server.admin_conninfo(names["dbname"]), autocommit=True) as admin:
            admin.execute("DROP FUNCTION confide.put_snapshot_piece(text, integer, bigint, text, bytea)")
            admin.execute("DROP FUNCTION confide.publish_snapshot(bigint, text, text, integer, bytea)")
            admin.execute("DROP TABLE confide.snapshot_pieces")
            admin.execute("ALTER TABLE confide.snapshots DROP COLUMN pieces_id")
            hub.append(1, "dev-a", "bundle", b"entry 1")
            whole = os.urandom(3 * PIECE)
            hub.piece_bytes = PIECE
            hub.put_snapshot(1, "dev-a", BytesIO(whole))
            assert _fetch(hub) == whole
            stored = admin.execute("SELECT octet_length(payload) FROM confide.snapshots").fetchall()
        assert stored == [(len(whole),)]
    finally:
        hub.close()
