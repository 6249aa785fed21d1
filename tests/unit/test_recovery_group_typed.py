"""The set-up wizard asks for one group of the new recovery key typed back. Keys use
Crockford's alphabet, where 0, 1 and 8 are digits: a group holding them must be accepted as
printed, and the look-alikes (O, I, L) read as the parser reads them."""

from app.security.recovery_slot import (
    ALPHABET,
    new_recovery_key,
    parse_recovery_key,
    recovery_groups,
)
from ui.wizard.recovery_pages import normalise_group


def test_a_group_with_0_1_and_8_is_accepted_as_printed_and_in_any_case():
    assert normalise_group("0a18z") == "0A18Z"
    assert normalise_group(" 0A1-8Z ") == "0A18Z"


def test_look_alikes_are_read_as_the_parser_reads_them():
    assert normalise_group("OAI8Z") == "0A18Z" and normalise_group("oal8z") == "0A18Z"


def test_every_group_of_many_new_keys_is_confirmed_by_typing_it_back():
    for _ in range(200):
        key = new_recovery_key()
        for group in recovery_groups(key):
            assert set(group) <= set(ALPHABET)
            assert normalise_group(group.lower()) == group
        # and the key as a whole, typed with look-alikes, is the same key
        assert parse_recovery_key(key.replace("0", "O").replace("1", "I")) == parse_recovery_key(key)
