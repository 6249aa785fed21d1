"""Data lifecycle figures (docs/lifecycle.md "Figures"), printed with their targets:

  (a) import N notes (with their cases and people) from CSV files, dry run + import: target
      100,000 notes in under 60 s;
  (b) the retention review (every record past its date) over the demo of N cases: target
      under 2 s at 50,000 (the demo is built once by tests.perf.scale_bench and cached);
  (c) erase N closed cases on one computer of three (an office computer, a second one, a
      laptop) with a folder hub, until every computer has carried it out, the hub has a new
      snapshot and is compacted: target 1,000 cases in under 2 minutes.

    python -m tests.perf.lifecycle_bench [--notes 20000] [--review-cases 5000] [--erase-cases 100]

Defaults are small (a shared machine); pass the issue's sizes on a quiet one.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import keyring

from app.security import kdf
from app.security.device import KeyringStore
from app.services.lifecycle import erase, review
from app.services.lifecycle.importer import run as importer
from app.services.team import compaction, snapshot
from app.services.team import team as team_service
from app.services.team.sync import sync_now
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from app.storage.hub.folder import FolderHub
from tests.conftest import MemoryKeyring
from tests.lifecycle import export_files
from tests.perf import scale_bench

PASSPHRASE = "benchmark passphrase for synthetic data"
TODAY = date(2026, 11, 1)


def timed(fn):
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - start, time.process_time() - cpu


FIGURES: list[tuple[str, float | None, float, float]] = []     # (what, target s, wall s, CPU s)


def line(what: str, wall: float, cpu: float, target: float | None = None) -> None:
    """A progress line on stderr as each figure is taken; the table at the end is stdout."""
    met = "met" if target is not None and wall < target else "NOT met"
    verdict = "" if target is None else f"  (target {target:.0f} s: {met})"
    print(f"{what}: {wall:.2f} s wall, {cpu:.2f} s CPU{verdict}", file=sys.stderr, flush=True)
    FIGURES.append((what, target, wall, cpu))


def table(where: str) -> str:
    """The figures beside their targets, as the README takes them (tests/perf/readme_figures.py:
    output that starts with '|' goes in as a table)."""
    rows = ["| figure | target | wall | CPU | target met |", "|---|---|---|---|---|"]
    for what, target, wall, cpu in FIGURES:
        aim = f"< {target:.0f} s" if target is not None else "—"
        met = "—" if target is None else ("yes" if wall < target else "**no**")
        rows.append(f"| {what} | {aim} | {wall:.1f} s | {cpu:.1f} s | {met} |")
    return "\n".join(rows) + f"\n\n{where}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end."


def bench_import(tmp: Path, notes: int) -> None:
    session, _ = vault_service.create_vault(tmp / "import", "Bench", "manager", "Bench Manager", PASSPHRASE,
                                            KeyringStore())
    for username, name in (("priya", "Priya Shah"), ("tom", "Tom Okafor")):
        staff.add_staff(session, username, name, "caseworker", PASSPHRASE)
    per_case = 10
    files = export_files.write(tmp / "export", cases=max(1, notes // per_case), notes_per_case=per_case, today=TODAY)
    rows = sum(sum(1 for _ in open(p)) - 1 for p in files.values())
    plan, wall, cpu = timed(lambda: importer.dry_run(session, files, export_files.MAPPING, today=TODAY))
    assert plan.ok, plan.rejections[:3]
    line(f"(a) dry run of {rows:,} rows ({notes:,} notes)", wall, cpu)
    counts, wall2, cpu2 = timed(lambda: importer.import_files(session, files, export_files.MAPPING, today=TODAY))
    line(f"(a) dry run + import of {counts['notes']:,} notes ({rows:,} rows in all)", wall + wall2, cpu + cpu2,
         60 * notes / 100_000)
    session.lock("bench")


def bench_review(tmp: Path, cases: int, source: str) -> None:
    """`source` demo: the demo of scale_bench (cached in .bench/, slow to build once);
    import: the same number of cases imported from CSV here (people, enquiries, one note each)."""
    if source == "demo":
        folder = scale_bench.build_dataset(cases, 1)
        session = vault_service.unlock(folder / "vault", "manager", scale_bench.PASSPHRASE,
                                       str(folder / "device.key"))
    else:
        session, _ = vault_service.create_vault(tmp / "review", "Bench", "manager", "Bench Manager", PASSPHRASE,
                                                KeyringStore())
        for username, name in (("priya", "Priya Shah"), ("tom", "Tom Okafor")):
            staff.add_staff(session, username, name, "caseworker", PASSPHRASE)
        files = export_files.write(tmp / "review-export", cases=cases, notes_per_case=1, today=TODAY)
        _, wall, cpu = timed(lambda: importer.import_files(session, files, export_files.MAPPING, today=TODAY))
        line(f"(b) set up: {cases:,} cases imported", wall, cpu)
    for on in (TODAY, date(2045, 1, 1)):
        found, wall, cpu = timed(lambda on=on: review.due_records(session.conn, on))
        line(f"(b) retention review over {cases:,} cases on {on:%d/%m/%Y}: {len(found):,} records due", wall, cpu,
             2.0)
    session.lock("bench")


def _replica(tmp: Path, name: str, template: Path, vault_id: str, secret: bytes):
    shutil.copytree(template, tmp / name)
    KeyringStore().save(vault_id, secret)
    return vault_service.unlock(tmp / name, "manager", PASSPHRASE)


def bench_erase(tmp: Path, n: int) -> None:
    template = tmp / "template"
    first, _ = vault_service.create_vault(template, "Bench", "manager", "Bench Manager", PASSPHRASE, KeyringStore())
    vault_id, secret = first.vault.vault_id, first.device_secret
    first.lock("bench")
    hub = FolderHub(tmp / "hub", "0190a0b0-0000-7000-8000-0000000be7c5", create=True)
    office = _replica(tmp, "office", template, vault_id, secret)
    team_service.create_team(office, hub, "Bench")
    for username, name in (("priya", "Priya Shah"), ("tom", "Tom Okafor")):
        staff.add_staff(office, username, name, "caseworker", PASSPHRASE)
    files = export_files.write(tmp / "erase-export", cases=n * 3 // 2, notes_per_case=5, today=TODAY)
    importer.import_files(office, files, export_files.MAPPING, today=TODAY)
    sync_now(office, hub)
    others = []
    for name, laptop in (("annexe", False), ("laptop", True)):
        s = _replica(tmp, name, template, vault_id, secret)
        invitation = team_service.invite_device(office, hub, name)
        team_service.join_team(s, hub, {**invitation, "kind": "laptop"} if laptop else invitation)
        others.append(s)
    closed = [r[0] for r in office.conn.execute("SELECT id FROM casefile WHERE status = 'closed' LIMIT ?", (n,))]
    for s in (office, *others):
        sync_now(s, hub)
    print(f"(c) set up: {len(closed):,} closed cases to erase, three computers, folder hub", file=sys.stderr,
          flush=True)

    phases: list[tuple[str, float, float]] = []

    def phase(name, fn):
        result, w, c = timed(fn)
        phases.append((name, w, c))
        return result

    def everywhere():
        phase("erase and compact on the office computer", lambda: erase.erase(office, "case", closed, "Benchmark"))
        phase("office pushes the erasure", lambda: sync_now(office, hub))
        for s, name in zip(others, ("annexe", "laptop"), strict=True):
            phase(f"{name} applies it", lambda s=s: sync_now(s, hub))
            phase(f"{name} compacts its file", lambda s=s: erase.carry_out(s))
            phase(f"{name} says so", lambda s=s: sync_now(s, hub))
        phase("office reads who carried it out", lambda: sync_now(office, hub))
        assert erase.not_yet_carried_out(office) == []
        phase("new snapshot", lambda: snapshot.put_snapshot(office.conn, hub))
        phase("hub compaction", lambda: compaction.compact(hub, force=True))
    _, wall, cpu = timed(everywhere)
    for name, w, c in phases:
        print(f"    {name}: {w:.2f} s wall, {c:.2f} s CPU", file=sys.stderr, flush=True)
    line(f"(c) erase {len(closed):,} cases on three computers and the hub (compacted)", wall, cpu, 120 * n / 1000)
    assert office.conn.execute("SELECT count(*) FROM casefile WHERE id IN (SELECT value FROM json_each(?))",
                               (str(closed).replace("'", '"'),)).fetchone()[0] == 0
    for s in (office, *others):
        s.lock("bench")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=20_000)
    parser.add_argument("--review-cases", type=int, default=5_000)
    parser.add_argument("--review-source", choices=["demo", "import"], default="demo")
    parser.add_argument("--erase-cases", type=int, default=100)
    parser.add_argument("--only", choices=["import", "review", "erase"], default=None)
    args = parser.parse_args()
    kdf.use_cheap_profile_for_tests(True)      # unlock cost is not what is measured here
    keyring.set_keyring(MemoryKeyring())       # never the real credential store
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="confide-lifecycle-") as tmp:
        if args.only in (None, "import"):
            bench_import(Path(tmp), args.notes)
        if args.only in (None, "review"):
            bench_review(Path(tmp), args.review_cases, args.review_source)
        if args.only in (None, "erase"):
            bench_erase(Path(tmp), args.erase_cases)
        where = f"Scratch folder {tmp} ({_filesystem(Path(tmp))})"
    print(table(where), flush=True)
    return 0


def _filesystem(path: Path) -> str:
    """tmpfs (memory: fsync costs nothing) or a disk: the wall times depend on it."""
    best, kind = "", "unknown file system"
    try:
        for entry in Path("/proc/mounts").read_text().splitlines():
            _dev, mount, fstype, *_ = entry.split()
            if str(path).startswith(mount) and len(mount) > len(best):
                best, kind = mount, fstype
    except OSError:
        pass
    return kind


if __name__ == "__main__":
    sys.exit(main())
