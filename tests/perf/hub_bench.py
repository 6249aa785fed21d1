"""Hub figures: append and read rates, the cost of "nothing new", and the bytes a hub
stores per byte given, for the folder hub and a real PostgreSQL.

Run: .venv/bin/python -m tests.perf.hub_bench
"""

import os
import statistics
import tempfile
import time
from pathlib import Path

from app.storage.hub.folder import FolderHub
from app.storage.hub.postgres import PostgresHub
from tests.pgserver import PostgresServer, find_bindir

ENTRIES = 1000
SIZE = 4096


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def measure(name: str, make, stored_bytes) -> None:
    hub = make(True)
    payloads = [os.urandom(SIZE) for _ in range(ENTRIES)]
    times = []
    for seq, payload in enumerate(payloads, 1):
        t = time.perf_counter()
        hub.append(seq, "dev-a", "bundle", payload)
        times.append(time.perf_counter() - t)
    other = make(False)
    t = time.perf_counter()
    got = sum(1 for _ in other.read_after(0))
    read_all = time.perf_counter() - t
    idle = []
    for _ in range(50):
        t = time.perf_counter()
        other.head()
        list(other.read_after(ENTRIES))
        idle.append(time.perf_counter() - t)
    t = time.perf_counter()
    make(False).head()
    fresh = time.perf_counter() - t
    ratio = stored_bytes() / (ENTRIES * SIZE)
    print(f"| {name} | {ms(statistics.median(times))} | {ms(sorted(times)[int(0.95 * len(times))])} | "
          f"{got} in {read_all:.2f} s | {ms(statistics.median(idle))} | {ms(fresh)} | {ratio:.3f} |")
    hub.close()
    other.close()


def main() -> None:
    print(f"{ENTRIES} entries of {SIZE} bytes each")
    print("| hub | append median | append p95 | read all | nothing new (head + read) | new object head | stored / given |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for links in (True, False):
            root = Path(tmp) / f"hub-{links}"
            measure(f"folder ({'link' if links else 'exclusive open'})",
                    lambda create, root=root, links=links: FolderHub(root, "bench", create=create, use_links=links),
                    lambda root=root: sum(p.stat().st_size for p in root.rglob("*") if p.is_file()))
    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL: no server binaries found")
        return
    server = PostgresServer(bindir)
    server.start()
    try:
        names = server.new_hub_database()

        def stored():
            out = server.psql("-At", "-c", "SELECT pg_total_relation_size('confide.entries')", dbname=names["dbname"])
            return int(out.strip())

        measure("PostgreSQL", lambda create: PostgresHub(names["conninfo"], "bench", create=create), stored)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
