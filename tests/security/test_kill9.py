"""kill -9 while committing: nothing that was reported committed is lost, nothing is damaged.
`tests/perf/kill_loop.py` runs the same rounds many more times."""

import random
import subprocess
import sys

import pytest

from app.security.device import KeyFileStore
from app.services.vault import unlock as vault_service
from tests.conftest import PASSPHRASE
from tests.security.kill_harness import check_survived, kill_one
from tests.security.support import subprocess_env

ROUNDS = 4


@pytest.mark.slow
def test_sigkill_during_writes_loses_nothing_committed(tmp_path, data_dir):
    key_file = tmp_path / "device.key"
    session, _ = vault_service.create_vault(data_dir, "Svc", "manager", "Test Manager", PASSPHRASE,
                                            KeyFileStore(key_file))
    session.lock()
    env = subprocess_env(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    commits = []
    for index in range(ROUNDS):
        round_ = kill_one(data_dir, key_file, PASSPHRASE, env, logs, rng, index)
        commits.append(round_.commits)
        try:
            check_survived(data_dir, key_file, PASSPHRASE, round_.reported)
        except AssertionError as exc:
            raise AssertionError(f"round {index} (seed {seed}, killed after {round_.delay:.3f} s): {exc}") from exc
    # The kills landed among commits, not all before the first one.
    assert sum(commits) > ROUNDS, commits


CRASH_AFTER_VAULT_WRITE = """
import os, signal, sys
from app.security import kdf
from app.services.vault import staff
from app.services.vault import unlock as vault_service

kdf.use_cheap_profile_for_tests()
session = vault_service.unlock(sys.argv[1], "manager", sys.stdin.readline().rstrip(), sys.argv[2])
original = staff._save_vault

def save_then_die(*args):
    original(*args)
    os.kill(os.getpid(), signal.SIGKILL)  # vault.json is written; the transaction is not committed

staff._save_vault = save_then_die
staff.add_staff(session, "casey", "Casey Worker", "caseworker", "temporary words for casey")
"""


def test_sigkill_between_the_vault_file_and_the_commit_is_not_taken_for_tampering(tmp_path, data_dir):
    """Staff changes write vault.json inside the open transaction. A crash right after that
    write must not leave vault.json claiming audit events the database never committed:
    `verify` would then report them as removed, i.e. as tampering."""
    key_file = tmp_path / "device.key"
    session, _ = vault_service.create_vault(data_dir, "Svc", "manager", "Test Manager", PASSPHRASE,
                                            KeyFileStore(key_file))
    session.lock()
    proc = subprocess.run([sys.executable, "-c", CRASH_AFTER_VAULT_WRITE, str(data_dir), str(key_file)],
                          input=PASSPHRASE + "\n", capture_output=True, text=True,
                          env=subprocess_env(tmp_path), timeout=60)
    assert proc.returncode == -9, proc.stderr
    check_survived(data_dir, key_file, PASSPHRASE, [])
