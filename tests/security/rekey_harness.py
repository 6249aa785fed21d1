"""Kill a re-key with SIGKILL, then check the vault: both accounts unlock (which finishes an
interrupted re-key), nothing is pending afterwards, the pages and the audit chain are intact,
and the key in use is the last one reported or the one being moved to.

Used by test_rekey_kill9.py (every step, and a few random moments) and by
tests/perf/rekey_kill_loop.py (many random moments on a larger database)."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.security import audit, sealing
from app.security.device import KeyFileStore
from app.security.keyslots import VaultFile
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from app.storage import db
from app.storage.key_state_repo import KeyStateRepo
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE

PROC = Path(__file__).with_name("rekey_proc.py")
STEPS = ("pending", "pending-written", "rekeying", "rekeyed", "finished")


def make_vault(data_dir: Path, key_file: Path) -> None:
    session, _ = vault_service.create_vault(data_dir, "Svc", "manager", "Test Manager", PASSPHRASE,
                                            KeyFileStore(key_file))
    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    session.lock()


def run(data_dir: Path, key_file: Path, env: dict, args: list[str], kill_after: float | None = None,
        log: Path | None = None) -> list[str]:
    """Run the re-keyer; with kill_after, SIGKILL it that long after READY. Returns its lines."""
    log = log or data_dir.parent / "rekey.out"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, str(PROC), str(data_dir), str(key_file), *args],
                                stdin=subprocess.PIPE, stdout=out, stderr=subprocess.PIPE, env=env)
        proc.stdin.write(f"{PASSPHRASE}\n".encode())
        proc.stdin.close()
        if kill_after is None:
            proc.wait(timeout=120)
        else:
            deadline = time.monotonic() + 60
            while b"READY\n" not in log.read_bytes():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the re-keyer stopped early: {proc.stderr.read()[-2000:]}")
                time.sleep(0.005)
            time.sleep(kill_after)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()[-2000:]
    return log.read_bytes().decode(errors="replace").split("\n")[:-1]


def check_survived(data_dir: Path, key_file: Path, reported: list[str], before_id: str) -> str:
    """Returns the key id in use afterwards; raises AssertionError with the reason."""
    on_disk = VaultFile.load(data_dir / "vault.json")
    done = [line.split()[1] for line in reported if line.startswith("K ")]
    allowed = {done[-1] if done else before_id, on_disk.pending_key_id or on_disk.key_id}
    for user, passphrase in (("manager", PASSPHRASE), ("casey", OTHER_PASSPHRASE)):
        session = vault_service.unlock(data_dir, user, passphrase, key_file)
        try:
            vault = VaultFile.load(data_dir / "vault.json")
            assert not vault.pending_key_id, "a re-key is still pending after unlock"
            in_use = sealing.key_id(session.data_key, vault.vault_id)
            assert in_use == vault.key_id == KeyStateRepo(session.conn).get()[1], "key names disagree"
            assert in_use in allowed, f"key {in_use} is neither the old nor the new one {allowed}"
            problems = db.integrity_problems(session.conn)
            assert problems == [], problems[:5]
            chain = audit.verify(session.conn, vault.audit_head)
            assert chain.ok, chain.message
        finally:
            session.lock("test")
    return in_use


def random_rounds(data_dir: Path, key_file: Path, env: dict, rounds: int, seed: int,
                  max_delay: float = 0.3) -> list[float]:
    rng = random.Random(seed)
    delays = []
    for index in range(rounds):
        before = VaultFile.load(data_dir / "vault.json").key_id
        delay = rng.uniform(0.0, max_delay)
        lines = run(data_dir, key_file, env, ["loop"], kill_after=delay)
        try:
            check_survived(data_dir, key_file, lines, before)
        except AssertionError as exc:
            raise AssertionError(f"round {index} (seed {seed}, killed after {delay:.3f} s): {exc}") from exc
        delays.append(delay)
    return delays
