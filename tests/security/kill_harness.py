"""Start writer_proc.py, SIGKILL it at a random moment, then check that the vault survived:
it unlocks, both integrity checks are clean, the audit chain verifies against the head the
writer last recorded in vault.json, and everything the writer reported is there.

Used by test_kill9.py (a few rounds) and tests/perf/kill_loop.py (many rounds)."""

import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.security import audit
from app.security.keyslots import VaultFile
from app.services.vault import unlock as vault_service
from app.storage import db

WRITER = Path(__file__).with_name("writer_proc.py")


@dataclass
class Round:
    delay: float
    reported: list[str] = field(default_factory=list)

    @property
    def commits(self) -> int:
        return sum(1 for line in self.reported if line[:2] in ("A ", "S ", "V "))


def _complete_lines(path: Path) -> list[str]:
    # A line cut off by the kill was never fully reported, so it promises nothing.
    text = path.read_bytes().decode("utf-8", errors="replace")
    return text.split("\n")[:-1]


def kill_one(data_dir: Path, key_file: Path, passphrase: str, env: dict, log_dir: Path,
             rng: random.Random, index: int, max_delay: float = 0.4) -> Round:
    out, err = log_dir / f"writer-{index}.out", log_dir / f"writer-{index}.err"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        proc = subprocess.Popen([sys.executable, str(WRITER), str(data_dir), str(key_file)],
                                stdin=subprocess.PIPE, stdout=stdout, stderr=stderr, env=env)
    try:
        proc.stdin.write(f"{passphrase}\n".encode())
        proc.stdin.close()
        deadline = time.monotonic() + 30
        while "READY" not in _complete_lines(out):
            if proc.poll() is not None:
                raise AssertionError(f"the writer stopped early: {err.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("the writer never became ready")
            time.sleep(0.005)
        delay = rng.uniform(0.005, max_delay)
        time.sleep(delay)
    finally:
        proc.kill()   # SIGKILL, and never at a pid already reaped (poll() above may have)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, err.read_text()[-2000:]
    return Round(delay, _complete_lines(out))


def check_survived(data_dir: Path, key_file: Path, passphrase: str, reported: list[str]) -> int:
    """Returns the number of audit events; raises AssertionError with the reason otherwise."""
    recorded_head = VaultFile.load(data_dir / "vault.json").audit_head
    session = vault_service.unlock(data_dir, "manager", passphrase, key_file)
    try:
        conn = session.conn
        assert db.integrity_problems(conn) == []
        chain = audit.verify(conn, recorded_head)
        assert chain.ok, chain.message
        slots = set(session.vault.slots)
        for line in reported:
            kind, _, rest = line.partition(" ")
            if kind == "A":
                seq, digest = rest.split()
                row = conn.execute("SELECT hash FROM audit_event WHERE seq = ?", (int(seq),)).fetchone()
                assert row is not None and row[0] == digest, f"audit event {seq} lost"
            elif kind == "S":
                assert conn.execute("SELECT 1 FROM staff WHERE id = ?", (rest,)).fetchone(), f"staff row {rest} lost"
            elif kind == "V":
                assert rest in slots, f"key slot for {rest} lost"
                assert conn.execute("SELECT 1 FROM staff WHERE username = ?", (rest,)).fetchone(), \
                    f"account {rest} lost"
        return chain.events
    finally:
        session.lock("test")
