"""A replica that writes and syncs in a loop until it is killed (kill -9 tests).

Usage: python sync_proc.py DB_PATH HUB_DIR MODE   (the data key, hex, on the first stdin line;
the device secret, hex, on the second: the computer's signing key is sealed under it)
MODE write: add people and sync, again and again. MODE pull: pull only.
Each "SYNCED" line is printed after sync_conn returned."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.security.session import _LIVE as live_sessions  # noqa: E402
from app.services.team import sync  # noqa: E402
from app.storage import db, records  # noqa: E402
from app.storage.db import transaction  # noqa: E402
from tests.team.file_hub import FileHub  # noqa: E402


class _Unlocked:
    def __init__(self, conn, device_secret: bytes):
        self._conn, self.device_secret = conn, device_secret


def main(db_path: str, hub_dir: str, mode: str) -> None:
    key = bytes.fromhex(sys.stdin.readline().strip())
    secret = bytes.fromhex(sys.stdin.readline().strip())
    conn = db.open_database(Path(db_path), key)
    # What an unlocked session gives code handed only a connection (device_keys.secret_for).
    keys_holder = _Unlocked(conn, secret)
    live_sessions.add(keys_holder)
    hub = FileHub(Path(hub_dir))
    print("READY", flush=True)
    n = 0
    while True:
        if mode == "write":
            with transaction(conn):
                for _ in range(40):
                    n += 1
                    records.insert(conn, "person", {"kind": "professional", "first_name": f"Worker{n}",
                                                    "last_name": "Kill"}, "manager")
            sync.sync_conn(conn, hub, "manager")
        else:
            sync.pull(conn, hub)
        print("SYNCED", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
