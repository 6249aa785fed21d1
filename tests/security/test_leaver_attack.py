"""The leaver's attack script (tests/security/leaver_attack.py), run whole against real
`confide` processes: every attack ends in refusal. Failed on main: the copied database gave
the computer's private keys to the data key alone, the new team key was sealed to the copied
computer key, and the copied manager-computer key enrolled a rogue computer."""

import subprocess
import sys

import pytest

from tests.security.support import ROOT, subprocess_env

pytestmark = pytest.mark.slow  # a dozen `confide` processes


def test_the_leaver_reads_nothing_new_and_nothing_they_sign_is_accepted(tmp_path):
    env = subprocess_env(tmp_path)
    result = subprocess.run([sys.executable, "-m", "tests.security.leaver_attack", "--workdir", str(tmp_path / "w")],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    lines = [line for line in result.stdout.splitlines() if line.startswith(("REFUSED", "SUCCEEDED"))]
    assert result.returncode == 0 and len(lines) == 7, (result.stdout, result.stderr)
    assert all(line.startswith("REFUSED") for line in lines), lines
