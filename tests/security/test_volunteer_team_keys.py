"""Attack: a volunteer of a team, with everything their OS account can read, tries to read a
casework note written after they became a volunteer (docs/security.md, "Who holds what").

What the attacker holds: every file in the vault's folder (vault.json, every slot file, every
database file), the computer's device secret (their OS account reads the credential store),
their own passphrase, the hub's files, and, for one who was a caseworker first, a raw copy of
the computer's database taken then with the data key their unlock gave (so the computer's box
key and the team keys of that time). Nothing of Confide's services is asked.

Before: a new team key's person half was sealed to every active account, volunteers included,
and becoming a volunteer changed no team key. The former caseworker opened the next key (their
person half, and the computer half sealed to the box key they had copied) and read the note;
a volunteer from the start opened the person half of every new key.
"""

import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlcipher3

from app.config import Paths
from app.security import crypto, staff_slot
from app.security.device import KeyringStore
from app.security.keyslots import VaultFile
from app.services.casework import notes
from app.services.team import control, key_holders, keys, membership, state
from app.services.vault import compartment, staff
from app.services.vault import unlock as vault_service
from app.storage.hub.location import open_hub
from tests.security import leaver
from tests.security.support import text_needles
from tests.unit.consent_helpers import family_case

CANARY = "CANARY-CASEWORK-heron-quartz-vole"
TEMP = {"sam": "temporary words for sam 11", "leo": "temporary words for leo 22",
        "val": "temporary words for val 33"}


def _private_keys(data_dir: Path, user: str, passphrase: str, secret: bytes) -> list[bytes]:
    """Every staff private key the account's passphrase opens, from every slot in the folder."""
    paths = Paths(data_dir)
    vault = VaultFile.load(paths.vault)
    slots = list(vault.slots.values()) + [s for f in data_dir.glob("volunteer-*.slot.json")
                                          if (s := compartment.read_slot(paths, f.name[10:-10])) is not None]
    out = []
    for slot in slots:
        opened = staff_slot.open_slot(vault.vault_id, slot, passphrase, secret)
        if opened is not None and opened.private is not None:
            out.append(opened.private)
    return out


def _person_halves(entries, team_id: str, user: str, privates: list[bytes]) -> list[int]:
    """The team keys whose person half the account's keys open."""
    opened = []
    for entry in entries:
        if entry.kind != "control":
            continue
        body = control.read_unverified(entry.payload, entry.seq)
        if body.get("type") != "epoch":
            continue
        sealed = (body.get("people") or {}).get(user)
        for private in privates:
            try:
                keys.open_sealed_for_device(private.hex(), team_id, control.person_label(user),
                                            int(body["epoch"]), sealed)
            except (crypto.DecryptionFailed, ValueError, KeyError, TypeError, AttributeError):
                continue
            opened.append(int(body["epoch"]))
    return opened


def _raw_text(path: Path, key: bytes) -> str:
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(str(row) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"'))
    except sqlcipher3.DatabaseError:
        return ""
    finally:
        conn.close()


@pytest.fixture
def team(tmp_path, session, data_dir):
    hub_dir = tmp_path / "hub"
    hub_dir.mkdir()
    for user, role in (("sam", "caseworker"), ("leo", "caseworker"), ("val", "volunteer")):
        staff.add_staff(session, user, f"{user.title()} Colleague", role, TEMP[user])
    team_id = membership.create(session, str(hub_dir), "Northshire SENDIASS")
    membership.sync(session)
    return session, hub_dir, team_id


def _sam_copies_while_a_caseworker(data_dir: Path, loot_dir: Path) -> dict:
    sam = vault_service.unlock(data_dir, "sam", TEMP["sam"])
    try:
        shutil.copytree(data_dir, loot_dir)
        return {"data_key": bytes(sam.data_key), "secret": bytes(sam.device_secret)}
    finally:
        sam.lock("test")


def test_a_volunteer_reads_no_casework_note_from_the_hub_or_any_file(team, data_dir, tmp_path):
    manager, hub_dir, team_id = team
    taken = _sam_copies_while_a_caseworker(data_dir, tmp_path / "sam-copy")
    loot = leaver.plunder(tmp_path / "sam-copy" / "confide.db", taken["data_key"], taken["secret"])
    assert loot.box_priv and loot.epoch_keys, "the copy taken as a caseworker holds the computer's keys"

    staff.change_role(manager, "sam", "volunteer")
    membership.disable_colleague(manager, "leo")         # a new team key, for an unrelated reason
    membership.sync(manager)
    fam = family_case(manager)
    hub = open_hub(str(hub_dir), team_id)
    after = hub.head()
    notes.add_note(manager, fam.case.id, "phone_call", date(2026, 11, 2), 10, CANARY)
    membership.sync(manager)
    current_epoch = state.current_epoch(manager.conn)[0]
    manager.lock("test")

    entries = list(hub.read_after(0))
    assert any(e.kind == "bundle" and e.seq > after for e in entries), "the note reached the hub"
    secret = KeyringStore().load(VaultFile.load(Paths(data_dir).vault).vault_id)
    on_hub = b"".join(p.read_bytes() for p in hub_dir.rglob("*") if p.is_file())
    assert not any(n in on_hub for n in text_needles("c", CANARY).values())

    for user in ("sam", "val"):
        privates = _private_keys(data_dir, user, TEMP[user], secret) + \
            _private_keys(tmp_path / "sam-copy", user, TEMP[user], taken["secret"])
        assert privates, f"{user}'s own slot opens with their passphrase"
        # No person half of a team key made while they were a volunteer.
        assert [e for e in _person_halves(entries, team_id, user, privates) if e > 1] == [], \
            f"{user}, a volunteer, was sealed the person half of a team key"
        # Everything they hold together: the copied computer keys, their own key, the hub.
        mine = leaver.plunder(tmp_path / "sam-copy" / "confide.db", taken["data_key"], taken["secret"]) \
            if user == "sam" else leaver.Loot(loot.device_id, team_id)
        for private in privates:
            leaver.try_open_epochs(mine, entries, (user, private))
        assert current_epoch not in mine.epoch_keys, f"{user} opened the current team key"
        texts = leaver.read_bundles(mine, [e for e in entries if e.seq > after])
        assert not any(CANARY in t for t in texts), f"{user} read the casework note from the hub"
        # Every database file in the folder, with every key they hold.
        candidates = [taken["data_key"], *mine.epoch_keys.values()] if user == "sam" else []
        slot = compartment.read_slot(Paths(data_dir), user)
        if slot is not None:
            opened = staff_slot.open_slot(VaultFile.load(Paths(data_dir).vault).vault_id, slot, TEMP[user], secret)
            candidates += opened.data_keys if opened else []
        for path in data_dir.glob("*.db"):
            for key in candidates:
                assert CANARY not in _raw_text(path, key), f"{user} read the note in {path.name}"


def test_becoming_a_volunteer_makes_a_new_team_key_at_the_managers_next_sync(team, data_dir):
    manager, _hub_dir, _team_id = team
    before = state.current_epoch(manager.conn)[0]
    staff.change_role(manager, "sam", "volunteer")
    membership.sync(manager)
    assert state.current_epoch(manager.conn)[0] == before + 1
    # Said once: the next sync owes nothing more.
    membership.sync(manager)
    assert state.current_epoch(manager.conn)[0] == before + 1
    # A volunteer added later is no reason for a new key.
    staff.add_staff(manager, "vic", "Vic Volunteer", "volunteer", "temporary words for vic 44")
    membership.sync(manager)
    assert state.current_epoch(manager.conn)[0] == before + 1


def test_a_team_whose_keys_were_sealed_to_volunteers_gets_a_new_key_after_the_upgrade(team):
    manager, _hub_dir, _team_id = team
    before = state.current_epoch(manager.conn)[0]
    # What schema 20 notes on a team computer whose later keys were made by an older Confide.
    with manager.conn:
        state.put(manager.conn, key_holders.HOLDERS, None)
        state.put(manager.conn, key_holders.UNKNOWN, True)
    membership.sync(manager)
    assert state.current_epoch(manager.conn)[0] == before + 1
    assert "val" not in key_holders.note(manager.conn)
