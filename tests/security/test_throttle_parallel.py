"""Attack: guess in parallel. Eight processes trying at once used to each read "no failures",
each get a free guess and each write "1 failure" over the others: eight guesses, one or two
counted. The throttle now counts an attempt under a file lock before its guess is checked."""

import subprocess
import sys
from pathlib import Path

from app.security.device import KeyFileStore
from app.security.throttle import FREE_ATTEMPTS, AttemptLog
from app.services.vault.unlock import create_vault
from tests.conftest import PASSPHRASE
from tests.security.support import ROOT, subprocess_env

PROCESSES = 8
SCRIPT = Path(__file__).with_name("attempt_proc.py")


def _race(tmp_path, *args) -> list[str]:
    """Start PROCESSES copies, wait until all are loaded, then release them together."""
    env = subprocess_env(tmp_path)
    procs = [subprocess.Popen([sys.executable, str(SCRIPT), *map(str, args)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
             for _ in range(PROCESSES)]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "READY", proc.stderr.read()
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            outputs.append(out.strip())
        return outputs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


def test_eight_parallel_failures_are_eight_failures(tmp_path):
    attempts = tmp_path / "unlock-attempts.json"
    assert _race(tmp_path, "record", attempts, 5) == ["DONE"] * PROCESSES
    assert len(AttemptLog(attempts).failures("manager")) == PROCESSES * 5


def test_parallel_unlocks_get_no_more_guesses_than_one_after_another(tmp_path):
    key_file = tmp_path / "device.key"
    session, _ = create_vault(tmp_path / "vault", "Northshire SENDIASS", "manager", "Test Manager", PASSPHRASE,
                              KeyFileStore(key_file))
    session.lock()
    outcomes = _race(tmp_path, "unlock", tmp_path / "vault", key_file)
    guesses = outcomes.count("WRONG")
    assert guesses + outcomes.count("WAIT") == PROCESSES
    # Each guess that was checked is counted, and racing bought no guess beyond the free ones.
    assert len(AttemptLog(tmp_path / "vault" / "unlock-attempts.json").failures("manager")) == guesses
    assert guesses == FREE_ATTEMPTS
