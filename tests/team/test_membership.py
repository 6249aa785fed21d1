"""The team use cases in one process over a folder hub: disabling a colleague changes the
team key (now, or at the next manager's sync when the hub was out of reach), the disabled
account opens no computer of the team after sync, and the device list shows who follows the
new key. The invitation file's own attacks are here too."""

import pytest

from app.errors import WrongCredentials
from app.security.device import KeyringStore
from app.services.team import invitation, membership, state
from app.services.vault import staff
from app.services.vault.unlock import unlock
from tests.conftest import PASSPHRASE

TEMP = "temporary words for jo 77"


@pytest.fixture
def pair(tmp_path, session):
    hub = tmp_path / "hub"
    hub.mkdir()
    staff.add_staff(session, "jo", "Jo Bloggs", "caseworker", TEMP)
    membership.create(session, str(hub), "Northshire SENDIASS")
    code = membership.invite(session, "Laptop", tmp_path / "laptop.invite")
    b = membership.join(tmp_path / "laptop", tmp_path / "laptop.invite", code, "manager", PASSPHRASE,
                        KeyringStore())
    yield session, b, hub
    if not b.locked:
        b.lock("test")


def _epoch(s) -> int:
    return state.current_epoch(s.conn)[0]


def test_disabling_a_colleague_changes_the_key_and_closes_every_computer_to_them(pair, tmp_path):
    a, b, _ = pair
    key_before = bytes(b.data_key)
    membership.sync(b)
    membership.sync(a)
    laptop = next(d for d in membership.device_list(a) if d.name == "Laptop")
    assert laptop.on_current_key
    assert membership.disable_colleague(a, "jo") is True
    assert _epoch(a) == 2
    laptop = next(d for d in membership.device_list(a) if d.name == "Laptop")
    assert not laptop.on_current_key and not laptop.revoked
    membership.sync(a)
    b.lock("test")
    # Until the laptop syncs it does not know she left (it has been offline); at its next
    # sync (here by the manager there) it learns it and the new key, and then her
    # passphrase opens nothing there.
    unlock(tmp_path / "laptop", "jo", TEMP).lock("test")
    b_again = unlock(tmp_path / "laptop", "manager", PASSPHRASE)
    membership.sync(b_again)
    assert _epoch(b_again) == 2
    b_again.lock("test")
    with pytest.raises(WrongCredentials):
        unlock(tmp_path / "laptop", "jo", TEMP)
    membership.sync(a)
    assert next(d for d in membership.device_list(a) if d.name == "Laptop").on_current_key
    # The laptop re-keyed its own database at that sync: its old data key opens nothing now.
    from app.errors import DatabaseDamaged
    from app.storage import db

    with pytest.raises(DatabaseDamaged):
        db.open_database(tmp_path / "laptop" / "confide.db", key_before).execute("SELECT 1 FROM staff")


def test_colleagues_sign_in_on_the_other_computer_with_their_own_passphrase(pair, tmp_path):
    a, b, _ = pair
    b_dir = tmp_path / "laptop"
    b.lock("test")
    # Jo never used the laptop: her key record came with the team's staff records.
    jo = unlock(b_dir, "jo", TEMP)
    assert jo.user.role.value == "caseworker" and jo.must_change_passphrase   # still temporary there
    jo.lock("test")
    # A passphrase change on the office computer works on the laptop after both sync.
    staff.change_own_passphrase(a, PASSPHRASE, "a brand new passphrase for the manager")
    membership.sync(a)
    laptop = unlock(b_dir, "manager", PASSPHRASE)
    membership.sync(laptop)
    laptop.lock("test")
    with pytest.raises(WrongCredentials):
        unlock(b_dir, "manager", PASSPHRASE)
    unlock(b_dir, "manager", "a brand new passphrase for the manager").lock("test")
    # The laptop's slots seal its own data key: the office's vault.json cannot open its file.
    import json

    office, laptop_file = (json.loads((d / "vault.json").read_text()) for d in (a.paths.data_dir, b_dir))
    assert office["vault_id"] != laptop_file["vault_id"]


def test_joining_with_the_wrong_passphrase_for_ones_account_is_refused(tmp_path, session):
    hub = tmp_path / "hub"
    hub.mkdir()
    membership.create(session, str(hub), "Northshire SENDIASS")
    code = membership.invite(session, "Laptop", tmp_path / "laptop.invite")
    with pytest.raises(membership.engine.TeamError, match="does not open your account"):
        membership.join(tmp_path / "laptop", tmp_path / "laptop.invite", code, "manager",
                        "some other passphrase entirely", KeyringStore())
    assert not (tmp_path / "laptop").exists()


def test_a_key_change_owed_while_the_hub_was_away_is_made_at_the_next_sync(pair, tmp_path):
    a, b, hub = pair
    hub.rename(tmp_path / "hub-away")
    assert membership.disable_colleague(a, "jo") is False
    assert _epoch(a) == 1
    (tmp_path / "hub-away").rename(hub)
    membership.sync(a)
    assert _epoch(a) == 2
    membership.sync(a)
    assert _epoch(a) == 2          # owed once, made once


def test_invitation_code_and_file_attacks(tmp_path):
    content = {"team_id": "t", "team_name": "Northshire SENDIASS", "genesis_sign_pub": "00", "device_id": "d",
               "index": 2, "keys": {"box_priv": "ab" * 32}, "sealed": {}, "hub": "/srv/hub"}
    code = invitation.new_code()
    assert len(invitation.normalise_code(code)) == 12
    path = tmp_path / "x.invite"
    invitation.write_invitation(path, content, code)
    raw = path.read_bytes()
    assert b"ab" * 32 not in raw and b"/srv/hub" not in raw and code.encode() not in raw
    # Typed as people type it: lower case, spaces, O for 0.
    assert invitation.read_invitation(path, code.lower().replace("-", " ").replace("0", "o")) == content
    with pytest.raises(invitation.InvitationError, match="does not match"):
        invitation.read_invitation(path, "ZZZZ-ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ-ZZZZ" else "YYYY-YYYY-YYYY")
    # A header asking for 4 GiB of memory is refused before any derivation.
    header_len = int.from_bytes(raw[4:8], "big")
    header = raw[8:8 + header_len].replace(b'"memory_kib":1024', b'"memory_kib":4194304')
    greedy = tmp_path / "greedy.invite"
    greedy.write_bytes(raw[:4] + len(header).to_bytes(4, "big") + header + raw[8 + header_len:])
    with pytest.raises(invitation.InvitationError, match="damaged"):
        invitation.read_invitation(greedy, code)
    for n in (10, len(raw) // 2, len(raw) - 3):
        broken = tmp_path / f"flip{n}.invite"
        data = bytearray(raw)
        data[n] ^= 1
        broken.write_bytes(bytes(data))
        with pytest.raises(invitation.InvitationError):
            invitation.read_invitation(broken, code)
    # 60 bits from a 32-letter alphabet: twelve characters, no repeats across many draws.
    assert len({invitation.new_code() for _ in range(200)}) == 200
