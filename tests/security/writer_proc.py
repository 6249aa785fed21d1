"""A writer for the kill -9 tests: unlocks a vault, then commits in a loop until it is killed.

Each line on stdout names something that was committed, and is printed only after the
commit returned, so every reported line must survive a SIGKILL:
  A <seq> <hash>   an audit event
  S <staff id>     a staff row (and its audit event) in one transaction
  V <username>     an account added through the staff service (vault.json slot + row)

Usage: python writer_proc.py DATA_DIR DEVICE_KEY_FILE   (passphrase on the first stdin line)
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.domain.staff import Role  # noqa: E402
from app.security import kdf  # noqa: E402
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from app.storage import db  # noqa: E402
from app.storage.staff_repo import StaffRepo  # noqa: E402

TEMPORARY = "temporary words for a writer"


def report(line: str) -> None:
    print(line, flush=True)


def main(data_dir: str, key_file: str) -> None:
    kdf.use_cheap_profile_for_tests()  # a test script, never shipped: the vaults it opens are test vaults
    passphrase = sys.stdin.readline().rstrip("\n")
    session = vault_service.unlock(Path(data_dir), "manager", passphrase, key_file)
    report("READY")
    n = 0
    while True:
        n += 1
        if n % 40 == 0:
            username = f"w{os.getpid()}n{n}"
            staff.add_staff(session, username, f"Synthetic Writer {n}", Role.CASEWORKER, TEMPORARY)
            report(f"V {username}")
            continue
        with db.transaction(session.conn):
            if n % 5 == 0:
                member = StaffRepo(session.conn).insert(f"s{os.getpid()}n{n}", f"Synthetic Row {n}",
                                                        Role.VOLUNTEER, "manager")
                session.audit("staff_added", "staff", member.id, {"role": "volunteer"})
                line = f"S {member.id}"
            else:
                event = session.audit("kill_test_tick", "test", None, {"n": n})
                line = f"A {event['seq']} {event['hash']}"
        report(line)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
