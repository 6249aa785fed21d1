"""A deterministic, seeded, replayable simulation of a team (docs/sync.md §16): three to
five computers on one hub running casework, corrections, conflicts, check-outs, compaction
and faults at named points, with invariants checked after every step. A failure prints its
seed and step; `tests/perf/sim_bench.py --seed S` replays it."""
