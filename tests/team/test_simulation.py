"""The team simulation (docs/sync.md §16) in the suite: a few hundred seeded steps per hub.
A failure names its seed and step; replay with tests/perf/sim_bench.py --seed S."""

import pytest

from tests.team.sim.run import simulate
from tests.team.sim.world import Options


def test_casework_sync_and_crashes_on_the_folder_hub(tmp_path, template_root):
    report = simulate(1, 120, tmp_path, template_root, "folder",
                      options=Options(offices=3, laptops=0, corrections=True))
    assert report.steps == 120 and not report.lost and report.mismatches == 0
