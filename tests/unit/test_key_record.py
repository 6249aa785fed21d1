"""The rule that settles a staff key record changed on two computers (team/merge/key_record.py),
on its own: a note of the signing key never brings back the passphrase the other side
replaced; a new key pair (a reset) beats a rewrap of the old one whatever the times; two
rewraps: the later passphrase stands, the same way whichever computer decides."""

import json

from app.services.team.merge.decide import Conflict, KeepMine, TakeTheirs
from app.services.team.merge.key_record import settle


def _record(public: str, salt: str, set_at: str, version: int, sign: str | None = None, must_change=False):
    wrap = {"salt": salt, "kdf": {"t": 1}, "private": {"wrapped": salt + "-w"}, "must_change": must_change,
            "set_at": set_at}
    if sign:
        wrap["sign_public"] = sign
    return {"id": "k1", "public_key": public, "private_wrap": json.dumps(wrap, sort_keys=True),
            "updated_at": set_at, "updated_by": "casey", "version": version}


BASE = _record("P1", "s0", "2026-12-01T09:00:00+00:00", 1)
EDIT = Conflict("edit", ("private_wrap",))


def test_a_signing_key_note_made_later_keeps_the_other_sides_new_passphrase():
    noted = dict(_record("P1", "s0", "2026-12-01T09:00:00+00:00", 2, sign="S1"),
                 updated_at="2026-12-07T10:00:00+00:00")
    changed = _record("P1", "s1", "2026-12-07T09:00:00+00:00", 2)
    for mine, theirs in ((noted, changed), (changed, noted)):
        outcome = settle(EDIT, BASE, mine, theirs, BASE)
        image = outcome.decision.image
        wrap = json.loads(image["private_wrap"])
        assert wrap["salt"] == "s1" and wrap["sign_public"] == "S1", (mine is noted, wrap)
        assert outcome.mine_dropped is False


def test_a_reset_beats_a_later_rewrap_of_the_old_key_from_either_side():
    reset = _record("P2", "r1", "2026-12-07T09:00:00+00:00", 2, must_change=True)
    rewrap = _record("P1", "s1", "2026-12-07T11:00:00+00:00", 2)
    as_theirs = settle(EDIT, BASE, rewrap, reset, BASE)
    assert isinstance(as_theirs.decision, TakeTheirs) and as_theirs.decision.image["public_key"] == "P2"
    assert as_theirs.mine_dropped and as_theirs.reset_won
    as_mine = settle(EDIT, BASE, reset, rewrap, BASE)
    assert isinstance(as_mine.decision, KeepMine) and as_mine.decision.image["public_key"] == "P2"
    assert as_mine.decision.image["version"] == 3


def test_two_passphrases_the_later_stands_whichever_computer_decides():
    early = _record("P1", "s1", "2026-12-07T09:00:00+00:00", 2)
    late = _record("P1", "s2", "2026-12-07T09:00:05+00:00", 2)
    first = settle(EDIT, BASE, early, late, BASE)
    second = settle(EDIT, BASE, late, early, BASE)
    assert isinstance(first.decision, TakeTheirs) and first.mine_dropped
    assert isinstance(second.decision, KeepMine) and second.theirs_dropped
    assert json.loads(first.decision.image["private_wrap"])["salt"] == "s2"
    assert json.loads(second.decision.image["private_wrap"])["salt"] == "s2"


def test_a_delete_against_an_edit_is_left_for_a_person():
    gone = Conflict("delete_theirs", ("private_wrap",))
    assert settle(gone, BASE, _record("P1", "s1", "2026-12-07T09:00:00+00:00", 2), None, BASE).decision is gone
