"""The team simulation (docs/sync.md §16) in the suite: a few hundred seeded steps per hub,
with crashes and torn writes at the named fault points. A failure names its seed and step;
replay with `python -m tests.perf.sim_bench --seed S --steps N --hub H --stop`.

Scenarios that met a finding run plainly once it is fixed (conflict resolution, enquiry
corrections on laptops, a laptop's own enquiry at check-in, a damaged or altered hub entry:
the stopped computers' people run 'confide hub repair' as the message asks, and the
computer holding the copy puts it back)."""

import re

from tests.team.sim import actions
from tests.team.sim.run import simulate
from tests.team.sim.world import Options, World

# Offices only, each person field written by one office alone, conflicts on notes resolved
# at random, enquiry corrections, snapshots and compaction, crashes at every named point.
OFFICES = Options(offices=3, laptops=0, shared_fields=False)


def test_three_offices_on_the_folder_hub_lose_nothing_through_crashes(tmp_path, template_root):
    report = simulate(2, 200, tmp_path, template_root, "folder", options=OFFICES)
    assert (report.steps, len(report.lost), report.mismatches, report.refusals) == (200, 0, 0, 0)


def test_three_offices_on_the_postgresql_hub_lose_nothing_through_crashes(tmp_path, template_root,
                                                                          postgres_server):
    report = simulate(1, 120, tmp_path, template_root, "postgres", postgres_server, options=OFFICES)
    assert (report.steps, len(report.lost), report.mismatches, report.refusals) == (120, 0, 0, 0)


def _masked(log) -> list[str]:
    """The run's actions with record ids and times taken out: those differ from run to run."""
    return [re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|\b[0-9a-f]{6}\b", "ID", repr(entry)) for entry in log]


def test_a_seed_replays_the_same_run(tmp_path, template_root):
    runs = []
    for n in range(2):
        w = World(5, tmp_path / f"run{n}", template_root, "folder", options=Options(offices=3, laptops=1))
        try:
            for step in range(1, 41):
                w.step = step
                actions.run_step(w)
            runs.append(_masked(w.log))
        finally:
            w.close()
    assert runs[0] == runs[1] and len(runs[0]) >= 20


def test_resolving_conflicts_keeps_fields_not_in_conflict(tmp_path, template_root):
    simulate(5, 50, tmp_path, template_root, "folder",
             options=Options(offices=3, laptops=0, faults=False, compaction=False, corrections=False))


def test_enquiry_corrections_reach_a_laptop(tmp_path, template_root):
    simulate(3, 125, tmp_path, template_root, "folder",
             options=Options(offices=2, laptops=1, shared_fields=False, faults=False, compaction=False))


def test_a_laptop_checks_in_after_recording_an_enquiry_itself(tmp_path, template_root):
    simulate(2, 43, tmp_path, template_root, "folder",
             options=Options(offices=2, laptops=1, shared_fields=False, faults=False, compaction=False))


def test_a_damaged_entry_never_splits_the_team(tmp_path, template_root):
    simulate(2, 70, tmp_path, template_root, "folder",
             options=Options(offices=3, laptops=0, faults=False, shared_fields=False, corrections=False,
                             damage=True))


def test_an_altered_bundle_on_postgresql_is_never_passed_over(tmp_path, template_root, postgres_server):
    simulate(2, 75, tmp_path, template_root, "postgres", postgres_server,
             options=Options(offices=3, laptops=0, faults=False, shared_fields=False, corrections=False,
                             damage=True))
