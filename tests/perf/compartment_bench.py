"""What volunteers' compartments cost (docs/security.md, "Volunteers hold no key to casework"):
disk, the first build, a refresh, taking in a volunteer's enquiry, a staff unlock with and
without volunteers, and a volunteer's unlock against a caseworker's.

    python -m tests.perf.compartment_bench --cases 2000

Builds a synthetic vault (Faker en_GB via `confide demo`'s populate) in .bench/ (never in git),
with the cheap Argon2 profile so that unlock times show what the compartment adds, not Argon2.
"""

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend

from app.security import kdf
from app.security.device import KeyringStore
from app.services.casework import enquiries
from app.services.casework.people import PersonInput
from app.services.demo import build as demo
from app.services.vault import compartment, staff
from app.services.vault import unlock as vault_service
from tests.unit.casework_helpers import phone_enquiry

OUT = Path(__file__).resolve().parents[2] / ".bench"
PASSPHRASE = "benchmark passphrase for synthetic data"


class _Keyring(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.values = {}

    def get_password(self, service, username):
        return self.values.get((service, username))

    def set_password(self, service, username, password):
        self.values[(service, username)] = password

    def delete_password(self, service, username):
        self.values.pop((service, username), None)


def _timed(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def run(cases: int) -> dict:
    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(_Keyring())
    folder = OUT / f"compartment-{cases}"
    shutil.rmtree(folder, ignore_errors=True)
    data_dir = folder / "vault"
    manager, _ = vault_service.create_vault(data_dir, "Bench SENDIASS", "manager", "Bench Manager", PASSPHRASE,
                                            KeyringStore())
    demo.populate(manager, staff=0, cases=cases, seed=3)
    people_count = manager.conn.execute("SELECT count(*) FROM person").fetchone()[0]
    staff.add_staff(manager, "casey", "Casey Worker", "caseworker", PASSPHRASE)
    manager.lock("bench")

    def unlock_lock(user):
        vault_service.unlock(data_dir, user, PASSPHRASE).lock("bench")

    staff_unlock_without = _timed(lambda: unlock_lock("casey"))
    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    start = time.perf_counter()
    staff.add_staff(manager, "vera", "Vera Volunteer", "volunteer", PASSPHRASE)
    first_build = time.perf_counter() - start
    refresh = _timed(lambda: compartment.sync(manager, "vera"))
    manager.lock("bench")
    staff_unlock_with = _timed(lambda: unlock_lock("casey"))
    volunteer_unlock = _timed(lambda: unlock_lock("vera"))
    vol = vault_service.unlock(data_dir, "vera", PASSPHRASE)
    vol.must_change_passphrase = False
    enquiries.record_enquiry(vol, phone_enquiry(caller=PersonInput(kind="family_member", first_name="Nora",
                                                                   last_name="Pell"), caller_role="family_member"))
    vol.lock("bench")
    worker = vault_service.unlock(data_dir, "casey", PASSPHRASE)
    start = time.perf_counter()
    compartment.sync_all(worker)
    absorb_and_refresh = time.perf_counter() - start
    worker.lock("bench")
    return {"cases": cases, "people": people_count,
            "main_db_bytes": _size(data_dir / "confide.db"),
            "compartment_db_bytes": _size(data_dir / "volunteer-vera.db"),
            "first_build_s": round(first_build, 3), "refresh_s": round(refresh, 3),
            "absorb_one_enquiry_and_refresh_s": round(absorb_and_refresh, 3),
            "staff_unlock_and_lock_no_volunteer_s": round(staff_unlock_without, 3),
            "staff_unlock_and_lock_one_volunteer_s": round(staff_unlock_with, 3),
            "volunteer_unlock_and_lock_s": round(volunteer_unlock, 3)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.cases), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
