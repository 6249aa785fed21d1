"""The hub contract (app/storage/hub/base.py), run against every back end."""

import multiprocessing
import threading

import pytest

from app.storage.hub.base import MISSING, HubError, HubRefused, SequenceTaken
from tests.hub import race_worker


def test_append_at_head_plus_one_and_read_back_in_order(any_hub):
    assert any_hub.head() == 0
    assert list(any_hub.read_after(0)) == []
    for seq in range(1, 6):
        entry = any_hub.append(seq, "dev-a", "bundle" if seq % 2 else "control", bytes([seq]) * 100)
        assert entry.seq == seq and entry.created_at
    assert any_hub.head() == 5
    got = list(any_hub.read_after(0))
    assert [e.seq for e in got] == [1, 2, 3, 4, 5]
    assert [e.kind for e in got] == ["bundle", "control", "bundle", "control", "bundle"]
    assert got[2].payload == bytes([3]) * 100 and got[2].device_id == "dev-a"
    assert [e.seq for e in any_hub.read_after(3)] == [4, 5]
    assert [e.seq for e in any_hub.read_after(1, limit=2)] == [2, 3]
    assert list(any_hub.read_after(5)) == []


def test_a_second_computer_sees_the_same_log(hub_setup):
    first = hub_setup.open(create=True)
    first.append(1, "dev-a", "bundle", b"one")
    second = hub_setup.open(device="dev-b")
    assert second.head() == 1
    second.append(2, "dev-b", "bundle", b"two")
    assert [(e.seq, e.device_id, e.payload) for e in first.read_after(0)] == [
        (1, "dev-a", b"one"), (2, "dev-b", b"two")]


def test_a_taken_sequence_number_raises_sequence_taken(hub_setup):
    a = hub_setup.open(create=True)
    b = hub_setup.open(device="dev-b")
    a.append(1, "dev-a", "bundle", b"mine")
    with pytest.raises(SequenceTaken):
        b.append(1, "dev-b", "bundle", b"theirs")
    assert [e.payload for e in a.read_after(0)] == [b"mine"]


def test_read_after_says_a_gap_instead_of_stopping_silently(hub_setup, any_hub):
    # A reader meets the gap as an entry of kind MISSING (docs/hub.md): the sync engine
    # stops there and says so; before, the log just seemed to end at entry 2.
    for seq in range(1, 6):
        any_hub.append(seq, "dev-a", "bundle", b"e")
    hub_setup.remove_entry(3)
    reader = hub_setup.open()
    got = [(e.seq, e.kind) for e in reader.read_after(0)]
    assert got[:3] == [(1, "bundle"), (2, "bundle"), (3, MISSING)]
    assert [e.seq for e in reader.read_after(0, limit=1)] == [1]
    assert [e.seq for e in reader.read_after(3)] == [4, 5]
    assert reader.last_number() == 5


def test_a_gap_is_refused(any_hub):
    any_hub.append(1, "dev-a", "bundle", b"x")
    with pytest.raises(HubError) as info:
        any_hub.append(3, "dev-a", "bundle", b"y")
    assert not isinstance(info.value, SequenceTaken)
    assert any_hub.head() == 1


def test_bad_device_ids_and_kinds_are_refused(any_hub):
    for device in ("../evil", "", "a/b", "x" * 200):
        with pytest.raises(HubError):
            any_hub.append(1, device, "bundle", b"x")
    with pytest.raises(HubError):
        any_hub.append(1, "dev-a", "snapshot", b"x")
    assert any_hub.head() == 0


@pytest.mark.slow
def test_processes_racing_for_the_same_number_exactly_one_wins(hub_setup):
    hub_setup.open(create=True)
    ctx = multiprocessing.get_context("spawn")
    racers, rounds = 3, 60
    barrier, results = ctx.Barrier(racers), ctx.Queue()
    procs = [ctx.Process(target=race_worker.race,
                         args=(hub_setup.kind, hub_setup.location_for(f"racer-{i}"), hub_setup.team_id, f"racer-{i}",
                               rounds, barrier, results)) for i in range(racers)]
    for p in procs:
        p.start()
    outcome = dict(results.get(timeout=240) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert all(isinstance(w, list) for w in outcome.values()), outcome
    winners = {}
    for device, won in outcome.items():
        for seq in won:
            assert seq not in winners, f"entry {seq} claimed by {winners.get(seq)} and {device}"
            winners[seq] = device
    assert sorted(winners) == list(range(1, rounds + 1))
    # Real contention: more than one process won some rounds.
    assert len({d for d in winners.values()}) > 1
    stored = list(hub_setup.open().read_after(0))
    assert [(e.seq, e.device_id, e.payload) for e in stored] == [
        (s, winners[s], f"{winners[s]}:{s}".encode()) for s in range(1, rounds + 1)]


def test_revoked_device_is_listed_and_refused(hub_setup):
    hub = hub_setup.open(create=True)
    hub_setup.open(device="dev-lost").append(1, "dev-lost", "bundle", b"before")
    hub.revoke_device("dev-lost")
    hub.revoke_device("dev-lost")  # idempotent
    other = hub_setup.open(device="dev-ok")
    assert other.revoked_devices() == {"dev-lost"}
    with pytest.raises(HubRefused):
        hub_setup.open(device="dev-lost").append(2, "dev-lost", "bundle", b"after")
    other.append(2, "dev-ok", "bundle", b"fine")
    assert [e.device_id for e in hub.read_after(0)] == ["dev-lost", "dev-ok"]


def test_snapshots_latest_wins(hub_setup, any_hub):
    assert any_hub.latest_snapshot() is None
    for seq in range(1, 4):
        any_hub.append(seq, "dev-a", "bundle", b"e")
    any_hub.put_snapshot(1, "dev-a", b"state after 1")
    hub_setup.open(device="dev-b").put_snapshot(3, "dev-b", b"state after 3")
    any_hub.put_snapshot(2, "dev-a", b"state after 2")
    snap = any_hub.latest_snapshot()
    assert (snap.upto_seq, snap.device_id, snap.payload) == (3, "dev-b", b"state after 3")
    assert snap.created_at


def test_wait_for_change_wakes_on_another_computers_entry(hub_setup):
    waiter = hub_setup.open(create=True)
    writer = hub_setup.open(device="dev-b")
    assert waiter.head() == 0
    assert waiter.wait_for_change(0.3) is False
    timer = threading.Timer(0.3, writer.append, args=(1, "dev-b", "bundle", b"new"))
    timer.start()
    try:
        assert waiter.wait_for_change(20) is True
    finally:
        timer.join()
    assert [e.seq for e in waiter.read_after(0)] == [1]
    assert waiter.wait_for_change(0.2) is False


def test_a_hub_of_another_team_is_refused(hub_setup):
    hub_setup.open(create=True).append(1, "dev-a", "bundle", b"x")
    hub_setup.team_id = "another-team"
    with pytest.raises(HubError, match="another team"):
        hub_setup.open()
    with pytest.raises(HubError, match="another team"):
        hub_setup.open(create=True)
