"""Folder hub specifics: torn and foreign files are never entries, a torn claim does not
block the log forever, and the team marker binds the folder to one team."""

import os
import time

import pytest

from app.storage.hub import folder as folder_mod
from app.storage.hub import record
from app.storage.hub.base import DAMAGED, HubError, HubUnavailable, SequenceTaken
from app.storage.hub.folder import FolderHub

HUB_KINDS = ["folder-link", "folder-excl"]


def entry_file(hub, seq):
    return hub.root / "entries" / f"{seq:012d}.entry"


def age(path, seconds):
    old = time.time() - seconds
    os.utime(path, (old, old))


def three_entries(hub):
    for seq in (1, 2, 3):
        hub.append(seq, "dev-a", "bundle", f"payload {seq}".encode() * 20)


@pytest.mark.parametrize("cut", [0, 5, 30, -33, -1])
def test_a_torn_copy_of_an_entry_is_never_read(any_hub, cut):
    three_entries(any_hub)
    whole = entry_file(any_hub, 3).read_bytes()
    torn = whole[:cut] if cut else b""
    # As if the writer of entry 4 crashed part-way (exclusive-open claims can leave this).
    entry_file(any_hub, 4).write_bytes(torn.replace(b'"seq":3', b'"seq":4'))
    fresh = FolderHub(any_hub.root, any_hub.team_id)
    assert fresh.head() == 3
    assert [e.seq for e in fresh.read_after(0)] == [1, 2, 3]


def test_a_flipped_byte_or_another_teams_file_is_not_an_entry_but_said_damaged(hub_setup, tmp_path):
    hub = hub_setup.open(create=True)
    three_entries(hub)
    data = bytearray(entry_file(hub, 2).read_bytes())
    data[len(data) // 2] ^= 0x01
    entry_file(hub, 2).write_bytes(bytes(data))
    kinds = [(e.seq, e.kind) for e in FolderHub(hub.root, hub.team_id).read_after(0)]
    assert kinds == [(1, "bundle"), (2, DAMAGED), (3, "bundle")]

    other = FolderHub(tmp_path / "other", "other-team", create=True)
    other.append(1, "dev-x", "bundle", b"foreign")
    entry_file(hub, 2).write_bytes(entry_file(other, 1).read_bytes())
    kinds = [(e.seq, e.kind) for e in FolderHub(hub.root, hub.team_id).read_after(0)]
    assert kinds == [(1, "bundle"), (2, DAMAGED), (3, "bundle")]


def test_a_fresh_torn_claim_holds_its_number_then_is_moved_aside(any_hub):
    three_entries(any_hub)
    torn = entry_file(any_hub, 4)
    torn.write_bytes(b"CONFIDE-HUB-1\n\x00\x00")   # a claim whose writer has not finished
    with pytest.raises(SequenceTaken):
        any_hub.append(4, "dev-b", "bundle", b"mine")
    assert any_hub.head() == 3

    age(torn, folder_mod.TORN_GRACE_SECONDS + 5)   # its writer is gone: still for too long
    entry = any_hub.append(4, "dev-b", "bundle", b"mine")
    assert entry.seq == 4
    assert [e.payload for e in FolderHub(any_hub.root, any_hub.team_id).read_after(3)] == [b"mine"]
    kept = list((any_hub.root / "torn").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == b"CONFIDE-HUB-1\n\x00\x00"


def test_a_valid_entry_is_never_moved_aside_however_old(any_hub):
    three_entries(any_hub)
    age(entry_file(any_hub, 3), 10 * folder_mod.TORN_GRACE_SECONDS)
    with pytest.raises(SequenceTaken):
        any_hub.append(3, "dev-b", "bundle", b"late")
    assert list((any_hub.root / "torn").iterdir()) == []
    assert [e.payload for e in any_hub.read_after(2)] == [b"payload 3" * 20]


def test_a_torn_snapshot_is_skipped_for_the_last_good_one(any_hub):
    any_hub.put_snapshot(1, "dev-a", b"good")
    any_hub.put_snapshot(2, "dev-a", b"newer")
    newer = any_hub.root / "snapshots" / "000000000002.dev-a.snap"
    newer.write_bytes(newer.read_bytes()[:-10])
    assert any_hub.latest_snapshot().payload == b"good"


def test_head_from_a_stale_or_damaged_hint(any_hub):
    three_entries(any_hub)
    (any_hub.root / "head").write_text("1")
    assert FolderHub(any_hub.root, any_hub.team_id).head() == 3
    (any_hub.root / "head").write_text("99")
    assert FolderHub(any_hub.root, any_hub.team_id).head() == 3
    (any_hub.root / "head").write_bytes(b"\xff\x00")
    assert FolderHub(any_hub.root, any_hub.team_id).head() == 3


def test_a_folder_that_is_not_a_hub_is_refused_plainly(tmp_path):
    with pytest.raises(HubUnavailable, match="cannot be found"):
        FolderHub(tmp_path / "missing", "t1")
    (tmp_path / "plain").mkdir()
    with pytest.raises(HubUnavailable, match="not a Confide hub folder"):
        FolderHub(tmp_path / "plain", "t1")
    with pytest.raises(HubUnavailable):
        FolderHub(tmp_path / "no" / "such" / "drive", "t1", create=True)
    hub = FolderHub(tmp_path / "hub", "t1", create=True)
    (hub.root / folder_mod.MARKER).write_text("{not json")
    with pytest.raises(HubError, match="damaged"):
        FolderHub(tmp_path / "hub", "t1")


def test_two_computers_creating_the_same_folder_hub_one_team_wins(tmp_path):
    FolderHub(tmp_path / "hub", "team-one", create=True)
    FolderHub(tmp_path / "hub", "team-one", create=True)   # the same team again: fine
    with pytest.raises(HubError, match="another team"):
        FolderHub(tmp_path / "hub", "team-two", create=True)


def test_a_writer_whose_claim_was_moved_aside_mid_write_reports_taken(tmp_path, monkeypatch):
    """An exclusive-open writer that stalled past the grace period finds, on reading back,
    that its torn claim was moved aside and the number claimed by someone else."""
    hub = FolderHub(tmp_path / "hub", "t1", create=True, use_links=False)
    real_write = folder_mod.claim.write_new

    def stalled_write(path, data):
        real_write(path, data[:10])                       # the writer gets this far, then stalls
        os.rename(path, hub.root / "torn" / "moved")      # another computer clears the torn claim
        real_write(path, b"someone else's complete entry")  # and claims the number itself

    monkeypatch.setattr(folder_mod.claim, "write_new", stalled_write)
    with pytest.raises(SequenceTaken):
        hub.append(1, "dev-slow", "bundle", b"late")


def test_a_folder_that_goes_away_is_unavailable_not_a_crash(any_hub):
    import shutil

    three_entries(any_hub)
    shutil.rmtree(any_hub.root)   # the network drive drops
    for call in (any_hub.revoked_devices, any_hub.latest_snapshot,
                 lambda: any_hub.append(4, "dev-a", "bundle", b"x"),
                 lambda: any_hub.wait_for_change(0.1),
                 lambda: FolderHub(any_hub.root, any_hub.team_id)):
        with pytest.raises(HubUnavailable):
            call()


def test_a_claim_completed_just_as_it_is_moved_aside_is_put_back(any_hub, monkeypatch):
    from app.storage.hub import torn

    three_entries(any_hub)
    complete = record.encode({"team_id": any_hub.team_id, "seq": 4, "device_id": "dev-a",
                              "kind": "bundle", "created_at": "2026-01-01T00:00:00+00:00"}, b"theirs")
    path = entry_file(any_hub, 4)
    path.write_bytes(complete[:40])
    age(path, torn.TORN_GRACE_SECONDS + 5)
    real_rename = os.rename

    def writer_finishes_first(src, dst):
        with open(src, "ab") as handle:          # the stalled writer wakes and finishes
            handle.write(complete[40:])
        real_rename(src, dst)

    monkeypatch.setattr(torn.os, "rename", writer_finishes_first)
    with pytest.raises(SequenceTaken):
        any_hub.append(4, "dev-b", "bundle", b"mine")
    assert path.read_bytes() == complete
    assert any_hub.head() == 4 and list(any_hub.read_after(3))[0].device_id == "dev-a"


def test_a_full_hub_keeps_no_partial_temp_file(any_hub, monkeypatch):
    # Before: the part written stayed in tmp/ for 24 hours (the sweep's age), filling a
    # hub that was already full.
    import errno

    real_write = os.write
    calls = []

    def short_then_full(fd, data):
        calls.append(1)
        if len(calls) == 1:
            return real_write(fd, bytes(data[:10]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", short_then_full)
    with pytest.raises(HubUnavailable):
        any_hub.append(1, "dev-a", "bundle", b"x" * 5000)
    monkeypatch.setattr(os, "write", real_write)
    assert list((any_hub.root / "tmp").iterdir()) == []
    assert not (any_hub.root / "entries" / f"{1:012d}.entry").exists()
    assert any_hub.append(1, "dev-a", "bundle", b"x").seq == 1


def test_a_cut_short_entry_with_a_later_one_is_damaged_never_moved_aside(any_hub):
    # Entry 3 proves entry 2 was whole when its writer read it: cut short since, it is
    # damaged (acknowledged), not a torn claim, however long it has been still.
    three_entries(any_hub)
    path = entry_file(any_hub, 2)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - 20])
    age(path, folder_mod.TORN_GRACE_SECONDS + 60)
    fresh = FolderHub(any_hub.root, any_hub.team_id)
    assert [(e.seq, e.kind) for e in fresh.read_after(0)] == [(1, "bundle"), (2, DAMAGED), (3, "bundle")]
    assert fresh.head() == 3
    with pytest.raises(SequenceTaken):
        fresh.append(2, "dev-b", "bundle", b"mine")
    assert path.read_bytes() == whole[: len(whole) - 20] and list((any_hub.root / "torn").iterdir()) == []
