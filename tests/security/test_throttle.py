"""Unlock throttle: three free attempts, then a growing delay that survives a restart and is
reset by a success. Time comes from an injected clock, so nothing here sleeps."""

import json

import pytest

from app.errors import TooManyAttempts, WrongCredentials
from app.security import throttle
from app.security.throttle import AttemptLog
from app.services.vault import unlock as vault_service
from tests.conftest import PASSPHRASE

WRONG = "definitely not the passphrase"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def locked(vault, data_dir):
    vault[0].lock()
    return data_dir


def _fail(data_dir, clock, user="manager"):
    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, user, WRONG, clock=clock)


def test_delay_starts_after_three_failures_grows_survives_restart_and_resets(locked):
    data_dir, clock = locked, Clock()
    path = data_dir / "unlock-attempts.json"
    for _ in range(3):
        _fail(data_dir, clock)
        clock.now += 1
    # Even the right passphrase is refused while the delay runs, without saying it was right.
    with pytest.raises(TooManyAttempts) as info:
        vault_service.unlock(data_dir, "manager", PASSPHRASE, clock=clock)
    assert info.value.wait_seconds == 4 and "Wait 4 seconds" in info.value.message
    assert len(AttemptLog(path, clock).failures("manager")) == 3  # a refused try is not a guess

    waits = []
    for _ in range(3):
        clock.now += AttemptLog(path, clock).seconds_to_wait("manager")
        _fail(data_dir, clock)
        # A fresh AttemptLog reads only the file: what Confide sees after a restart.
        waits.append(AttemptLog(path, clock).seconds_to_wait("manager"))
    assert waits == [10, 20, 40]
    clock.now += 39
    with pytest.raises(TooManyAttempts):
        vault_service.unlock(data_dir, "manager", PASSPHRASE, clock=clock)

    clock.now += 1
    session = vault_service.unlock(data_dir, "Manager ", PASSPHRASE, clock=clock)
    failed = session.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'unlock_failed'").fetchone()[0]
    session.lock()
    assert failed == 6  # each failure is in the audit trail once someone gets in
    assert AttemptLog(path, clock).failures("manager") == []
    _fail(data_dir, clock)
    assert AttemptLog(path, clock).seconds_to_wait("manager") == 0  # counting starts again


def test_the_delay_is_per_account_and_capped(locked):
    data_dir, clock = locked, Clock()
    for _ in range(3):
        _fail(data_dir, clock)
    with pytest.raises(TooManyAttempts):
        vault_service.unlock(data_dir, "MANAGER", PASSPHRASE, clock=clock)
    _fail(data_dir, clock, user="someone-else")  # another name is not held up by manager's delay
    log = AttemptLog(data_dir / "unlock-attempts.json", clock)
    for _ in range(40):
        log.record_failure("manager")
    assert log.seconds_to_wait("manager") == throttle.MAX_DELAY


def test_a_clock_set_back_does_not_lock_anyone_out_for_longer_than_the_delay(locked):
    """Failures recorded while the computer's clock ran a day fast must not, once the clock
    is corrected, turn a 5-second delay into a day-long lock-out."""
    data_dir = locked
    fast = Clock(1_800_086_400.0)
    for _ in range(3):
        _fail(data_dir, fast)
    corrected = Clock(1_800_000_000.0)
    log = AttemptLog(data_dir / "unlock-attempts.json", corrected)
    assert 0 < log.seconds_to_wait("manager") <= throttle.delay_after(3)


def test_a_damaged_attempts_file_locks_nobody_out(locked):
    (locked / "unlock-attempts.json").write_text("{ not json")
    vault_service.unlock(locked, "manager", PASSPHRASE).lock()
    (locked / "unlock-attempts.json").write_text(json.dumps({"manager": ["soon", None]}))
    vault_service.unlock(locked, "manager", PASSPHRASE).lock()
