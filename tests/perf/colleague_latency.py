"""How long a colleague waits: from saving a note on one computer to the note being on
another computer that is open and watching the hub (docs/sync.md §8, "When sync runs").

Targets: under 3 s on PostgreSQL (NOTIFY), under 15 s on a folder hub. The two computers do
what the screens do: the writer syncs PUSH_SOON_MS after the save; the reader waits on the
hub (`wait_for_change`: PostgreSQL's LISTEN, or the folder's poll of the next entry name) on
its own thread with its own connection, and syncs when told. The time is measured from the
save to the reader's commit of the note.

Usage: nice .venv/bin/python -m tests.perf.colleague_latency [--notes 20] [--hub folder|postgres|both]
"""

import argparse
import shutil
import statistics
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import keyring

from app.security import kdf
from app.services.casework import notes
from app.services.team.sync import sync_now
from app.services.vault.unlock import unlock
from app.storage.hub.folder import FolderHub
from app.storage.hub.location import open_hub
from app.storage.hub.postgres import PostgresHub
from tests.conftest import PASSPHRASE, MemoryKeyring
from tests.pgserver import PostgresServer, find_bindir
from tests.team.conftest import Team
from tests.team.replica import seed_case
from ui.team.sync_status import PUSH_SOON_MS

TARGETS = {"postgres": 3.0, "folder": 15.0}


class Reader(threading.Thread):
    """The colleague's computer: its own connection, opened on this thread."""

    def __init__(self, data_dir: Path, location: str, team_id: str, login: str | None):
        super().__init__(daemon=True)
        self.data_dir, self.location, self.team_id, self.login = data_dir, location, team_id, login
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        session = unlock(self.data_dir, "manager", PASSPHRASE)
        sync_hub = open_hub(self.login or self.location, self.team_id)
        watch = open_hub(self.login or self.location, self.team_id)
        sync_now(session, sync_hub)
        watch.head()
        self.ready.set()
        try:
            while not self.stop.is_set():
                if watch.wait_for_change(1.0):
                    watch.head()
                    sync_now(session, sync_hub)
                    now = time.perf_counter()
                    for (body,) in session.conn.execute("SELECT body FROM note WHERE body LIKE 'latency %'"):
                        self.seen.setdefault(body, now)
        finally:
            session.lock("bench")
            sync_hub.close()
            watch.close()


def run(kind: str, n: int, root: Path, template: Path, server=None) -> list[float]:
    if kind == "folder":
        hub = FolderHub(root / "hub", "latency-team", create=True)
        location = str(hub.root)
    else:
        names = server.new_hub_database()
        hub = PostgresHub(names["conninfo"], "latency-team", create=True)
        location = names["conninfo"]
    team = Team(root / "team", hub, template)
    writer, other = team.add("office1"), team.add("office2")
    login = team.logins[1]
    case_id = seed_case(writer)
    sync_now(writer, hub)
    other.lock("bench")
    reader = Reader(root / "team" / "office2", location, "latency-team", login)
    reader.start()
    reader.ready.wait(120)
    saved: dict[str, float] = {}
    try:
        for i in range(n):
            body = f"latency {i}"
            saved[body] = time.perf_counter()
            notes.add_note(writer, case_id, "phone_call", date(2026, 12, 7), 5, body)
            time.sleep(PUSH_SOON_MS / 1000)          # the screens' push after the last save
            sync_now(writer, hub)
            deadline = time.perf_counter() + 60
            while body not in reader.seen and time.perf_counter() < deadline:
                time.sleep(0.02)
    finally:
        reader.stop.set()
        reader.join(10)
        writer.lock("bench")
        hub.close()
    return [reader.seen[b] - saved[b] for b in saved if b in reader.seen]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--notes", type=int, default=20)
    p.add_argument("--hub", choices=("folder", "postgres", "both"), default="both")
    args = p.parse_args(argv)
    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(MemoryKeyring())
    kinds = ("folder", "postgres") if args.hub == "both" else (args.hub,)
    failed = False
    # One vault template for every run (tests.team.conftest keeps it for the process).
    template = Path(tempfile.mkdtemp(prefix="confide-latency-template-"))
    for kind in kinds:
        server = None
        with tempfile.TemporaryDirectory(prefix="confide-latency-") as tmp:
            if kind == "postgres":
                bindir = find_bindir()
                if bindir is None:
                    print("[postgres] skipped: no PostgreSQL server binaries on this computer")
                    continue
                server = PostgresServer(bindir)
                server.start()
            try:
                times = run(kind, args.notes, Path(tmp), template, server)
            finally:
                if server is not None:
                    server.stop()
        missing = args.notes - len(times)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else max(times, default=0.0)
        ok = not missing and p95 < TARGETS[kind]
        failed |= not ok
        print(f"[{kind}] save to seen on a colleague's computer: median {statistics.median(times):.2f} s, "
              f"p95 {p95:.2f} s, worst {max(times):.2f} s over {len(times)} notes"
              f"{f', {missing} never seen' if missing else ''} (target p95 < {TARGETS[kind]:.0f} s; includes "
              f"the {PUSH_SOON_MS / 1000:.1f} s wait after saving) {'OK' if ok else 'MISSED'}")
    shutil.rmtree(template, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
