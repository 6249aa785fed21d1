"""kill -9 a syncing replica many times (the suite does a few): after every round both
replicas sync on, converge, and pass both integrity checks.

Usage: python -m tests.perf.sync_kill_loop [ROUNDS]"""

import random
import sys
import tempfile
from pathlib import Path

import keyring

from app.security import kdf
from app.services.team import capture
from app.services.team.sync import sync_conn
from tests.conftest import MemoryKeyring
from tests.team.conftest import Team
from tests.team.file_hub import FileHub
from tests.team.kill_support import integrity_problems_fresh, run_and_kill
from tests.team.replica import rows_of


def main(rounds: int = 30) -> None:
    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(MemoryKeyring())
    rng = random.Random(2026)
    recovered = 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        hub = FileHub(root / "hub")
        team = Team(root / "team", hub, root / "template")
        a, b = team.add("computer1"), team.add("computer2")
        for n in range(rounds):
            run_and_kill(a.paths.db, hub.folder, "write", a.data_key, root / f"a{n}.log", rng, device_secret=a.device_secret)
            assert integrity_problems_fresh(a) == [], f"round {n}: the writer's replica after kill -9"
            if a.conn.execute("SELECT 1 FROM sync_state WHERE key = 'in_flight'").fetchone():
                recovered += 1
            run_and_kill(b.paths.db, hub.folder, "pull", b.data_key, root / f"b{n}.log", rng, device_secret=b.device_secret)
            assert integrity_problems_fresh(b) == [], f"round {n}: the reader's replica after kill -9"
            for s in (a, b, a, b):
                sync_conn(s.conn, hub, "manager")
                assert integrity_problems_fresh(s) == [], f"round {n}: after syncing on"
            assert capture.pending_count(a.conn) == 0
            assert rows_of(a) == rows_of(b), f"round {n}: replicas differ"
            for s in (a, b):
                problems = integrity_problems_fresh(s)
                assert problems == [], f"round {n}: {problems[:5]}"
                assert s.conn.execute("SELECT count(*) FROM sync_refused").fetchone()[0] == 0
        people = a.conn.execute("SELECT count(*) FROM person WHERE last_name = 'Kill'").fetchone()[0]
        print(f"{rounds} rounds of kill -9 (writer mid-sync, reader mid-pull): all converged; "
              f"{recovered} kills left a push in flight that the next sync finished or undid; "
              f"{people} people written; hub head {hub.head()}")
        team.close()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
