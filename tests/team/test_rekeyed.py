"""The 'rekeyed' control entry (docs/sync.md §5, §12): after a new team key, each computer
that re-keyed its own database says so on the hub, signed, with no personal data, and the
manager's device list reads that, not a later push. Forged or altered ones are refused."""

import json
import struct

from app.services.team import blocks, control, device_keys, rekeyed, staff_keys, state
from app.services.team import team as team_service
from app.services.team.membership import device_list
from app.services.team.sync import sync_now
from app.storage.hub.base import HubEntry
from tests.team.replica import seed_case


def _current(session) -> dict[str, bool]:
    return {d.name: d.on_current_key for d in device_list(session)}


def _body(entry: HubEntry) -> dict:
    (length,) = struct.unpack(">I", entry.payload[4:8])
    return json.loads(entry.payload[8:8 + length])


def test_each_computer_says_when_it_has_rekeyed_and_the_device_list_reads_it(make_team):
    team = make_team(3)
    a, b, c = team.sessions
    for s in team.sessions:
        sync_now(s, team.hub)
    assert set(_current(a).values()) == {True}          # no key change yet: nothing to follow
    team_service.rotate_epoch(a, team.hub)
    assert set(_current(a).values()) == {False}         # nobody has re-keyed for key 2 yet

    sync_now(b, team.hub)
    assert staff_keys.rekey_if_team_key_changed(b)
    assert rekeyed.announce_if_owed(b.conn, team.hub)
    assert not rekeyed.announce_if_owed(b.conn, team.hub)   # said once
    entry = team.hub.entries[-1]
    body = _body(entry)
    assert entry.kind == "control" and body["type"] == "rekeyed" and body["epoch"] == 2
    # ids, a proof, and the computer's new public keys (docs/sync.md §5): no personal data
    assert set(body) == {"v", "team", "type", "by", "at", "epoch", "proof", "sign_pub", "box_pub",
                         "possession"}

    # c syncs and even pushes a change under the new key, but has not re-keyed its database.
    seed_case(c)
    assert sync_now(c, team.hub).pushed > 0
    sync_now(a, team.hub)
    assert _current(a) == {"Office computer 1": False, "computer2": True, "computer3": False}

    assert staff_keys.rekey_if_team_key_changed(a)
    assert rekeyed.announce_if_owed(a.conn, team.hub)
    assert _current(a) == {"Office computer 1": True, "computer2": True, "computer3": False}


def test_a_rekeyed_entry_survives_a_crash_between_append_and_record(make_team):
    team = make_team(2)
    a, b = team.sessions
    team_service.rotate_epoch(a, team.hub)
    sync_now(b, team.hub)
    staff_keys.rekey_if_team_key_changed(b)
    head = team.hub.head()
    # The append reached the hub, then the computer died before recording it.
    real_apply = control.apply

    def die(*args):
        raise KeyboardInterrupt

    control.apply = die
    try:
        try:
            rekeyed.announce_if_owed(b.conn, team.hub)
        except KeyboardInterrupt:
            pass
    finally:
        control.apply = real_apply
    assert team.hub.head() == head + 1 and rekeyed.owed(b.conn) == 2
    assert not rekeyed.announce_if_owed(b.conn, team.hub)   # the pull records it: not said twice
    assert team.hub.head() == head + 1 and rekeyed.owed(b.conn) is None


def test_forged_and_altered_rekeyed_entries_are_refused(make_team):
    team = make_team(3)
    a, b, c = team.sessions
    team_service.rotate_epoch(a, team.hub)
    for s in (b, c):
        sync_now(s, team.hub)
    team_id, b_id = state.get(b.conn, "team_id"), state.get(b.conn, "device_id")
    c_id = state.get(c.conn, "device_id")
    key = state.epoch_key(b.conn, 2)

    def append(body: dict, signer) -> None:
        payload = control.seal({"team": team_id, "type": "rekeyed", "at": "2026-01-01T00:00:00+00:00",
                                "epoch": 2, **body}, device_keys.sign_priv(signer.conn))
        team.hub.append(team.hub.head() + 1, state.get(signer.conn, "device_id"), "control", payload)

    # b speaks for c; b signs with a proof it made up; b's genuine entry with one byte altered.
    append({"by": c_id, "proof": control.rekeyed_proof(key, team_id, c_id, 2)}, b)
    append({"by": b_id, "proof": "00" * 32}, b)
    good = control.seal({"team": team_id, "type": "rekeyed", "at": "2026-01-01T00:00:00+00:00", "epoch": 2,
                         "by": b_id, "proof": control.rekeyed_proof(key, team_id, b_id, 2)},
                        device_keys.sign_priv(b.conn))
    altered = good.replace(b'"epoch":2', b'"epoch":3')
    team.hub.append(team.hub.head() + 1, b_id, "control", altered)

    # Each stops sync where it is (docs/sync.md §4) until a manager voids it; none is applied.
    first = team.hub.head() - 2
    for seq, words in ((first, "not written by the computer that signed it"), (first + 1, "does not hold"),
                       (first + 2, "altered")):
        result = sync_now(a, team.hub)
        assert result.blocked and f"hub entry {seq}," in result.blocked and words in result.blocked
        blocks.void(a, team.hub, seq, "forged")
    result = sync_now(a, team.hub)
    assert result.blocked is None and len(result.refused) == 1
    assert a.conn.execute("SELECT count(*) FROM sync_refused").fetchone()[0] == 3
    assert control.rekeyed_epochs(a.conn) == {}
    assert _current(a)["computer2"] is False and _current(a)["computer3"] is False
