"""Re-key time on a large database: keying.rotate end to end (vault.json pending write, the
generation commit, PRAGMA rekey of every page, the checkpoint, the final vault.json), then
the unlock that follows.

    python -m tests.perf.rekey_bench --cases 5000      # real synthetic casework (scale_bench's
                                                       # cached demo dataset; 50,000 takes ~6 min+ to build)
    python -m tests.perf.rekey_bench --filler-mb 1365  # a vault padded to the size of the
                                                       # 50,000-case database with random blobs

PRAGMA rekey rewrites every page, so its time follows the file's size, not what the pages hold.
Works on a copy in .bench/ (never in git); the cached dataset is left as it was.
"""

import argparse
import shutil
import time
from pathlib import Path

from app.security import kdf
from app.security.device import KeyFileStore
from app.services.vault import unlock as vault_service
from app.storage import keying

OUT = Path(__file__).resolve().parents[2] / ".bench"
PASSPHRASE = "benchmark passphrase for synthetic data"


def _filler_vault(folder: Path, megabytes: int) -> tuple[Path, Path]:
    data_dir, key_file = folder / "vault", folder / "device.key"
    session, _ = vault_service.create_vault(data_dir, "Bench SENDIASS", "manager", "Bench Manager",
                                            PASSPHRASE, KeyFileStore(key_file))
    conn = session.conn
    conn.execute("CREATE TABLE bench_filler (id INTEGER PRIMARY KEY, body BLOB)")
    per_batch = 64  # 64 x 64 KiB = 4 MiB per transaction
    for _ in range(max(1, megabytes // 4)):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO bench_filler (body) VALUES (randomblob(65536))", [()] * per_batch)
        conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    session.lock("bench")
    return data_dir, key_file


def _dataset_copy(cases: int, folder: Path) -> tuple[Path, Path]:
    from tests.perf import scale_bench

    kdf.use_cheap_profile_for_tests()  # the dataset's own key slots are made with the cheap profile
    source = scale_bench.build_dataset(cases, 1)
    shutil.copytree(source / "vault", folder / "vault")
    shutil.copy2(source / "device.key", folder / "device.key")
    return folder / "vault", folder / "device.key"


def run(cases: int | None, filler_mb: int | None, rounds: int) -> dict:
    folder = OUT / "rekey"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data_dir, key_file = _dataset_copy(cases, folder) if cases else _filler_vault(folder, filler_mb)
    size_mb = (data_dir / "confide.db").stat().st_size / 2**20
    timings, unlocks = [], []
    for _ in range(rounds):
        session = vault_service.unlock(data_dir, "manager", PASSPHRASE, key_file)
        keyed = keying.Keyed(session.paths.vault, session.vault, session.conn, session.data_key,
                             session.device_secret)
        start = time.perf_counter()
        new_key = keying.rotate(keyed, "manager", "benchmark")
        timings.append(time.perf_counter() - start)
        session.replace_key(session.conn, new_key, keyed.vault)
        session.lock("bench")
        start = time.perf_counter()
        vault_service.unlock(data_dir, "manager", PASSPHRASE, key_file).lock("bench")
        unlocks.append(time.perf_counter() - start)
    shutil.rmtree(folder, ignore_errors=True)
    return {"database_mb": round(size_mb), "rekey_s": [round(t, 1) for t in timings],
            "unlock_after_s": [round(t, 2) for t in unlocks],
            "mb_per_s": round(size_mb / min(timings))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=None)
    parser.add_argument("--filler-mb", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    if not args.cases and not args.filler_mb:
        args.filler_mb = 1365
    print(run(args.cases, args.filler_mb, args.rounds), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
