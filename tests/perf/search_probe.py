"""The scale benchmark's search row alone: the same 20 queries, encrypted and plain in one run,
with the number of FTS segments of each index. For profiling search without the whole bench.

    .venv/bin/python -m tests.perf.search_probe --cases 50000 [--rounds 2] [--tidy]
"""

import argparse
import statistics
import time

from app.security import kdf
from app.services.casework import search
from app.services.vault import unlock as vault_service
from app.storage import search_index
from tests.perf.scale_bench import (
    PASSPHRASE,
    QUERIES,
    dataset_folder,
    p95,
    plain_copy,
    plain_session,
    tidy_search_index,
)


def segments(conn) -> dict[str, int]:
    return {table: conn.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()[0]
            for table in search_index.ALL}


def measure(session, rounds: int) -> dict:
    for query in QUERIES:  # warm the page cache once, as the bench does
        search.search(session, query)
    wall, cpu, per_query = [], [], {q: [] for q in QUERIES}
    for _ in range(rounds):
        for query in QUERIES:
            start, start_cpu = time.perf_counter(), time.process_time()
            search.search(session, query)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            per_query[query].append(cpu[-1])
    return {"p95": p95(wall), "median": statistics.median(wall), "cpu_median": statistics.median(cpu),
            "cpu_p95": p95(cpu), "worst": sorted(((max(v), q) for q, v in per_query.items()), reverse=True)[:5]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tidy", action="store_true", help="merge both indexes first, as the bench does")
    args = parser.parse_args(argv)
    kdf.use_cheap_profile_for_tests()
    folder = dataset_folder(args.cases, args.seed)
    plain_copy(folder)
    enc = vault_service.unlock(folder / "vault", "manager", PASSPHRASE, folder / "device.key")
    plain = plain_session(folder, enc)
    if args.tidy:
        for label, session in (("enc", enc), ("plain", plain)):
            tidy_search_index(session, label)
    print("segments", segments(enc.conn), "plain", segments(plain.conn), flush=True)
    for label, session in (("enc", enc), ("plain", plain)):
        r = measure(session, args.rounds)
        print(f"{label}: p95 {r['p95'] * 1000:.1f} ms, median {r['median'] * 1000:.1f} ms, CPU median "
              f"{r['cpu_median'] * 1000:.1f} ms, CPU p95 {r['cpu_p95'] * 1000:.1f} ms; slowest (CPU) "
              + ", ".join(f"{q} {t * 1000:.0f}" for t, q in r["worst"]), flush=True)
    enc.lock("bench")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
