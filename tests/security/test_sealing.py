"""The sealed data key needs both layers (R12): the passphrase's private key and this
computer's device secret; a sealed copy is bound to its vault, owner and key name; and a
format-2 vault.json cannot be edited (e.g. to lift a forced passphrase change)."""

import json
import os
from dataclasses import replace

import pytest

from app.errors import VaultFileInvalid
from app.security import crypto, sealing
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE

VAULT = "0192f0c0-0000-7000-8000-000000000001"


@pytest.fixture
def sealed():
    private, public = sealing.new_key_pair()
    device, data_key = os.urandom(32), crypto.random_key()
    copy = sealing.seal(data_key, public, device, VAULT, "casey", sealing.key_id(data_key, VAULT))
    return private, device, data_key, copy


def test_the_right_private_key_and_device_secret_open_it(sealed):
    private, device, data_key, copy = sealed
    assert sealing.unseal(copy, private, device, VAULT, "casey") == data_key


def test_the_passphrase_alone_opens_nothing_on_another_computer(sealed):
    private, _device, _key, copy = sealed
    assert sealing.unseal(copy, private, os.urandom(32), VAULT, "casey") is None


def test_another_persons_private_key_opens_nothing(sealed):
    _private, device, _key, copy = sealed
    other, _ = sealing.new_key_pair()
    assert sealing.unseal(copy, other, device, VAULT, "casey") is None


@pytest.mark.parametrize("change", ["vault", "owner", "key id", "ephemeral", "ciphertext"])
def test_a_sealed_copy_is_bound_to_its_vault_owner_and_key_name(sealed, change):
    private, device, _key, copy = sealed
    vault, owner = VAULT, "casey"
    if change == "vault":
        vault = VAULT[:-1] + "2"
    elif change == "owner":
        owner = "dana"
    elif change == "key id":
        copy = replace(copy, key_id="0" * 16)
    elif change == "ephemeral":
        copy = replace(copy, ephemeral=sealing.new_key_pair()[1])
    else:
        copy = replace(copy, wrapped=bytes([copy.wrapped[0] ^ 1]) + copy.wrapped[1:])
    assert sealing.unseal(copy, private, device, vault, owner) is None


def test_lifting_a_forced_passphrase_change_in_vault_json_is_refused(session, data_dir):
    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    session.lock()
    path = data_dir / "vault.json"
    data = json.loads(path.read_text())
    next(s for s in data["slots"] if s["user"] == "casey")["must_change"] = False
    path.write_text(json.dumps(data))
    with pytest.raises(VaultFileInvalid, match="altered"):
        vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)
    with pytest.raises(VaultFileInvalid, match="altered"):
        vault_service.unlock(data_dir, "manager", PASSPHRASE)
