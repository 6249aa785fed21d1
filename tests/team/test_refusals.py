"""Bundles that must be refused before anything is applied, each with its plain message."""

import pytest

from app.services.casework import notes
from app.services.team import blocks, bundle, device_keys, state
from app.services.team.sync import SyncBlocked, sync_now
from app.services.team.team import revoke_device
from app.storage import migrations
from tests.team.replica import rows_of, seed_case


def _note_bundle(team):
    """Computer 1 writes a note and pushes; returns (case id, the hub entry)."""
    a, b = team.sessions
    case_id = seed_case(a)
    sync_now(a, team.hub)
    sync_now(b, team.hub)
    notes.add_note(a, case_id, "phone_call", "2026-01-05", 5, "Refusal canary text")
    sync_now(a, team.hub)
    return case_id, team.hub.entries[-1]


def _hold_back(team, b):
    """Take the newest entry off the hub so that it can be replaced by a doctored copy."""
    return team.hub.entries.pop()


def _forge(conn, header_changes: dict, body: dict | None = None, key: bytes | None = None) -> bytes:
    me = state.device(conn, state.get(conn, "device_id"))
    epoch, current = state.current_epoch(conn)
    header = {"team": state.get(conn, "team_id"), "device": me.device_id, "dseq": me.last_dseq + 1,
              "prev": me.last_hash, "schema": migrations.CURRENT_VERSION, "epoch": epoch,
              "base": state.last_applied(conn), "at": "2026-01-05T10:00:00+00:00", **header_changes}
    return bundle.seal(header, body or {"changes": [], "audit": []}, key or current,
                       device_keys.sign_priv(conn))


def _assert_blocked(team, b, before, words: str, seq: int | None = None):
    """Nothing refused is passed over (docs/sync.md §4): sync stops there, says which entry,
    whose and why, applies nothing and does not move past it."""
    applied = state.last_applied(b.conn)
    result = sync_now(b, team.hub)
    assert result.blocked is not None and words in result.blocked, result.blocked
    seq = seq or applied + 1
    assert f"hub entry {seq}," in result.blocked
    assert rows_of(b) == before
    assert state.last_applied(b.conn) == seq - 1
    assert b.conn.execute("SELECT count(*) FROM sync_refused WHERE hub_seq = ?", (seq,)).fetchone()[0] == 0
    return result


def _void(team, manager, seq: int) -> None:
    blocks.void(manager, team.hub, seq, "forged entry found in the hub check")


def test_flipped_byte_is_refused_with_nothing_applied(make_team):
    team = make_team(2)
    a, b = team.sessions
    _note_bundle(team)
    entry = _hold_back(team, b)
    before = rows_of(b)
    for offset, words in ((40, "is damaged"), (len(entry.payload) // 2, "altered after it was written"),
                          (len(entry.payload) - 70, "altered after it was written")):
        damaged = bytearray(entry.payload)
        damaged[offset] ^= 0x01
        forced = team.hub.force("bundle", entry.device_id, bytes(damaged))
        result = _assert_blocked(team, b, before, words, forced.seq)
        assert "written by computer 'Office computer 1'" in result.blocked
        _void(team, a, forced.seq)


def test_replayed_bundle_is_refused(make_team):
    team = make_team(2)
    a, b = team.sessions
    _, entry = _note_bundle(team)
    sync_now(b, team.hub)
    before = rows_of(b)
    team.hub.force("bundle", entry.device_id, entry.payload)
    _assert_blocked(team, b, before, "repeats an earlier bundle")


def test_skipped_sequence_and_broken_chain_are_refused_until_a_manager_voids_them(make_team):
    team = make_team(2)
    a, b = team.sessions
    sync_now(b, team.hub)
    before = rows_of(b)
    me = state.device(a.conn, state.get(a.conn, "device_id"))
    skipped = team.hub.force("bundle", me.device_id, _forge(a.conn, {"dseq": me.last_dseq + 2}))
    _assert_blocked(team, b, before, "skips bundles")
    _void(team, a, skipped.seq)
    broken = team.hub.force("bundle", me.device_id, _forge(a.conn, {"prev": "ab" * 32}))
    _assert_blocked(team, b, before, "does not follow on", broken.seq)
    _void(team, a, broken.seq)
    result = sync_now(b, team.hub)
    assert result.blocked is None
    assert [r.split(" (entry")[0] for r in result.refused] == [
        f"Hub entry {broken.seq} was voided by computer '{me.name}'"]
    assert {r[0] for r in b.conn.execute("SELECT hub_seq FROM sync_refused")} == {skipped.seq, broken.seq}
    assert rows_of(b) == before and state.last_applied(b.conn) == team.hub.head()


def test_foreign_team_bundle_is_refused(make_team):
    team = make_team(2)
    other = make_team(1)
    a, b = team.sessions
    sync_now(b, team.hub)
    before = rows_of(b)
    stranger = other.sessions[0]
    payload = _forge(stranger.conn, {})
    team.hub.force("bundle", state.get(a.conn, "device_id"), payload)
    team.hub.force("bundle", state.get(stranger.conn, "device_id"), payload)
    _assert_blocked(team, b, before, "another team")


def test_revoked_device_is_refused_by_hub_and_by_readers(make_team):
    team = make_team(3)
    a, b, c = team.sessions
    for s in (a, b, c):
        sync_now(s, team.hub)
    c_device = state.get(c.conn, "device_id")
    revoke_device(a, team.hub, c_device)
    sync_now(b, team.hub)
    before = rows_of(b)
    seed_case(c)
    from app.storage.hub.base import HubRefused

    # The removed computer holds no new key, so it does not even try; the hub refuses it anyway.
    with pytest.raises(SyncBlocked, match="removed from the team"):
        sync_now(c, team.hub)
    with pytest.raises(HubRefused):
        team.hub.append(team.hub.head() + 1, c_device, "bundle", _forge(c.conn, {}))
    # A hub that does not enforce revocation: the readers refuse it themselves, and stop.
    forced = team.hub.force("bundle", c_device, _forge(c.conn, {}, {"changes": [], "audit": []}))
    _assert_blocked(team, b, before, "removed from the team")
    assert sync_now(a, team.hub).blocked is not None
    _void(team, a, forced.seq)
    # And the revoked computer cannot read what is written after the epoch change.
    notes_case = seed_case(a)
    assert sync_now(a, team.hub).blocked is None
    assert state.current_epoch(b.conn)[0] == 2
    assert state.epoch_key(c.conn, 2) is None
    with pytest.raises(SyncBlocked, match="This computer was removed from the team"):
        from app.services.team.sync import pull

        pull(c.conn, team.hub)
    assert c.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (notes_case,)).fetchone()[0] == 0


def test_too_new_schema_stops_sync_and_says_update(make_team):
    team = make_team(2)
    a, b = team.sessions
    sync_now(b, team.hub)
    before, applied = rows_of(b), state.last_applied(b.conn)
    me = state.get(a.conn, "device_id")
    team.hub.force("bundle", me, _forge(a.conn, {"schema": migrations.CURRENT_VERSION + 1}))
    with pytest.raises(SyncBlocked, match="Update Confide"):
        sync_now(b, team.hub)
    assert rows_of(b) == before and state.last_applied(b.conn) == applied


def test_unknown_epoch_stops_sync(make_team):
    team = make_team(2)
    a, b = team.sessions
    sync_now(b, team.hub)
    before = rows_of(b)
    me = state.get(a.conn, "device_id")
    team.hub.force("bundle", me, _forge(a.conn, {"epoch": 9}, key=b"\x07" * 32))
    with pytest.raises(SyncBlocked, match="key epoch 9"):
        sync_now(b, team.hub)
    assert rows_of(b) == before
