"""Team vault figures on the real hubs (issue 12): a new computer joins and is ready (target
< 3 min on 50,000 cases), 1,000 changed rows end to end (< 2 s), a sync with nothing to do
(< 100 ms), hub bytes / data bytes (<= 1.5). Folder hub and a real PostgreSQL (started from
the system's binaries; skipped with a note when there are none).

Usage: python -m tests.perf.team_bench [--cases N] [--hub folder|postgres|both]
(BENCH_TEAM_CASES sets the default size; `make bench` uses it.)"""

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import keyring
from faker import Faker

from app.security import kdf
from app.security.device import KeyringStore
from app.services import demo
from app.services.team import membership
from app.services.vault import create_vault, unlock
from app.storage import records
from app.storage.capture import columns, image_sql
from app.storage.db import transaction
from tests.conftest import PASSPHRASE, MemoryKeyring

ROWS = 1000


def _hub_dump_bytes(location: str, server) -> int:
    if server is None:
        return sum(p.stat().st_size for p in Path(location).rglob("*") if p.is_file())
    import psycopg

    dbname = location.rsplit("/", 1)[1]
    with psycopg.connect(server.admin_conninfo(dbname), autocommit=True) as conn:
        return conn.execute("SELECT coalesce(sum(octet_length(payload)), 0) FROM confide.entries").fetchone()[0]


def _data_bytes(conn, table: str, ids: list[str]) -> int:
    sql = f"SELECT {image_sql(columns(conn, table), table)} FROM {table} WHERE id = ?"
    return sum(len(conn.execute(sql, (i,)).fetchone()[0].encode()) for i in ids)


CACHE = Path(__file__).resolve().parents[2] / ".bench"


def _passphrase(dataset: Path | None) -> str:
    from tests.perf import scale_bench

    return scale_bench.PASSPHRASE if dataset is not None else PASSPHRASE


def _office(root: Path, cases: int, dataset: Path | None = None):
    """The populated office vault: built once per size and kept under .bench/ (never
    committed), since building 50,000 cases takes many minutes; or a copy of a vault that
    scale_bench built (`--dataset .bench/data-50000-1-vN`). Returns (session, build_s)."""
    if dataset is not None:
        shutil.copytree(dataset / "vault", root / "office")
        shutil.copy(dataset / "device.key", root / "office.key")
        return unlock(root / "office", "manager", _passphrase(dataset), root / "office.key"), 0.0
    cached = CACHE / f"team_office_{cases}"
    store = keyring.get_keyring()
    if (cached / "keyring.json").exists():
        shutil.copytree(cached / "vault", root / "office")
        store.values.update({tuple(k.split("\0")): v for k, v in
                             json.loads((cached / "keyring.json").read_text()).items()})
        return unlock(root / "office", "manager", PASSPHRASE), 0.0
    a, _ = create_vault(root / "office", "Northshire SENDIASS", "manager", "Test Manager", PASSPHRASE,
                        KeyringStore())
    t = time.perf_counter()
    demo.populate(a, staff=6, cases=cases, seed=3)
    build_s = time.perf_counter() - t
    a.lock("bench")
    shutil.rmtree(cached, ignore_errors=True)
    shutil.copytree(root / "office", cached / "vault")
    (cached / "keyring.json").write_text(json.dumps({"\0".join(k): v for k, v in store.values.items()}))
    return unlock(root / "office", "manager", PASSPHRASE), build_s


def run(kind: str, cases: int, root: Path, server=None, dataset: Path | None = None) -> dict:
    location = server.new_hub_database()["conninfo"] if server else str(root / "hub")
    if not server:
        Path(location).mkdir()
    a, build_s = _office(root, cases, dataset)
    t = time.perf_counter()
    membership.create(a, location, "Northshire SENDIASS")
    create_s = time.perf_counter() - t
    code = membership.invite(a, "Laptop", root / "laptop.invite")
    t, cpu = time.perf_counter(), time.process_time()
    b = membership.join(root / "laptop", root / "laptop.invite", code, "manager", _passphrase(dataset),
                        KeyringStore())
    join_s, join_cpu = time.perf_counter() - t, time.process_time() - cpu
    hub = membership.open_team_hub(a)
    snapshot_mb = len(hub.latest_snapshot().payload) / 1e6
    hub.close()
    case_count = b.conn.execute("SELECT count(*) FROM casefile").fetchone()[0]

    membership.sync(a)
    membership.sync(b)
    before = _hub_dump_bytes(location, server)
    fake = Faker("en_GB")
    fake.seed_instance(12)
    with transaction(a.conn):
        ids = [records.insert(a.conn, "person", {
            "kind": "parent_carer", "first_name": fake.first_name(), "last_name": fake.last_name(),
            "address": fake.street_address(), "postcode": fake.postcode(), "area": fake.city(),
            "phone_mobile": fake.numerify("07700 9#####"), "email": fake.email(),
            "contact_note": fake.sentence(nb_words=10)}, "manager") for _ in range(ROWS)]
    t0 = time.perf_counter()
    pushed = membership.sync(a)
    pulled = membership.sync(b)
    t1 = time.perf_counter()
    assert pushed.pushed >= ROWS and pulled.pulled >= 1
    ratio = (_hub_dump_bytes(location, server) - before) / _data_bytes(b.conn, "person", ids)
    with transaction(b.conn):
        for n, pid in enumerate(ids):
            records.update(b.conn, "person", pid, {"postcode": f"NE{n % 9} 1XY"}, "manager")
    t2 = time.perf_counter()
    membership.sync(b)
    membership.sync(a)
    t3 = time.perf_counter()
    noop = []
    for _ in range(20):
        s = time.perf_counter()
        result = membership.sync(a)
        noop.append(time.perf_counter() - s)
        assert (result.pulled, result.pushed) == (0, 0)
    for s in (a, b):
        s.lock("bench")
    figures = {"hub": kind, "cases": cases, "cases_on_joiner": case_count, "demo_build_s": round(build_s, 1),
               "team_create_s": round(create_s, 2), "join_ready_s": round(join_s, 2),
               "join_cpu_s": round(join_cpu, 2), "snapshot_mb": round(snapshot_mb, 1),
               "new_rows_s": round(t1 - t0, 3), "edited_rows_s": round(t3 - t2, 3),
               "noop_ms": round(statistics.median(noop) * 1000, 1), "bytes_ratio": round(ratio, 3)}
    print(f"[{kind}] {cases:,} cases: join and ready {join_s:.1f} s (target < 180 s; CPU {join_cpu:.1f} s; "
          f"snapshot {snapshot_mb:.1f} MB); "
          f"1,000 new rows {t1 - t0:.2f} s, 1,000 edited rows {t3 - t2:.2f} s (target < 2 s); "
          f"no-op sync {figures['noop_ms']} ms (target < 100 ms); hub/data {ratio:.2f} (target <= 1.5)",
          flush=True)
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_TEAM_CASES", 2000)))
    parser.add_argument("--hub", choices=["folder", "postgres", "both"], default="both")
    parser.add_argument("--dataset", type=Path, default=None,
                        help="a vault folder made by scale_bench (its vault/ and device.key) to use as the office")
    args = parser.parse_args(argv)
    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(MemoryKeyring())
    results = []
    if args.hub in ("folder", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(run("folder", args.cases, Path(tmp), dataset=args.dataset))
    if args.hub in ("postgres", "both"):
        from tests.pgserver import PostgresServer, find_bindir

        bindir = find_bindir()
        if bindir is None:
            print("[postgres] skipped: no PostgreSQL server binaries on this computer")
        else:
            server = PostgresServer(bindir)
            server.start()
            try:
                with tempfile.TemporaryDirectory() as tmp:
                    results.append(run("postgres", args.cases, Path(tmp), server, args.dataset))
            finally:
                server.stop()
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
