"""The sync property test with many examples (the suite runs a handful).

Usage: python -m tests.perf.sync_property [EXAMPLES] [STEPS]"""

import sys
import tempfile
from pathlib import Path

import keyring
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from app.security import kdf
from tests.conftest import MemoryKeyring
from tests.team.property_machine import SyncMachine

STATS = {"examples": 0, "conflicts": 0}


class CountingMachine(SyncMachine):
    def teardown(self):
        STATS["examples"] += 1
        STATS["conflicts"] += self.conflicts_seen
        super().teardown()


def main(examples: int = 40, steps: int = 60) -> None:
    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory() as tmp:
        CountingMachine.root = Path(tmp) / "runs"
        CountingMachine.template_root = Path(tmp) / "template"
        run_state_machine_as_test(CountingMachine, settings=settings(
            max_examples=examples, stateful_step_count=steps, deadline=None, database=None,
            suppress_health_check=list(HealthCheck)))
    print(f"examples: {STATS['examples']}, conflicts met and resolved: {STATS['conflicts']}; all converged")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
