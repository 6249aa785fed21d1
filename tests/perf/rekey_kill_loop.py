"""Many rounds of kill -9 during re-keys (the suite runs every step once and a few random
moments). The vault is padded so that PRAGMA rekey takes long enough for kills to land inside
it as well as between the steps.

    .venv/bin/python -m tests.perf.rekey_kill_loop --rounds 200 [--seed N] [--pad-mb 8]

Each round starts tests/security/rekey_proc.py (re-keying in a loop), kills it at a random
moment, then checks that both accounts unlock (finishing any interrupted re-key), nothing is
left pending, the key in use is the old or the new one, and pages and audit chain are intact.
On failure the vault folder is kept and its path printed, with the seed to replay the run.
"""

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import keyring
from keyring.backends import fail

from app.security import kdf
from app.services.vault import unlock as vault_service
from tests.security.rekey_harness import make_vault, random_rounds
from tests.security.support import subprocess_env

PASSPHRASE = "correct horse battery staple"


def _pad(data_dir: Path, key_file: Path, megabytes: int) -> None:
    session = vault_service.unlock(data_dir, "manager", PASSPHRASE, key_file)
    conn = session.conn
    conn.execute("CREATE TABLE IF NOT EXISTS bench_filler (id INTEGER PRIMARY KEY, body BLOB)")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO bench_filler (body) VALUES (randomblob(65536))", [()] * (megabytes * 16))
    conn.execute("COMMIT")
    session.lock("pad")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--pad-mb", type=int, default=8)
    parser.add_argument("--max-delay", type=float, default=0.6)
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(fail.Keyring())
    base = Path(tempfile.mkdtemp(prefix="confide-rekey-kill-"))
    data_dir, key_file = base / "vault", base / "device.key"
    make_vault(data_dir, key_file)
    _pad(data_dir, key_file, args.pad_mb)
    started = time.perf_counter()
    try:
        delays = random_rounds(data_dir, key_file, subprocess_env(base), args.rounds, seed, args.max_delay)
    except AssertionError as exc:
        print(f"FAILED: {exc}\nvault kept in {base}", file=sys.stderr)
        return 1
    took = time.perf_counter() - started
    print(f"{len(delays)} rounds, seed {seed}, database padded by {args.pad_mb} MB: every kill left a "
          f"vault that opened with the old or the new key ({took:.0f} s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
