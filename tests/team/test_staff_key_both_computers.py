"""The same person's staff key changed on two computers before they synced (docs/sync.md §12,
"The same person's key changed on two computers"): settled by rule, never a conflict for a
person to choose between keys; the later of two passphrases the person chose stands, and a
manager's reset beats the person's rewrap of the old key pair whatever the order, so an old
key cannot come back this way. The person is told in plain words where their choice gave way."""

import json
from datetime import timedelta

import pytest

from app import clock
from app.errors import WrongCredentials
from app.services.team import conflicts, key_conflicts, membership
from app.services.team.sync import SyncBlocked
from app.services.vault import staff
from app.services.vault.unlock import unlock
from tests.conftest import PASSPHRASE
from tests.team.conftest import casey_with_a_laptop, new_vault

TEMPORARY = "temporary-pass-4471"
OFFICE_WORDS = "casey chose this at the office"
LAPTOP_WORDS = "casey chose this on the laptop"
RESET = "a manager's reset words 5521"


@pytest.fixture
def world(tmp_path, template_root):
    office = new_vault(template_root, tmp_path / "office")
    laptop = casey_with_a_laptop(office, tmp_path, TEMPORARY)
    open_sessions = [office, laptop]
    yield tmp_path, office, laptop, open_sessions
    for s in open_sessions:
        if not s.locked:
            s.lock("test")


def _at(seconds: int):
    return clock.frozen(clock.now().replace(microsecond=0) + timedelta(seconds=seconds))


def _record(session) -> tuple[str, str]:
    return tuple(session.conn.execute("SELECT k.public_key, k.private_wrap FROM staff_key k JOIN staff s ON s.id = k.id "
                                      "WHERE s.username = 'casey'").fetchone())


def _opens(data_dir, passphrase: str) -> bool:
    try:
        unlock(data_dir, "casey", passphrase).lock("test")
    except WrongCredentials:
        return False
    return True


def _sync_as_manager(tmp_path, name: str):
    s = unlock(tmp_path / name, "manager", PASSPHRASE)
    try:
        result = membership.sync(s)
        return result, _record(s)
    finally:
        s.lock("test")


@pytest.mark.parametrize("later", ["laptop", "office"])
def test_two_passphrases_chosen_before_syncing_the_later_stands_everywhere_and_is_said(world, later):
    tmp_path, office, laptop, opened = world
    office.lock("test")
    at_office = unlock(tmp_path / "office", "casey", TEMPORARY)
    opened.append(at_office)
    with _at(0 if later == "laptop" else 5):
        staff.change_own_passphrase(at_office, TEMPORARY, OFFICE_WORDS)
    with _at(5 if later == "laptop" else 0):
        staff.change_own_passphrase(laptop, TEMPORARY, LAPTOP_WORDS)
    membership.sync(at_office)
    at_office.lock("test")
    result = membership.sync(laptop)
    laptop_record = _record(laptop)
    settled = laptop.conn.execute("SELECT actor, object_id, detail FROM audit_event WHERE action = ?",
                                  (key_conflicts.SETTLED,)).fetchall()
    laptop.lock("test")
    assert result.conflicts == 0 and result.blocked is None
    # Failed before: the rule's choice was told to the person and kept nowhere else.
    assert [(a, json.loads(d)["kept"]) for a, _o, d in settled] == [
        ("sync", "this computer" if later == "laptop" else "other computer")]
    said = " ".join(result.notices)
    assert "Casey Worker chose a new passphrase here and on “" in said
    assert ("the later one, chosen here" if later == "laptop" else "chosen on “") in said
    assert "{" not in said and "Morgan" not in said
    office_result, office_record = _sync_as_manager(tmp_path, "office")
    assert office_result.conflicts == 0 and office_record == laptop_record
    standing, gone = (LAPTOP_WORDS, OFFICE_WORDS) if later == "laptop" else (OFFICE_WORDS, LAPTOP_WORDS)
    for name in ("office", "laptop"):
        assert _opens(tmp_path / name, standing), name
        assert not _opens(tmp_path / name, gone), name
        assert not _opens(tmp_path / name, TEMPORARY), name


@pytest.mark.parametrize("laptop_syncs_first", [True, False])
def test_a_managers_reset_beats_a_rewrap_of_the_old_key_made_later_elsewhere(world, laptop_syncs_first):
    # The attack: someone holding Casey's old passphrase (or Casey, on a computer the reset has
    # not reached) re-wraps the old key pair after the manager's reset, hoping the later
    # change wins. Before, the record became a conflict whose "mine" could be chosen, and
    # meanwhile the row took whichever side arrived last.
    tmp_path, office, laptop, _ = world
    old_public = _record(office)[0]
    with _at(0):
        staff.reset_passphrase(office, "casey", RESET)
    reset_public = _record(office)[0]
    assert reset_public != old_public
    with _at(10):       # later than the reset
        staff.change_own_passphrase(laptop, TEMPORARY, LAPTOP_WORDS)
    if laptop_syncs_first:
        first = membership.sync(laptop)
        assert first.conflicts == 0
        assert membership.sync(office).conflicts == 0
        result = membership.sync(laptop)
    else:
        assert membership.sync(office).conflicts == 0
        result = membership.sync(laptop)
        assert "Casey Worker's passphrase was reset by a manager on “" in " ".join(result.notices)
    assert result.conflicts == 0 and result.blocked is None
    laptop_record = _record(laptop)
    office_record = _record(office)
    laptop.lock("test")
    office.lock("test")
    assert laptop_record == office_record and laptop_record[0] == reset_public
    assert json.loads(laptop_record[1])["must_change"] is True
    for name in ("office", "laptop"):
        assert _opens(tmp_path / name, RESET), name
        assert not _opens(tmp_path / name, LAPTOP_WORDS), name
        assert not _opens(tmp_path / name, TEMPORARY), name


def test_a_disabled_colleagues_passphrase_change_on_an_offline_computer_opens_nothing(world):
    tmp_path, office, laptop, _ = world
    membership.disable_colleague(office, "casey")
    with _at(10):
        staff.change_own_passphrase(laptop, TEMPORARY, LAPTOP_WORDS)
    with pytest.raises(SyncBlocked, match="a member of staff with a key to it must sign in here"):
        membership.sync(laptop)     # the new team key was not sealed to her
    laptop.lock("test")
    # Her change waits on the laptop and goes with the next sync by someone who may.
    laptop_result, _ = _sync_as_manager(tmp_path, "laptop")
    office_result, _ = _sync_as_manager(tmp_path, "office")
    assert laptop_result.conflicts == 0 and office_result.conflicts == 0
    _sync_as_manager(tmp_path, "laptop")
    for name in ("office", "laptop"):
        for words in (LAPTOP_WORDS, TEMPORARY):
            assert not _opens(tmp_path / name, words), (name, words)


def test_a_staff_key_conflict_held_by_an_earlier_version_is_named_in_words_and_settled_by_rule(world, monkeypatch):
    tmp_path, office, laptop, opened = world
    office.lock("test")
    at_office = unlock(tmp_path / "office", "casey", TEMPORARY)
    opened.append(at_office)
    with _at(0):
        staff.change_own_passphrase(at_office, TEMPORARY, OFFICE_WORDS)
    with _at(5):
        staff.change_own_passphrase(laptop, TEMPORARY, LAPTOP_WORDS)
    membership.sync(at_office)
    at_office.lock("test")
    # What an earlier version did: hold it for a person to choose between the two keys.
    monkeypatch.setattr(key_conflicts.key_record, "TABLES", frozenset())
    assert membership.sync(laptop).conflicts == 1
    monkeypatch.undo()
    [held] = conflicts.list_conflicts(laptop)
    assert held.context == "Sign-in key of Casey Worker"
    detail = conflicts.conflict_detail(laptop, held.id)
    shown = [(f.field, f.mine, f.theirs) for f in detail.fields]
    assert [f[0] for f in shown] == ["passphrase"]
    assert shown[0][1].startswith("A passphrase chosen by Casey Worker here on ") and shown[0][1].endswith("it stands")
    assert shown[0][2].startswith("A passphrase chosen by Casey Worker on “") and shown[0][2].endswith("it gives way")
    assert "{" not in repr(shown) and "Morgan" not in repr(shown)
    result = membership.sync(laptop)
    assert result.conflicts == 0 and conflicts.list_conflicts(laptop) == []
    assert "the later one, chosen here" in " ".join(result.notices)
    laptop_record = _record(laptop)
    laptop.lock("test")
    _, office_record = _sync_as_manager(tmp_path, "office")
    assert office_record == laptop_record
    assert _opens(tmp_path / "office", LAPTOP_WORDS) and not _opens(tmp_path / "office", OFFICE_WORDS)


def test_confide_sync_prints_whose_passphrase_gave_way(world, monkeypatch, capsys):
    import io
    import sys

    from app.cli.commands import main

    tmp_path, office, laptop, opened = world
    office.lock("test")
    at_office = unlock(tmp_path / "office", "casey", TEMPORARY)
    opened.append(at_office)
    with _at(5):
        staff.change_own_passphrase(at_office, TEMPORARY, OFFICE_WORDS)
    with _at(0):
        staff.change_own_passphrase(laptop, TEMPORARY, LAPTOP_WORDS)
    membership.sync(at_office)
    laptop.lock("test")
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{LAPTOP_WORDS}\n"))
    code = main(["sync", "--data-dir", str(tmp_path / "laptop"), "--user", "casey", "--passphrase-stdin"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "note: Casey Worker chose a new passphrase here and on “" in out.out
    assert "the later one, chosen on “" in out.out and "this one included" in out.out
    assert _opens(tmp_path / "laptop", OFFICE_WORDS) and not _opens(tmp_path / "laptop", LAPTOP_WORDS)
