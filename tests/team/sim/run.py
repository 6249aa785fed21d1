"""Run the simulation: a step at a time, invariants after each, everyone settling every
`settle_every` steps and at the end."""

import time
from dataclasses import dataclass, field

from tests.team.sim import actions, invariants
from tests.team.sim.world import Options, World


class SimFailure(AssertionError):
    pass


@dataclass
class Report:
    seed: int
    hub: str
    steps: int = 0
    lost: set = field(default_factory=set)           # marker texts or owned fields lost
    mismatches: int = 0                              # digest checks that failed
    refusals: int = 0
    echoed: int = 0
    errors: int = 0                                  # actions that raised what no person should meet
    problems: list = field(default_factory=list)     # (step, text), first few
    fired: dict = field(default_factory=dict)        # faults that fired, by kind
    repaired: int = 0                                # hub entries/snapshots put back by repair
    seconds: float = 0.0

    def line(self) -> str:
        fired = ", ".join(f"{n} {kind}" for kind, n in sorted(self.fired.items())) or "none"
        return (f"seed {self.seed} hub {self.hub}: steps {self.steps}, lost changes {len(self.lost)}, "
                f"digest mismatches {self.mismatches}, refusals {self.refusals}, errors {self.errors}, "
                f"faults fired: {fired}, repaired {self.repaired}, "
                f"{self.seconds:.1f} s")


def _tally(report: Report, w: World, problems: list[str], stop: bool, echo=None) -> None:
    for p in problems:
        if echo is not None and report.echoed < 40:
            report.echoed += 1
            echo(f"  step {w.step}: {p[:400]}")
        if p.startswith("lost:"):
            report.lost.add(p.split(" is held")[0].split(" reads")[0])
        elif p.startswith("digest"):
            report.mismatches += 1
        elif p.startswith("refused"):
            report.refusals += 1
        elif p.startswith("error"):
            report.errors += 1
        if len(report.problems) < 20:
            report.problems.append((w.step, p))
    if problems and stop:
        tail = "\n".join(f"  {entry}" for entry in w.log[-25:])
        raise SimFailure(f"simulation seed {w.seed} ({w.hub_kind} hub) failed at step {w.step}:\n"
                         + "\n".join(f"- {p}" for p in problems[:8])
                         + f"\nreplay: python -m tests.perf.sim_bench --seed {w.seed} --hub {w.hub_kind} "
                           f"--steps {w.step}\nlast actions:\n{tail}")


def simulate(seed: int, steps: int, root, template_root, hub: str = "folder", pg_server=None,
             options: Options | None = None, stop: bool = True, progress=None, echo=None) -> Report:
    """May raise: SimFailure (with `stop`): an invariant failed; the message gives seed and step."""
    started = time.monotonic()
    report = Report(seed, hub)
    w = World(seed, root, template_root, hub, pg_server, options or Options())
    try:
        for step in range(1, steps + 1):
            w.step = step
            try:
                actions.run_step(w)
            except Exception as exc:    # noqa: BLE001 - anything else a person would meet is a failure
                w.note("raised", f"{type(exc).__name__}: {exc}")
                for c in w.computers:
                    if c.conn.in_transaction:
                        c.conn.execute("ROLLBACK")
                _tally(report, w, [f"error: an action raised {type(exc).__name__}: {exc}"], stop, echo)
            _tally(report, w, invariants.after_step(w), stop, echo)
            if step % w.options.settle_every == 0 or step == steps:
                actions.quiesce(w)
                _tally(report, w, invariants.after_settling(w), stop, echo)
            report.steps = step
            if progress is not None and step % 500 == 0:
                report.seconds, report.fired, report.repaired = time.monotonic() - started, dict(w.fired), w.repaired
                progress(report)
    finally:
        report.fired, report.repaired = dict(w.fired), w.repaired
        w.close()
        report.seconds = time.monotonic() - started
    return report
