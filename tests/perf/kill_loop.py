"""Many rounds of kill -9 during writes (the suite runs only a few).

    .venv/bin/python -m tests.perf.kill_loop --rounds 200 [--seed N] [--max-delay 0.4]

Each round starts tests/security/writer_proc.py, kills it with SIGKILL at a random moment,
then checks that the vault unlocks, both integrity checks are clean, the audit chain
verifies against vault.json's head, and everything the writer reported committed is there.
On failure the vault folder is kept and its path printed, with the seed to replay the run.
"""

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import keyring
from keyring.backends import fail

from app.security import kdf
from app.security.device import KeyFileStore
from app.services.vault import unlock as vault_service
from tests.security.kill_harness import check_survived, kill_one
from tests.security.support import subprocess_env

PASSPHRASE = "correct horse battery staple"


def run(rounds: int, seed: int, max_delay: float, quiet: bool = False) -> dict:
    kdf.use_cheap_profile_for_tests()  # the writer and the checks use the test profile
    keyring.set_keyring(fail.Keyring())  # only the key file: never the real credential store
    base = Path(tempfile.mkdtemp(prefix="confide-kill-loop-"))
    data_dir, key_file = base / "vault", base / "device.key"
    session, _ = vault_service.create_vault(data_dir, "Kill loop", "manager", "Test Manager",
                                            PASSPHRASE, KeyFileStore(key_file))
    session.lock()
    env = subprocess_env(base)
    logs = base / "logs"
    logs.mkdir()
    rng = random.Random(seed)
    commits, events, started = 0, 0, time.perf_counter()
    for index in range(rounds):
        round_ = kill_one(data_dir, key_file, PASSPHRASE, env, logs, rng, index, max_delay)
        try:
            events = check_survived(data_dir, key_file, PASSPHRASE, round_.reported)
        except AssertionError as exc:
            print(f"FAILED in round {index} (seed {seed}, killed {round_.delay:.3f} s after READY): {exc}")
            print(f"vault kept for inspection: {base}")
            raise SystemExit(1) from exc
        commits += round_.commits
        for old in logs.iterdir():  # keep the folder small on long runs
            old.unlink()
        if not quiet and (index + 1) % 10 == 0:
            print(f"  {index + 1}/{rounds} rounds, {commits} reported commits, {events} audit events")
    elapsed = time.perf_counter() - started
    shutil.rmtree(base)
    return {"rounds": rounds, "seed": seed, "reported_commits": commits, "audit_events": events,
            "seconds": round(elapsed, 1), "failures": 0}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--max-delay", type=float, default=0.4)
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"kill -9 loop: {args.rounds} rounds, seed {seed}")
    result = run(args.rounds, seed, args.max_delay)
    print(f"ok: {result['rounds']} kills, {result['reported_commits']} reported commits all present, "
          f"{result['audit_events']} audit events verified, {result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
