"""How long a built Confide takes from launch to its unlock window, measured from outside.

    python3 packaging/start_time.py dist/Confide/confide [--runs 5] [--limit 2.0]

Makes a throwaway vault with the bundle's own `init` (device-key-file opt-in, in a temporary
folder), then starts the bundle on it with CONFIDE_BENCH_EXIT_ON_SHOWN=1 (the GUI prints
"SHOWN <seconds>" once its first window is up, then quits; see tests/perf/bench.py) and
times each run from process start to that line. One warm-up run first: the file cache is warm
on every start but the first of the day. Uses the screen in DISPLAY if there is one,
otherwise Qt's offscreen platform. Exit code 1 when the median is over --limit seconds.
Standard library only: it runs with any python3, beside the bundle.
"""

import argparse
import os
import resource
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSPHRASE = "start time check passphrase words"


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def launch_once(argv: list[str], env: dict, timeout: float = 60.0) -> tuple[float, float]:
    """(seconds from start to the SHOWN line, CPU seconds the whole run used). On a busy
    computer the wall time includes waiting for a CPU; the CPU time does not.
    May raise: RuntimeError when the line never comes."""
    cpu0 = cpu_of_children()
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    try:
        while (left := t0 + timeout - time.perf_counter()) > 0:
            if not selector.select(timeout=left):
                break
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"the bundle exited with code {proc.wait()} before a window was shown")
            if line.startswith("SHOWN"):
                wall = time.perf_counter() - t0
                proc.wait(timeout)   # it quits by itself once shown
                return wall, cpu_of_children() - cpu0
            if line.startswith("NOT SHOWN"):
                raise RuntimeError("the bundle started but showed no window")
        raise RuntimeError(f"no window within {timeout:.0f} s")
    finally:
        selector.close()
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("program", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=float, default=2.0)
    args = parser.parse_args()
    program = str(args.program.resolve())
    with tempfile.TemporaryDirectory(prefix="confide-start-") as tmp:
        data, keys = Path(tmp) / "vault", Path(tmp) / "keys"
        keys.mkdir(mode=0o700)
        key_file = keys / "device.key"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIDE_")}
        env.setdefault("QT_QPA_PLATFORM", "xcb" if env.get("DISPLAY") else "offscreen")
        made = subprocess.run([program, "init", "--data-dir", str(data), "--user", "startcheck",
                               "--full-name", "Start Check", "--passphrase-stdin",
                               "--device-key-file", str(key_file)],
                              input=PASSPHRASE + "\n", capture_output=True, text=True, env=env, timeout=300)
        if made.returncode != 0:
            print(f"could not make a vault: {made.stderr.strip()}", file=sys.stderr)
            return 1
        argv = [program, "--data-dir", str(data), "--device-key-file", str(key_file)]
        env["CONFIDE_BENCH_EXIT_ON_SHOWN"] = "1"
        try:
            launch_once(argv, env)
            runs = [launch_once(argv, env) for _ in range(args.runs)]
        except RuntimeError as exc:
            print(f"start time: {exc}", file=sys.stderr)
            return 1
    times = [wall for wall, _cpu in runs]
    median = statistics.median(times)
    cpu = statistics.median(c for _wall, c in runs)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"start to unlock window ({env['QT_QPA_PLATFORM']}): median {median:.2f} s, "
          f"fastest {min(times):.2f} s, slowest {max(times):.2f} s over {len(times)} runs "
          f"(limit {args.limit:.1f} s); CPU {cpu:.2f} s per start; load average {load:.1f} "
          f"on {os.cpu_count()} CPUs")
    return 0 if median <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
