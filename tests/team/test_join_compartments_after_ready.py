"""A join is "ready" before the volunteers' compartments are made (docs/sync.md §13): the
joiner is signed in with every record of the team; no volunteer can sign in on the new
computer yet, and the joiner's lock (or the window, in the background, or the next staff
unlock) makes them. What a compartment holds is unchanged (tests/security/test_volunteer_keys.py)."""

import pytest

from app.errors import WrongCredentials
from app.services.vault import compartment, staff
from app.services.vault import unlock as vault_service
from tests.conftest import PASSPHRASE
from tests.team.founding import found_and_join

TEMP = "temporary words for vera 9"


@pytest.fixture
def joined(tmp_path, vault):
    a = vault[0]
    staff.add_staff(a, "vera", "Vera Volunteer", "volunteer", TEMP)
    b = found_and_join(a, tmp_path, "Annexe")
    yield b, tmp_path / "annexe"
    if not b.locked:
        b.lock("test")


def test_a_joined_computer_is_ready_before_its_volunteers_compartments_and_its_lock_makes_them(joined):
    b, folder = joined
    # Failed before: the join made every compartment before it returned (9 s of 70 at 50,000 cases).
    assert compartment.missing(b) == ["vera"]
    assert not compartment.db_path(b.paths, "vera").exists()
    # No volunteer can sign in here yet (the joiner's session holds the computer): refused as
    # an unknown name, nothing opened.
    with pytest.raises(WrongCredentials):
        vault_service.unlock(folder, "vera", TEMP)
    b.lock("test")
    assert compartment.db_path(b.paths, "vera").exists()
    vera = vault_service.unlock(folder, "vera", TEMP)
    try:
        assert vera.compartment
        assert vera.conn.execute("SELECT count(*) FROM staff WHERE username = 'manager'").fetchone()[0] == 1
    finally:
        vera.lock("test")


def test_the_window_makes_them_in_the_background_and_a_later_staff_unlock_makes_any_still_missing(joined):
    b, folder = joined
    compartment.sync_all(b, refresh=False)              # what the window runs after "ready"
    assert compartment.missing(b) == []
    b.lock("test")
    compartment.db_path(b.paths, "vera").unlink()       # gone (or never made: a process killed)
    again = vault_service.unlock(folder, "manager", PASSPHRASE)
    try:
        assert compartment.missing(again) == []
    finally:
        again.lock("test")
