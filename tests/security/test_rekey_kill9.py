"""kill -9 during a re-key, at every step of keying.rotate and at random moments: the vault
always opens afterwards with the old key or the new one, never neither, for every account.
tests/perf/rekey_kill_loop.py runs many more random rounds on a larger database."""

import random

import pytest

from app.security.keyslots import VaultFile
from tests.security.rekey_harness import STEPS, check_survived, make_vault, random_rounds, run
from tests.security.support import subprocess_env


@pytest.mark.parametrize("step", STEPS)
def test_sigkill_at_each_step_of_a_rekey(tmp_path, data_dir, step):
    key_file = tmp_path / "device.key"
    make_vault(data_dir, key_file)
    before = VaultFile.load(data_dir / "vault.json").key_id
    lines = run(data_dir, key_file, subprocess_env(tmp_path), ["die-at", step])
    assert not [line for line in lines if line.startswith("K ")]  # it died inside the re-key
    after = check_survived(data_dir, key_file, lines, before)
    # From the moment vault.json names the new key, the next unlock finishes moving to it.
    assert (after != before) == (step != "pending")


@pytest.mark.slow
def test_sigkill_at_random_moments_during_rekeys(tmp_path, data_dir):
    key_file = tmp_path / "device.key"
    make_vault(data_dir, key_file)
    seed = random.SystemRandom().randrange(2**32)
    random_rounds(data_dir, key_file, subprocess_env(tmp_path), rounds=3, seed=seed)
