"""What the trust work costs (docs/security.md, "Volunteers hold no key to casework" and
"Restricted records sealed to their readers"): a volunteer's compartment brought up to date
(nothing changed, and after staff edited some people), a staff unlock and lock with one
volunteer, the first unlock that seals restricted records found in the clear, a team sync with
nothing to do and after a safeguarding concern, and a new computer joining.

    python -m tests.perf.trust_bench --cases 10000

Before/after: run the same script against the code before the change, e.g.
    git archive integ-with-hubrepair app | tar -x -C /tmp/base
    PYTHONPATH=/tmp/base python tests/perf/trust_bench.py --cases 10000
(the script uses only calls both versions have). Builds a synthetic vault (Faker en_GB, the
demo's populate) in .bench/ (never in git), with the cheap Argon2 profile so that unlock times
show what this work adds, not Argon2. Prints JSON; also CPU seconds, since on a shared machine
the wall clock mostly measures the queue for a core.
"""

import argparse
import json
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import keyring

from app.security import kdf
from app.security.device import KeyringStore
from app.services.casework import cases as case_service
from app.services.casework import safeguarding
from app.services.demo import build as demo
from app.services.team import membership
from app.services.vault import compartment, staff
from app.services.vault import unlock as vault_service
from app.storage import db
from tests.conftest import MemoryKeyring

OUT = Path(__file__).resolve().parents[2] / ".bench"
PASSPHRASE = "benchmark passphrase for synthetic data"
EDITED = 20


def _timed(fn, runs: int = 3) -> tuple[float, float]:
    """Median (wall, CPU) seconds."""
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return round(statistics.median(wall), 3), round(statistics.median(cpu), 3)


def _edit_people(session, n: int) -> None:
    ids = [r[0] for r in session.conn.execute("SELECT id FROM person WHERE deleted_at IS NULL AND kind = "
                                              "'family_member' ORDER BY id LIMIT ?", (n,))]
    with db.transaction(session.conn):
        for i in ids:
            session.conn.execute("UPDATE person SET known_as = coalesce(known_as, '') || 'x', version = version + 1 "
                                 "WHERE id = ?", (i,))


def run(cases: int) -> dict:
    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(MemoryKeyring())
    folder = OUT / f"trust-{cases}"
    shutil.rmtree(folder, ignore_errors=True)
    data_dir = folder / "vault"
    manager, _ = vault_service.create_vault(data_dir, "Bench SENDIASS", "manager", "Bench Manager", PASSPHRASE,
                                            KeyringStore())
    demo.populate(manager, staff=0, cases=cases, seed=3)
    counts = {t: manager.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("person", "casefile", "safeguarding_concern", "incident")}
    staff.add_staff(manager, "casey", "Casey Worker", "caseworker", PASSPHRASE)
    staff.add_staff(manager, "vera", "Vera Volunteer", "volunteer", PASSPHRASE)
    manager.lock("bench")
    out = {"cases": cases, **counts}

    w, c = time.perf_counter(), time.process_time()
    vault_service.unlock(data_dir, "manager", PASSPHRASE).lock("bench")
    out["first_manager_unlock_and_lock_s"] = (round(time.perf_counter() - w, 3), round(time.process_time() - c, 3))
    out["caseworker_unlock_and_lock_s"] = _timed(
        lambda: vault_service.unlock(data_dir, "casey", PASSPHRASE).lock("bench"))

    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    out["compartment_refresh_nothing_changed_s"] = _timed(lambda: compartment.sync(manager, "vera", True))

    def after_edits():
        _edit_people(manager, EDITED)
        compartment.sync(manager, "vera", True)

    out[f"compartment_refresh_after_{EDITED}_people_edited_s"] = _timed(after_edits)

    def staff_edit_then_lock():
        s = vault_service.unlock(data_dir, "casey", PASSPHRASE)
        _edit_people(s, EDITED)
        s.lock("bench")

    manager.lock("bench")
    out["caseworker_unlock_edit_lock_with_volunteer_s"] = _timed(staff_edit_then_lock)

    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    hub = folder / "hub"
    hub.mkdir()
    w, c = time.perf_counter(), time.process_time()
    membership.create(manager, str(hub), "Bench SENDIASS")
    out["team_create_s"] = (round(time.perf_counter() - w, 3), round(time.process_time() - c, 3))
    membership.sync(manager)
    out["sync_nothing_to_do_s"] = _timed(lambda: membership.sync(manager), runs=5)
    case_id = manager.conn.execute("SELECT id FROM casefile WHERE deleted_at IS NULL LIMIT 1").fetchone()[0]
    case_service.update_case(manager, case_id, worker="casey")

    def concern_and_sync():
        safeguarding.raise_concern(manager, case_id, date(2026, 11, 3), "Bench concern text, synthetic.")
        membership.sync(manager)

    out["sync_after_one_safeguarding_concern_s"] = _timed(concern_and_sync)
    code = membership.invite(manager, "Second computer", folder / "second.invite")
    w, c = time.perf_counter(), time.process_time()
    joined = membership.join(folder / "second", folder / "second.invite", code, "casey", PASSPHRASE, KeyringStore())
    out["join_and_ready_s"] = (round(time.perf_counter() - w, 3), round(time.process_time() - c, 3))
    joined.lock("bench")
    w, c = time.perf_counter(), time.process_time()
    vault_service.unlock(folder / "second", "casey", PASSPHRASE).lock("bench")
    out["joined_computer_unlock_and_lock_s"] = (round(time.perf_counter() - w, 3), round(time.process_time() - c, 3))
    manager.lock("bench")
    out["compartment_bytes"] = sum(p.stat().st_size for p in data_dir.glob("volunteer-vera.db*"))
    out["note"] = "figures are (wall s, CPU s); medians of 3 (sync with nothing to do: of 5)"
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    print(json.dumps(run(args.cases), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
