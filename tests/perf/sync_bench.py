"""Sync figures between two computers: 1,000 changed rows end to end (target < 2 s),
a sync with nothing to do (target < 100 ms), hub bytes / data bytes (target <= 1.5).

Usage: python -m tests.perf.sync_bench [--hub folder|memory]
CPU time (process time) is printed beside the wall clock: on a shared machine the wall clock
mostly measures the wait for a core."""

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import keyring
from faker import Faker

from app.security import kdf
from app.services.team.sync import sync_now
from app.storage import records
from app.storage.capture import columns, image_sql
from app.storage.db import transaction
from tests.conftest import MemoryKeyring
from tests.team.conftest import Team
from tests.team.file_hub import FileHub
from tests.team.memory_hub import MemoryHub

ROWS = 1000


def _hub_bytes(hub) -> int:
    if isinstance(hub, MemoryHub):
        return sum(len(e.payload) for e in hub.entries)
    return sum(p.stat().st_size for p in (hub.folder / "entries").iterdir())


def _data_bytes(conn, table: str, ids: list[str]) -> int:
    sql = f"SELECT {image_sql(columns(conn, table), table)} FROM {table} WHERE id = ?"
    return sum(len(conn.execute(sql, (i,)).fetchone()[0].encode()) for i in ids)


def main(kind: str = "folder") -> None:
    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        hub = FileHub(root / "hub") if kind == "folder" else MemoryHub()
        team = Team(root / "team", hub, root / "template")
        a, b = team.add("computer1"), team.add("computer2")
        sync_now(a, hub)
        sync_now(b, hub)
        start_bytes = _hub_bytes(hub)

        fake = Faker("en_GB")
        fake.seed_instance(12)
        with transaction(a.conn):
            ids = [records.insert(a.conn, "person", {
                "kind": "parent_carer", "first_name": fake.first_name(), "last_name": fake.last_name(),
                "address": fake.street_address(), "postcode": fake.postcode(), "area": fake.city(),
                "phone_mobile": fake.numerify("07700 9#####"), "email": fake.email(),
                "contact_note": fake.sentence(nb_words=10)}, "manager")
                for _ in range(ROWS)]
        c0, t0 = time.process_time(), time.perf_counter()
        pushed = sync_now(a, hub)
        t1 = time.perf_counter()
        pulled = sync_now(b, hub)
        c2, t2 = time.process_time(), time.perf_counter()
        assert pushed.pushed == ROWS and pulled.pulled >= 1
        marks = ", ".join("?" for _ in ids)
        assert b.conn.execute(f"SELECT count(*) FROM person WHERE id IN ({marks})", ids).fetchone()[0] == ROWS
        insert_bytes = _hub_bytes(hub) - start_bytes
        data = _data_bytes(b.conn, "person", ids)

        with transaction(a.conn):
            for n, pid in enumerate(ids):
                records.update(a.conn, "person", pid, {"postcode": f"NE{n % 9} 1XY"}, "manager")
        c3, t3 = time.process_time(), time.perf_counter()
        sync_now(a, hub)
        sync_now(b, hub)
        c4, t4 = time.process_time(), time.perf_counter()

        noop, noop_cpu = [], []
        for _ in range(20):
            s, cs = time.perf_counter(), time.process_time()
            result = sync_now(b, hub)
            noop.append(time.perf_counter() - s)
            noop_cpu.append(time.process_time() - cs)
            assert (result.pulled, result.pushed) == (0, 0)
        print(f"hub: {kind}")
        print(f"1,000 new rows: push {t1 - t0:.2f} s + pull {t2 - t1:.2f} s = {t2 - t0:.2f} s end to end "
              f"(CPU {c2 - c0:.2f} s) (target < 2 s)")
        print(f"1,000 edited rows: {t4 - t3:.2f} s end to end (CPU {c4 - c3:.2f} s) (target < 2 s)")
        print(f"no-op sync: median {statistics.median(noop) * 1000:.1f} ms (CPU "
              f"{statistics.median(noop_cpu) * 1000:.1f} ms), max {max(noop) * 1000:.1f} ms (target < 100 ms)")
        print(f"hub bytes / data bytes for the 1,000 new rows: {insert_bytes:,} / {data:,} = "
              f"{insert_bytes / data:.2f} (target <= 1.5)")
        print(json.dumps({"hub": kind, "push_pull_s": round(t2 - t0, 3), "edit_s": round(t4 - t3, 3),
                          "noop_ms": round(statistics.median(noop) * 1000, 1),
                          "bytes_ratio": round(insert_bytes / data, 3)}))
        team.close()


if __name__ == "__main__":
    main(sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--hub" else "folder")
