"""The report's figures from this checkout against another revision's, on a benchmark dataset, for
several periods: a change to how the report reads its rows must not change one figure.

    python -m tests.perf.report_compare [--cases 50000] [--seed 1] [--against main]

Takes `app/` and `resources/` of the other revision (git archive) into a scratch folder, has each
code write every period's report (exact and as published, suppression applied) as JSON in a process
of its own, and prints the periods that differ. Exit status 1 if any does. Both read the dataset
scale_bench built (.bench/data-<cases>-<seed>-v<schema>); its schema must be both revisions'.

    python -m tests.perf.report_compare --dump OUT.json [--cases 50000]   (one side only)
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from app.domain import periods
from app.security import kdf
from app.services.reports import figures as reports
from app.services.vault import unlock as vault_service
from tests.perf import scale_bench

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 7)  # fixed, so both sides print the same "generated on"


def periods_to_compare():
    return [periods.last_financial_year(date.today()), periods.current_financial_year(date.today()),
            periods.financial_year(2017), periods.financial_year(2020), periods.financial_year(2023),
            periods.academic_year(2024), periods.financial_quarter(2025, 3), periods.month(2026, 2),
            periods.quarter(2019, 1), periods.custom(date(2016, 1, 1), date(2026, 12, 31))]


def dump(cases: int, seed: int, out: Path) -> None:
    kdf.use_cheap_profile_for_tests()
    folder = scale_bench.dataset_folder(cases, seed)
    session = vault_service.unlock(folder / "vault", "manager", scale_bench.PASSPHRASE, folder / "device.key")
    print(f"  code: {Path(reports.__file__).parents[3]}", flush=True)
    found = {}
    for period in periods_to_compare():
        cpu = time.process_time()
        report = reports.build_report(session, period, today=TODAY)
        spent = time.process_time() - cpu
        found[period.label] = {"exact": report.to_json(exact=True), "published": report.to_json()}
        print(f"  {period.label}: {spent * 1000:.0f} ms CPU", flush=True)
    session.lock("compare")
    out.write_text(json.dumps(found, indent=1, sort_keys=True, default=str))


def compare(cases: int, seed: int, against: str) -> int:
    with tempfile.TemporaryDirectory(prefix="report-compare-") as scratch:
        other = Path(scratch) / "other"
        other.mkdir()
        archive = subprocess.run(["git", "archive", against, "app", "resources"], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(other)], input=archive, check=True)
        outputs = {}
        for label, cwd in ((against, other), ("this checkout", ROOT)):
            print(f"{label}:", flush=True)
            outputs[label] = Path(scratch) / f"{len(outputs)}.json"
            # `-m` puts the working folder first on sys.path: each side imports its own app/.
            subprocess.run([sys.executable, "-m", "tests.perf.report_compare", "--dump", str(outputs[label]),
                            "--cases", str(cases), "--seed", str(seed)], cwd=cwd, check=True,
                           env=os.environ | {"PYTHONPATH": str(ROOT)})
        before, after = (json.loads(path.read_text()) for path in outputs.values())
    differing = [label for label in before if before[label] != after.get(label)]
    for label in differing:
        print(f"DIFFERS: {label}")
    print(f"{len(before) - len(differing)} of {len(before)} periods identical (exact and published)")
    return 1 if differing else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--against", default="main")
    parser.add_argument("--dump", type=Path)
    args = parser.parse_args(argv)
    if args.dump:
        dump(args.cases, args.seed, args.dump)
        return 0
    return compare(args.cases, args.seed, args.against)


if __name__ == "__main__":
    raise SystemExit(main())
