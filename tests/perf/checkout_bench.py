"""Laptop figures: check out 50 cases (with their notes) to a laptop and check them back in,
each under 5 s on the 50,000-case dataset, on a folder hub.

Uses the cached dataset of tests/perf/scale_bench.py (.bench/, never in git; the newest
`data-<cases>-1-v*`, or --dataset DIR), copied, so the cache is left as it was; an older
schema upgrades on unlock as a real office's vault would. Check-out is timed from the laptop's request to the rows on the
laptop: laptop sync (request on the hub), office sync (answer and package), laptop sync
(package applied). Check-in is timed as `check_in` on the laptop (sync, mark returned, sync,
erase, compact) and then the office's sync that receives the laptop's work.

Usage: nice python -m tests.perf.checkout_bench [--cases 50000] [--dataset DIR] [--take 50]
       [--office-only] [--profile]   (--profile: cProfile of each timed phase into .bench/)
"""

import argparse
import json
import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from app.security import kdf
from app.security.device import KeyFileStore
from app.services.casework import notes
from app.services.team import membership
from app.services.team.laptop import checkout
from app.services.vault import unlock as vault_service
from tests.perf.scale_bench import OUT, PASSPHRASE, build_dataset


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _db_bytes(folder: Path) -> int:
    """The database and its WAL: before a checkpoint much of the data is in the WAL."""
    return sum(p.stat().st_size for p in folder.glob("confide.db*") if p.is_file())


def _source(cases: int, seed: int, dataset: Path | None) -> Path:
    if dataset is not None:
        return dataset
    found = sorted(OUT.glob(f"data-{cases}-{seed}-v*/ready"))
    return found[-1].parent if found else build_dataset(cases, seed)


class _Phase:
    """Wall and CPU seconds of a phase, and its cProfile when asked for."""

    def __init__(self, name: str, profile: bool):
        self.name, self.profile = name, profile

    def __enter__(self):
        import cProfile

        self.prof = cProfile.Profile() if self.profile else None
        self.c0, self.t0 = time.process_time(), time.perf_counter()
        if self.prof:
            self.prof.enable()
        return self

    def __exit__(self, *exc):
        if self.prof:
            self.prof.disable()
        self.wall, self.cpu = time.perf_counter() - self.t0, time.process_time() - self.c0
        if self.prof:
            OUT.mkdir(exist_ok=True)
            self.prof.dump_stats(OUT / f"checkout-{self.name}.prof")
        return False


def run(cases: int, seed: int, take: int, root: Path, dataset: Path | None = None, profile: bool = False) -> dict:
    source = _source(cases, seed, dataset)
    shutil.copytree(source / "vault", root / "office")
    shutil.copy(source / "device.key", root / "office.key")
    hub = root / "hub"
    hub.mkdir()
    office = vault_service.unlock(root / "office", "manager", PASSPHRASE, root / "office.key")
    create_s, _ = _timed(lambda: membership.create(office, str(hub), "Benchmark SENDIASS"))
    code = membership.invite(office, "Laptop 1", root / "laptop.invite", laptop=True)
    join_s, laptop = _timed(lambda: membership.join(root / "laptop", root / "laptop.invite", code, "manager",
                                                    PASSPHRASE, KeyFileStore(root / "laptop.key")))
    refs = [r[0] for r in office.conn.execute(
        "SELECT c.reference FROM casefile c WHERE c.status = 'open' AND c.deleted_at IS NULL AND "
        "EXISTS (SELECT 1 FROM note n WHERE n.case_id = c.id) ORDER BY c.reference LIMIT ?", (take,))]
    case_ids = [r[0] for r in office.conn.execute(
        f"SELECT id FROM casefile WHERE reference IN ({', '.join('?' for _ in refs)})", refs)]
    note_count = office.conn.execute(
        f"SELECT count(*) FROM note WHERE case_id IN ({', '.join('?' for _ in case_ids)})", case_ids).fetchone()[0]

    # CPU seconds too: the shared machine's load inflates wall time.
    with _Phase("request", profile) as p1:
        checkout.request(laptop, refs)
        membership.sync(laptop)
    with _Phase("answer", profile) as p2:
        membership.sync(office)
    with _Phase("receive", profile) as p3:
        membership.sync(laptop)
    t0, t1, t2, t3 = 0.0, p1.wall, p1.wall + p2.wall, p1.wall + p2.wall + p3.wall
    c0, c3 = 0.0, p1.cpu + p2.cpu + p3.cpu
    on_laptop = laptop.conn.execute("SELECT count(*) FROM casefile").fetchone()[0]
    notes_on_laptop = laptop.conn.execute("SELECT count(*) FROM note").fetchone()[0]
    assert on_laptop == len(refs) and notes_on_laptop == note_count, (on_laptop, notes_on_laptop)
    laptop_bytes_out = _db_bytes(root / "laptop")

    for case_id in case_ids[:10]:
        notes.add_note(laptop, case_id, "meeting", date.today(), 30, "Met the family at home; agreed next steps.")
    def laptop_then_office(session):
        """The laptop's sync, then the office's (watching the hub, it applies them at once and
        says so on the hub), then the laptop's again to read that: check-in erases only once
        every office computer has applied the laptop's changes (docs/sync.md §14)."""
        got = membership.sync(session)
        membership.sync(office)
        membership.sync(session)
        return got

    with _Phase("checkin", profile) as p4:
        result = checkout.check_in(laptop, sync=laptop_then_office, wait=60.0)
    with _Phase("office-receive", profile) as p5:
        membership.sync(office)
    t4, t5, t6 = 0.0, p4.wall, p4.wall + p5.wall
    c4, c6 = 0.0, p4.cpu + p5.cpu
    assert len(result.returned) == len(refs)
    assert laptop.conn.execute("SELECT count(*) FROM casefile").fetchone()[0] == 0
    laptop_bytes_in = _db_bytes(root / "laptop")
    for s in (office, laptop):
        s.lock("bench")
    figures = {
        "cases": cases, "checked_out": len(refs), "notes": note_count, "team_create_s": round(create_s, 1),
        "laptop_join_s": round(join_s, 1), "request_push_s": round(t1 - t0, 2), "office_answer_s": round(t2 - t1, 2),
        "laptop_receive_s": round(t3 - t2, 2), "checkout_total_s": round(t3 - t0, 2),
        "checkin_laptop_s": round(t5 - t4, 2), "office_receive_s": round(t6 - t5, 2),
        "checkin_total_s": round(t6 - t4, 2), "checkout_cpu_s": round(c3 - c0, 2),
        "checkin_cpu_s": round(c6 - c4, 2),
        "phases_cpu_s": {p.name: round(p.cpu, 2) for p in (p1, p2, p3, p4, p5)}, "load_average": os.getloadavg()[0], "rows_erased": result.erased_rows,
        "laptop_db_bytes_out": laptop_bytes_out, "laptop_db_bytes_after": laptop_bytes_in}
    print(f"{cases:,} cases, folder hub, {len(refs)} cases with {note_count} notes:\n"
          f"  check out  {t3 - t0:6.2f} s wall, {c3 - c0:6.2f} s CPU   (target < 5 s)   "
          f"[laptop request {p1.wall:.2f}/{p1.cpu:.2f}, office answer {p2.wall:.2f}/{p2.cpu:.2f}, "
          f"laptop receive {p3.wall:.2f}/{p3.cpu:.2f} s wall/CPU]\n"
          f"  check in   {t6 - t4:6.2f} s wall, {c6 - c4:6.2f} s CPU   (target < 5 s)   "
          f"[laptop {p4.wall:.2f}/{p4.cpu:.2f}, office receive {p5.wall:.2f}/{p5.cpu:.2f} s wall/CPU]\n"
          f"  {result.erased_rows} rows erased, laptop file {laptop_bytes_out:,} -> {laptop_bytes_in:,} bytes; "
          f"load average {os.getloadavg()[0]:.1f}; setup: team create {create_s:.0f} s, laptop join "
          f"{join_s:.0f} s", flush=True)
    return figures


def office_only(cases: int, seed: int, take: int, root: Path, dataset: Path | None = None,
                profile: bool = False) -> dict:
    """The part of a check-out that grows with the service: the office computer finding and
    reading the closure of `take` cases among `cases` (no team needed), and sealing it."""
    import zlib

    from app.services.team.bundle import canonical
    from app.services.team.laptop.closure import case_closure, rows_of_closure

    source = _source(cases, seed, dataset)
    shutil.copytree(source / "vault", root / "office")
    shutil.copy(source / "device.key", root / "office.key")
    office = vault_service.unlock(root / "office", "manager", PASSPHRASE, root / "office.key")
    ids = [r[0] for r in office.conn.execute(
        "SELECT c.id FROM casefile c WHERE c.status = 'open' AND EXISTS (SELECT 1 FROM note n WHERE "
        "n.case_id = c.id) ORDER BY c.reference DESC LIMIT ?", (take,))]
    c0, t0 = time.process_time(), time.perf_counter()
    rows = rows_of_closure(office.conn, case_closure(office.conn, ids))
    packed = zlib.compress(canonical({"rows": rows}), 6)
    t1, c1 = time.perf_counter(), time.process_time()
    office.lock("bench")
    figures = {"cases": cases, "checked_out": len(ids), "rows": sum(len(v) for v in rows.values()),
               "notes": len(rows.get("note", [])), "closure_and_package_s": round(t1 - t0, 3),
               "closure_and_package_cpu_s": round(c1 - c0, 3), "package_bytes": len(packed),
               "load_average": os.getloadavg()[0]}
    print(f"{cases:,} cases: the office finds, reads and packs the closure of {len(ids)} cases "
          f"({figures['rows']} rows, {figures['notes']} notes, {len(packed):,} bytes compressed) in "
          f"{t1 - t0:.2f} s (CPU {c1 - c0:.2f} s, load average {os.getloadavg()[0]:.1f})", flush=True)
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1, help="which cached dataset (scale_bench builds seed 1)")
    parser.add_argument("--dataset", type=Path, default=None, help="a dataset folder (vault/, device.key)")
    parser.add_argument("--profile", action="store_true", help="cProfile each timed phase into .bench/")
    parser.add_argument("--take", type=int, default=50)
    parser.add_argument("--office-only", action="store_true",
                        help="time only the office's closure and package (no team: quick on 50,000 cases)")
    args = parser.parse_args(argv)
    kdf.use_cheap_profile_for_tests(True)
    with tempfile.TemporaryDirectory(dir=OUT if OUT.exists() else None) as tmp:
        figures = (office_only if args.office_only else run)(args.cases, args.seed, args.take, Path(tmp),
                                                                 args.dataset, args.profile)
    OUT.mkdir(exist_ok=True)
    name = f"checkout-{args.cases}{'-office' if args.office_only else ''}.json"
    (OUT / name).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
