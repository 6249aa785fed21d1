"""The recovery key is read from paper: no letters that look like digits (O/0, I/1, L/1), and
keys printed before this alphabet (RFC 4648 base32) still open the vault, typed any way."""

import base64
import secrets

import pytest

from app.errors import ValidationError, WrongRecoveryKey
from app.security import recovery_slot
from app.security.recovery_slot import RecoverySlot, new_recovery_key

VAULT_ID = "0190a0b0-0000-7000-8000-000000000001"


def _grouped(text: str) -> str:
    return "-".join(text[i:i + 5] for i in range(0, len(text), 5))


def test_new_keys_have_no_look_alike_letters():
    for _ in range(200):
        key = new_recovery_key()
        groups = key.split("-")
        assert len(groups) == 8 and all(len(g) == 5 for g in groups)
        assert not set(key.replace("-", "")) & set("ILOU")


def test_a_key_printed_in_the_old_alphabet_still_opens_its_slot():
    raw = secrets.token_bytes(recovery_slot.RECOVERY_BYTES)
    current = _grouped(recovery_slot._encode(raw))
    legacy = _grouped(base64.b32encode(raw).decode())
    data_key, device = secrets.token_bytes(32), secrets.token_bytes(32)
    slot = RecoverySlot.create(current, VAULT_ID, data_key, device)
    assert slot.open(current, VAULT_ID) == ([data_key], device)
    assert slot.open(legacy.lower().replace("-", " "), VAULT_ID) == ([data_key], device)
    # On an old sheet a 0 typed for the letter O, or a 1 for I, is read as the letter.
    assert slot.open(legacy.replace("O", "0").replace("I", "1"), VAULT_ID) == ([data_key], device)
    # On a new sheet, the letters O and I typed for 0 and 1 are read as the digits.
    assert slot.open(current.replace("0", "O").replace("1", "I"), VAULT_ID) == ([data_key], device)
    with pytest.raises(WrongRecoveryKey):
        slot.open(new_recovery_key(), VAULT_ID)


def test_a_key_that_cannot_be_one_gets_a_plain_message():
    with pytest.raises(ValidationError, match="8 groups of 5"):
        recovery_slot.recovery_candidates("ABCDE-FGH")
    # U is in no key of today's alphabet, 9 in none of the old one: together, in neither.
    with pytest.raises(ValidationError, match="cannot be in one"):
        recovery_slot.recovery_candidates("U9" * 20)
