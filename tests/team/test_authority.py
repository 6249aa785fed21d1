"""Authority from people, not from files (docs/security.md "Who holds what", docs/sync.md §5).

A colleague who left holds a copy of the manager's computer's database with the data key
their own account unwrapped there, that computer's device secret (their OS account saw it),
their own passphrase and the hub. They read nothing written after they were disabled, and
nothing they sign is accepted. Invitations are one-time and expire."""

import shutil
from datetime import UTC, datetime, timedelta

import pytest

from app.errors import OutputFolderMissing
from app.security import staff_slot
from app.security.device import KeyringStore
from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.team import (
    authority,
    blocks,
    compaction,
    control,
    invitation,
    membership,
    snapshot,
    staff_keys,
    state,
)
from app.services.team import team as engine
from app.services.vault import staff
from app.services.vault.unlock import unlock
from app.storage.db import transaction
from app.storage.hub.location import open_hub
from tests.conftest import PASSPHRASE
from tests.security import leaver

LEAVER_PASS = "leaver words for the test 41"
LEAVER_NEW = "lee chose these words 5532"
CANARY = "Zebedee-Quillfeather"


def _leaver_private(session, username: str, passphrase: str) -> bytes:
    public, wrap, _ = staff_keys.team_records(session.conn)[username]
    slot = staff_keys.slot_from_record(username, public, wrap, session.data_key, session.device_secret,
                                       session.vault.vault_id)
    return staff_slot.open_slot(session.vault.vault_id, slot, passphrase, session.device_secret).private


def _copy_of(session, dest):
    """Every byte of the computer's database, as the account could copy it."""
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    shutil.copy(session.paths.db, dest)
    return dest


@pytest.fixture
def team(tmp_path, session):
    hub = tmp_path / "hub"
    hub.mkdir()
    staff.add_staff(session, "lee", "Lee Vere", "caseworker", LEAVER_PASS)
    membership.create(session, str(hub), "Northshire SENDIASS")
    code = membership.invite(session, "Office 2", tmp_path / "office2.invite")
    b = membership.join(tmp_path / "office2", tmp_path / "office2.invite", code, "manager", PASSPHRASE,
                        KeyringStore())
    membership.sync(b)
    membership.sync(session)
    yield session, b, hub
    if not b.locked:
        b.lock("test")


def test_the_data_key_alone_yields_no_private_key_of_the_computer(team, tmp_path):
    """Failed on main: sync_state held the box and signing private keys in the clear."""
    a, _, _ = team
    copy = _copy_of(a, tmp_path / "copy.db")
    assert leaver.data_key_only_secrets(copy, a.data_key) == []
    # With the device secret too (the same OS account) the keys open: what protects the
    # team then is that they are replaced at every key change and sign nothing that
    # changes the team (the tests below).
    assert leaver.plunder(copy, a.data_key, a.device_secret).sign_priv


def test_a_leaver_with_every_byte_reads_nothing_new_and_signs_nothing_accepted(team, tmp_path):
    """Failed on main: the new team key was sealed to the copied computer's box key (the new
    note was read), and the copied manager-computer key enrolled a rogue computer."""
    a, b, hub_dir = team
    own_private = _leaver_private(a, "lee", LEAVER_PASS)
    copy = _copy_of(a, tmp_path / "leaver.db")
    data_key, device_secret = a.data_key, a.device_secret
    hub = open_hub(str(hub_dir), state.get(a.conn, "team_id"))
    before = hub.head()

    assert membership.disable_colleague(a, "lee") is True
    membership.sync(b)
    membership.sync(a)
    people.create_person(a, PersonInput(kind="parent_carer", first_name="Ada", last_name=CANARY))
    membership.sync(a)
    membership.sync(b)
    assert b.conn.execute("SELECT count(*) FROM person WHERE last_name = ?", (CANARY,)).fetchone()[0] == 1

    loot = leaver.plunder(copy, data_key, device_secret)
    entries = list(hub.read_after(0))
    leaver.try_open_epochs(loot, entries, ("lee", own_private))
    assert max(loot.epoch_keys) == 1, "a key made after the leaver was disabled was opened"
    later = [e for e in entries if e.seq > before]
    assert not any(CANARY in text for text in leaver.read_bundles(loot, later))

    # What the leaver signs: a rogue manager's computer, and a change under the old key.
    head = hub.head()
    hub.append(head + 1, loot.device_id, "control", leaver.forged_enrol(loot, "manager"))
    me = state.device(b.conn, loot.device_id)
    hub.append(head + 2, loot.device_id, "bundle", leaver.forged_bundle(
        loot, me.last_dseq + 1, me.last_hash, [], head + 1))
    # A refused entry stops sync (docs/sync.md §4, hubrepair) until a manager voids it; the
    # void is itself a team change, signed by the manager's staff key.
    for s in (a, b):
        result = membership.sync(s)
        assert state.device(s.conn, "rogue-computer") is None
        assert "not signed by one of the team's active managers" in (result.blocked or ""), result.blocked
    blocks.void(a, hub, head + 1, "a leaver's forged enrolment")
    for s in (a, b):
        result = membership.sync(s)
        assert state.device(s.conn, "rogue-computer") is None
        assert "already been replaced" in (result.blocked or "") or "altered" in (result.blocked or "") \
            or "not enrolled" in (result.blocked or ""), result.blocked
    blocks.void(a, hub, head + 2, "a leaver's forged bundle")
    for s in (a, b):
        result = membership.sync(s)
        assert result.blocked is None, result.blocked
        assert state.device(s.conn, "rogue-computer") is None
    hub.close()


def test_a_removed_computer_opens_no_later_key_even_with_its_users_passphrase(team, tmp_path):
    """The thief of a lost computer who knows its user's passphrase: the person half of the
    new key opens, the computer half was never sealed to it (docs/security.md "Who holds
    what"). A team key sealed to people alone would have been read here."""
    a, b, hub_dir = team
    private = _leaver_private(b, "manager", PASSPHRASE)
    copy = _copy_of(b, tmp_path / "stolen.db")
    data_key, device_secret = b.data_key, b.device_secret
    b.lock("stolen")
    membership.revoke(a, "Office 2")
    people.create_person(a, PersonInput(kind="parent_carer", first_name="Ada", last_name=CANARY))
    membership.sync(a)
    hub = open_hub(str(hub_dir), state.get(a.conn, "team_id"))
    loot = leaver.plunder(copy, data_key, device_secret)
    entries = list(hub.read_after(0))
    leaver.try_open_epochs(loot, entries, ("manager", private))
    assert max(loot.epoch_keys) == 1
    assert not any(CANARY in text for text in leaver.read_bundles(loot, entries))
    hub.close()


def test_team_changes_need_an_active_manager_not_a_role_in_the_records(team):
    """A role written into the replicated records gives no authority; the manager's signed
    entry does. Failed on main: authority came from the computer's key."""
    a, b, _ = team
    lee = a.conn.execute("SELECT id FROM staff WHERE username = 'lee'").fetchone()[0]
    with transaction(a.conn):
        a.conn.execute("UPDATE staff SET role = 'manager' WHERE id = ?", (lee,))
    assert "lee" not in authority.active_managers(a.conn)
    # lee has not signed in anywhere yet: their signing key is not known, so no rights.
    with pytest.raises(engine.TeamError, match="signing key is not known"):
        membership.set_manager_rights(a, "lee", True)
    assert set(authority.active_managers(b.conn)) == {"manager"}


def test_an_invitation_is_one_time_and_the_manager_sees_the_second_use(team, tmp_path):
    """Failed on main: the same file and code joined a second computer."""
    a, _, _ = team
    code = membership.invite(a, "Office 3", tmp_path / "office3.invite")
    c = membership.join(tmp_path / "office3", tmp_path / "office3.invite", code, "manager", PASSPHRASE,
                        KeyringStore())
    c.lock("test")
    with pytest.raises(engine.TeamError, match="already used"):
        membership.join(tmp_path / "office3-again", tmp_path / "office3.invite", code, "manager",
                        PASSPHRASE, KeyringStore())
    assert not (tmp_path / "office3-again").exists()
    membership.sync(a)
    office3 = next(d for d in membership.device_list(a) if d.name == "Office 3")
    assert office3.joined and office3.invitation_reused == 1


def test_an_invitation_expires_and_says_when(team, tmp_path):
    a, _, _ = team
    code = membership.invite(a, "Office 4", tmp_path / "office4.invite")
    shown = next(d for d in membership.device_list(a) if d.name == "Office 4")
    assert not shown.joined
    expires = datetime.fromisoformat(shown.invitation_expires)
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    # A week later (the file rewritten with the code, as its holder could).
    content = invitation.read_invitation(tmp_path / "office4.invite", code)
    content["expires"] = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="seconds")
    (tmp_path / "office4.invite").unlink()
    invitation.write_invitation(tmp_path / "office4.invite", content, code)
    with pytest.raises(engine.TeamError, match="expired"):
        membership.join(tmp_path / "office4", tmp_path / "office4.invite", code, "manager", PASSPHRASE,
                        KeyringStore())
    assert not (tmp_path / "office4").exists()


def test_a_failed_invite_enrols_nothing(team, tmp_path):
    """Failed on main: the folder check looked one level too high, the computer was enrolled
    and then the file could not be written."""
    a, _, _ = team
    before = len(state.devices(a.conn))
    with pytest.raises(OutputFolderMissing):
        membership.invite(a, "Nobody's", tmp_path / "missing" / "x.invite")
    membership.sync(a)
    assert len(state.devices(a.conn)) == before


def test_an_old_genesis_is_refused_with_a_plain_message(team):
    a, _, _ = team
    loot_like = {"team": state.get(a.conn, "team_id"), "type": "genesis", "by": "old", "at": "2025-01-01",
                 "device": {"device_id": "old"}}
    payload = control.seal(loot_like, "11" * 32)
    with pytest.raises(control.BundleRefused, match="earlier version of Confide"):
        control.check(a.conn, payload, 1, "old")


def test_compaction_checks_a_snapshot_against_the_key_its_computer_had_then(team):
    """A computer replaces its keys at each team key change; its earlier snapshot still
    counts as signed by it."""
    a, b, hub_dir = team
    hub = open_hub(str(hub_dir), state.get(a.conn, "team_id"))
    upto = snapshot.put_snapshot(a.conn, hub)
    membership.disable_colleague(a, "lee")
    membership.sync(a)
    assert control.rekeyed_epochs(b.conn).get(state.get(a.conn, "device_id")) is None
    membership.sync(b)
    assert control.rekeyed_epochs(b.conn)[state.get(a.conn, "device_id")] == 2   # a replaced its keys
    assert compaction.plan(hub).upto == upto
    hub.close()


def test_a_manager_gives_manager_rights_and_the_colleague_then_changes_the_team(team, tmp_path):
    a, b, _ = team
    lee = unlock(a.paths.data_dir, "lee", LEAVER_PASS)
    staff.change_own_passphrase(lee, LEAVER_PASS, LEAVER_NEW)
    membership.sync(lee)                       # publishes lee's signing key in their record
    lee.lock("test")
    membership.sync(a)
    staff.change_role(a, "lee", "manager")
    membership.set_manager_rights(a, "lee", True)
    membership.sync(a)
    lee = unlock(a.paths.data_dir, "lee", LEAVER_NEW)
    try:
        membership.invite(lee, "Office 5", tmp_path / "office5.invite")
    finally:
        lee.lock("test")
    membership.sync(b)
    assert "lee" in authority.active_managers(b.conn)
    assert any(d.name == "Office 5" for d in state.devices(b.conn))
    # Taken away again: lee's signature changes nothing any more.
    membership.set_manager_rights(a, "lee", False)
    lee = unlock(a.paths.data_dir, "lee", LEAVER_NEW)
    try:
        with pytest.raises(engine.TeamError, match="not one of the team's managers"):
            membership.invite(lee, "Office 6", tmp_path / "office6.invite")
    finally:
        lee.lock("test")
    assert not (tmp_path / "office6.invite").exists()
