"""The team simulation at length (docs/sync.md §16): many steps, one hub, one seed.

    python -m tests.perf.sim_bench --steps 10000 --hub folder --seed 7
    python -m tests.perf.sim_bench --steps 10000 --hub postgres --seed 7 [--no-corrections ...]

Prints steps, lost changes, digest mismatches, refusals and time; with --stop, stops at the
first failed invariant and prints it (seed and step, to replay). PostgreSQL runs on a
throwaway server started here (tests/pgserver.py)."""

import argparse
import sys
import tempfile
from pathlib import Path

import keyring

from app.security import kdf
from tests.conftest import MemoryKeyring
from tests.pgserver import PostgresServer, find_bindir
from tests.team.sim.run import SimFailure, simulate
from tests.team.sim.world import Options


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--hub", choices=("folder", "postgres"), default="folder")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--offices", type=int, default=3)
    p.add_argument("--laptops", type=int, default=1)
    p.add_argument("--settle-every", type=int, default=25)
    p.add_argument("--stop", action="store_true", help="stop at the first failed invariant")
    for flag in ("faults", "corrections", "shared-fields", "compaction", "damage"):
        p.add_argument(f"--no-{flag}", action="store_true")
    args = p.parse_args(argv)
    options = Options(offices=args.offices, laptops=args.laptops, faults=not args.no_faults,
                      damage=not args.no_damage, corrections=not args.no_corrections,
                      shared_fields=not args.no_shared_fields, compaction=not args.no_compaction,
                      settle_every=args.settle_every)
    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(MemoryKeyring())
    server = None
    with tempfile.TemporaryDirectory(prefix="confide-sim-") as tmp:
        root = Path(tmp)
        if args.hub == "postgres":
            server = PostgresServer(find_bindir())
            server.start()
        try:
            report = simulate(args.seed, args.steps, root / "world", root / "template", args.hub, server,
                              options, stop=args.stop, progress=lambda r: print(r.line(), flush=True),
                              echo=lambda line: print(line, flush=True))
        except SimFailure as exc:
            print(exc)
            return 1
        finally:
            if server is not None:
                server.stop()
    print(report.line())
    return 0 if not (report.lost or report.mismatches or report.refusals or report.errors) else 1


if __name__ == "__main__":
    sys.exit(main())
