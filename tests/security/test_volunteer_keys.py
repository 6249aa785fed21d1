"""Attack: a volunteer opens the database with every key their account can derive
(docs/security.md, "Volunteers hold no key to casework").

Before: every key slot in vault.json sealed the one data key, so a volunteer's passphrase and
the computer's device secret gave the key to the whole database; a raw SQLCipher open read every
note, consent, address and safeguarding record. Here canaries are planted in each; the attacker
holds vault.json, every slot file, every database file, their passphrase and the device secret,
derives every key they can, and opens every file with each. No canary is readable."""

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlcipher3

from app.config import Paths
from app.errors import PermissionDenied, WrongCredentials
from app.security import sealing, staff_slot
from app.security.device import KeyringStore
from app.security.keyslots import VaultFile
from app.services.casework import enquiries, notes, people, safeguarding
from app.services.casework.people import PersonInput
from app.services.vault import compartment, staff
from app.services.vault import unlock as vault_service
from app.services.vault.verify import verify_vault
from tests.unit.casework_helpers import FRESH, add_worker, phone_enquiry
from tests.unit.consent_helpers import TODAY, family_case, share_with, signed

CANARIES = {"note": "CANARY-NOTE-quartz-heron", "address": "CANARY-ADDRESS-17 Larkspur Mews",
            "safeguarding": "CANARY-SAFEGUARDING-violet-kettle", "consent": "CANARY-CONSENT-amber-lantern"}


@pytest.fixture
def planted(session, data_dir):
    fam = family_case(session)
    current = people.as_input(people.get_person(session, fam.parent.id))
    people.update_person(session, fam.parent.id, replace(current, address=CANARIES["address"]))
    notes.add_note(session, fam.case.id, "phone_call", date(2026, 11, 2), 10, CANARIES["note"])
    safeguarding.raise_concern(session, fam.case.id, date(2026, 11, 3), CANARIES["safeguarding"], today=TODAY)
    signed(session, fam, share_with(fam.senco, purpose=CANARIES["consent"]), today=TODAY)
    volunteer = add_worker(session, data_dir, "vera", role="volunteer")
    enquiries.record_enquiry(volunteer, phone_enquiry(caller=PersonInput(
        kind="family_member", first_name="Nora", last_name="Pell"), caller_role="family_member"))
    return fam, volunteer


def _keys_the_volunteer_can_derive(data_dir: Path, user: str, passphrase: str) -> list[bytes]:
    """Everything the account's own secrets unlock, from every slot anywhere in the folder."""
    paths = Paths(data_dir)
    vault = VaultFile.load(paths.vault)
    secret = KeyringStore().load(vault.vault_id)
    slots = list(vault.slots.values()) + [s for f in data_dir.glob("volunteer-*.slot.json")
                                          if (s := compartment.read_slot(paths, f.name[10:-10])) is not None]
    privates = []
    for slot in slots:
        opened = staff_slot.open_slot(vault.vault_id, slot, passphrase, secret)
        if opened is not None:
            privates.append(opened.private)
    assert privates, "the volunteer's own slot must open with their passphrase"
    keys = []
    for slot in slots:
        for private in privates:
            for sealed in slot.sealed:
                for user_name in {slot.user, user}:
                    key = sealing.unseal(sealed, private, secret, vault.vault_id, user_name)
                    if key is not None:
                        keys.append(key)
    return list(dict.fromkeys(keys))


def _readable_text(path: Path, key: bytes) -> str | None:
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    except sqlcipher3.DatabaseError:
        return None
    finally:
        pass
    text = []
    for table in tables:
        try:
            text += [json.dumps([str(v) for v in row]) for row in conn.execute(f'SELECT * FROM "{table}"')]
        except sqlcipher3.DatabaseError:
            continue
    conn.close()
    return "\n".join(text)


def test_no_key_a_volunteer_can_derive_decrypts_any_canary(session, data_dir, planted):
    # Failed before: the volunteer's key opened confide.db and read every canary.
    fam, volunteer = planted
    volunteer.lock()
    session.lock()
    keys = _keys_the_volunteer_can_derive(data_dir, "vera", FRESH)
    files = sorted(p for p in data_dir.glob("*.db"))
    opened = {}
    for path in files:
        for key in keys:
            text = _readable_text(path, key)
            if text is not None:
                opened[path.name] = text
    assert "confide.db" not in opened, "a volunteer's key opens the vault's database"
    assert list(opened) == ["volunteer-vera.db"]
    leaks = [f"{kind} in {name}" for name, text in opened.items() for kind, word in CANARIES.items()
             if word.lower() in text.lower()]
    assert leaks == []
    # What they may see is there: their enquiry's caller, names of people, no address.
    assert "Pell" in opened["volunteer-vera.db"] and fam.parent.last_name in opened["volunteer-vera.db"]


def test_the_volunteer_works_in_their_compartment_and_staff_take_it_in(session, data_dir, planted):
    fam, volunteer = planted
    assert volunteer.compartment and Path(volunteer.conn.execute("PRAGMA database_list").fetchone()[2]).name == \
        "volunteer-vera.db"
    found = people.find_people(volunteer, text=fam.parent.last_name[:3])
    assert fam.parent.id in {p.id for p in found}
    mine = enquiries.recent_enquiries(volunteer)
    assert [e.id for e in mine]
    # The manager's next action takes the volunteer's enquiry and audit events in.
    assert enquiries.get_enquiry(session, mine[0].id).handled_by == "vera"
    actions = {r[0] for r in session.conn.execute("SELECT action FROM audit_event WHERE actor = 'vera'")}
    assert {"unlock", "enquiry_recorded"} & actions
    # A passphrase change reaches the vault's own records; the volunteer unlocks with it.
    staff.change_own_passphrase(volunteer, FRESH, "another fresh passphrase here")
    volunteer.lock()
    again = vault_service.unlock(data_dir, "vera", "another fresh passphrase here")
    assert again.compartment
    again.lock()
    # What needs the vault's key says plainly that a volunteer's account does not hold it.
    with pytest.raises(PermissionDenied, match="volunteer's account"):
        verify_vault(data_dir, "vera", "another fresh passphrase here")


def test_disabling_a_volunteer_removes_their_compartment(session, data_dir, planted):
    _, volunteer = planted
    volunteer.lock()
    staff.disable(session, "vera")
    assert not (data_dir / "volunteer-vera.db").exists()
    assert not (data_dir / "volunteer-vera.slot.json").exists()
    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, "vera", FRESH)


def test_a_volunteers_references_never_repeat_after_staff_write_their_compartment(session, data_dir, planted):
    """The compartment's reference counter is written from the vault's at each refresh: the
    numbers the volunteer took there must be in the vault's counter first, or the refresh
    hands them out again (the volunteer's next enquiry was refused: UNIQUE reference)."""
    fam, volunteer = planted
    first = enquiries.record_enquiry(volunteer, phone_enquiry(anonymous=True, caller_role="anonymous")).enquiry
    # A staff write the compartment copies, then the sync a staff session runs at lock or unlock.
    people.update_person(session, fam.parent.id, replace(people.as_input(people.get_person(session, fam.parent.id)),
                                                         known_as="Jo"))
    compartment.sync_all(session, refresh=True)
    second = enquiries.record_enquiry(volunteer, phone_enquiry(anonymous=True, caller_role="anonymous")).enquiry
    assert second.reference != first.reference
    compartment.sync_all(session, refresh=True)
    refs = [r[0] for r in session.conn.execute("SELECT reference FROM enquiry WHERE handled_by = 'vera'")]
    assert len(refs) == len(set(refs)) == 3


def test_a_staff_write_reaches_a_volunteers_open_compartment_when_the_call_returns(session, data_dir, planted):
    """A volunteer signed in on this computer sees what staff just wrote, without waiting for
    staff's next action: the write follower runs once the outermost service call returns
    (docs/security.md, "Saving a note"). update_person calls no other service after its commit."""
    fam, volunteer = planted
    current = people.as_input(people.get_person(session, fam.parent.id))
    people.update_person(session, fam.parent.id, replace(current, known_as="Jojo"))
    assert people.get_person(volunteer, fam.parent.id).known_as == "Jojo"


def test_a_compartment_this_session_wrote_is_not_synced_again_by_its_next_call(session, data_dir, monkeypatch):
    """Adding a volunteer writes their compartment; the manager's next call must not take those
    files for a volunteer's work and sync every compartment again (inside a caller's open read,
    that sync failed: 'database table is locked')."""
    add_worker(session, data_dir, "vera", role="volunteer").lock()
    staff.add_staff(session, "vince", "Vince Helper", "volunteer", "a temporary passphrase here")
    synced = []
    real = compartment.sync_all
    monkeypatch.setattr(compartment, "sync_all", lambda s, *a, **k: (synced.append(1), real(s, *a, **k))[1])
    staff.list_staff(session)
    assert synced == []
