"""A team's snapshot travels as bounded pieces on both hubs (docs/hub.md "Snapshots in
pieces"): a computer joins from one, checking every piece; a piece gone from the hub is
named by `confide hub check` and `confide hub repair` writes the snapshot again; a joiner
meeting it says so in plain words."""

import pytest

from app.services.casework import notes
from app.services.team import snapshot
from app.services.team.bundle import BundleRefused
from app.services.team.hub_care.check import check
from app.services.team.hub_care.repair import repair
from app.services.team.sync import sync_now
from app.storage.hub import pieces
from app.storage.hub.folder import FolderHub
from app.storage.hub.postgres import PostgresHub
from tests.team.conftest import Team
from tests.team.replica import rows_of, seed_case

PIECE = 16 * 1024
TEAM = "pieces-under-test"


@pytest.fixture(params=["folder", "postgres"])
def small_pieces_team(request, tmp_path, template_root, monkeypatch):
    monkeypatch.setattr(pieces, "PIECE_BYTES", PIECE)
    if request.param == "folder":
        hub = FolderHub(tmp_path / "hub", TEAM, create=True)
        largest = lambda: max(p.stat().st_size for p in (tmp_path / "hub" / "snapshots").rglob("*") if p.is_file())  # noqa: E731
        drop = lambda: next((tmp_path / "hub" / "snapshots" / "pieces").glob("*.000001.piece")).unlink()  # noqa: E731

        def only_newest():
            for older in sorted((tmp_path / "hub" / "snapshots").glob("*.snap"))[:-1]:
                older.unlink()
    else:
        server = request.getfixturevalue("postgres_server")
        names = server.new_hub_database()
        hub = PostgresHub(names["conninfo"], TEAM, create=True)
        owner = PostgresHub(server.admin_conninfo(names["dbname"]), TEAM)

        def largest():
            return owner._one("SELECT greatest((SELECT max(octet_length(payload)) FROM confide.snapshots), "
                              "(SELECT max(octet_length(payload)) FROM confide.snapshot_pieces))")[0]

        def drop():
            owner._exec("DELETE FROM confide.snapshot_pieces WHERE n = 1")

        def only_newest():
            owner._exec("DELETE FROM confide.snapshots WHERE created_at < (SELECT max(created_at) FROM confide.snapshots)")
    team = Team(tmp_path / "team", hub, template_root)
    team.add("computer1")
    team.add("computer2")
    a = team.sessions[0]
    case_id = seed_case(a)
    for i in range(40):
        notes.add_note(a, case_id, "phone_call", "2026-01-05", 5, f"Call {i} about the Hartleys' EHC plan " * 20)
    sync_now(a, team.hubs[0])
    sync_now(team.sessions[1], team.hubs[1])
    yield team, largest, drop, only_newest
    team.close()
    if request.param == "postgres":
        owner.close()
    hub.close()


def test_a_computer_joins_from_a_snapshot_in_small_pieces(small_pieces_team):
    team, largest, _drop, _newest = small_pieces_team
    a = team.sessions[0]
    snapshot.put_snapshot(a.conn, team.hubs[0])
    assert largest() <= PIECE
    c = team.add("computer3")
    assert rows_of(c) == rows_of(a)


def test_a_missing_piece_is_found_named_and_written_again(small_pieces_team):
    team, _largest, drop, _newest = small_pieces_team
    a = team.sessions[0]
    upto = snapshot.put_snapshot(a.conn, team.hubs[0])
    drop()
    found = check(a.conn, team.hubs[0]).findings
    assert [(f.what, f.repairable) for f in found] == [("snapshot", True)]
    assert found[0].words.startswith("Piece 2 of ") and f"snapshot at entry {upto} is missing" in found[0].words
    assert repair(a.conn, team.hubs[0]).snapshot_written == upto
    assert check(a.conn, team.hubs[0]).ok


def test_a_joiner_meeting_a_missing_piece_says_so(small_pieces_team):
    team, _largest, drop, only_newest = small_pieces_team
    b = team.sessions[1]
    snapshot.put_snapshot(team.sessions[0].conn, team.hubs[0])
    drop()
    before = rows_of(b)
    only_newest()       # else the joiner falls back to the founding snapshot, and succeeds
    with pytest.raises(BundleRefused, match=r"Piece 2 of \d+ of the snapshot at entry \d+ is missing"):
        snapshot.restore_latest(b.conn, team.hubs[1])
    assert rows_of(b) == before

