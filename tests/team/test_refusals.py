"""Bundles that must be refused before anything is applied, each with its plain message."""

import pytest

from app.services.casework import notes
from app.services.team import bundle, state
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
                       state.get(conn, "sign_priv"))


def _assert_refused(team, b, before, words: str):
    result = sync_now(b, team.hub)
    assert any(words in r for r in result.refused), result.refused
    assert rows_of(b) == before
    assert b.conn.execute("SELECT count(*) FROM sync_refused").fetchone()[0] >= 1


def test_flipped_byte_is_refused_with_nothing_applied(make_team):
    team = make_team(2)
    a, b = team.sessions
    _note_bundle(team)
    entry = _hold_back(team, b)
    before = rows_of(b)
    for offset in (40, len(entry.payload) // 2, len(entry.payload) - 70):
        damaged = bytearray(entry.payload)
        damaged[offset] ^= 0x01
        team.hub.force("bundle", entry.device_id, bytes(damaged))
    _assert_refused(team, b, before, "altered after it was written")
    assert len(b.conn.execute("SELECT * FROM sync_refused").fetchall()) == 3


def test_replayed_bundle_is_refused(make_team):
    team = make_team(2)
    a, b = team.sessions
    _, entry = _note_bundle(team)
    sync_now(b, team.hub)
    before = rows_of(b)
    team.hub.force("bundle", entry.device_id, entry.payload)
    _assert_refused(team, b, before, "repeats an earlier bundle")


def test_skipped_sequence_and_broken_chain_are_refused(make_team):
    team = make_team(2)
    a, b = team.sessions
    sync_now(b, team.hub)
    before = rows_of(b)
    me = state.device(a.conn, state.get(a.conn, "device_id"))
    team.hub.force("bundle", me.device_id, _forge(a.conn, {"dseq": me.last_dseq + 2}))
    _assert_refused(team, b, before, "skips bundles")
    team.hub.force("bundle", me.device_id, _forge(a.conn, {"prev": "ab" * 32}))
    _assert_refused(team, b, before, "does not follow on")


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
    result = sync_now(b, team.hub)
    assert any("another team" in r for r in result.refused)
    assert rows_of(b) == before


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

    with pytest.raises(HubRefused):
        sync_now(c, team.hub)
    # A hub that does not enforce revocation: the readers refuse it themselves.
    team.hub.force("bundle", c_device, _forge(c.conn, {}, {"changes": [], "audit": []}))
    _assert_refused(team, b, before, "removed from the team")
    # And the revoked computer cannot read what is written after the epoch change.
    notes_case = seed_case(a)
    sync_now(a, team.hub)
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
