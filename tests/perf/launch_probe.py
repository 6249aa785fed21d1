"""Launch probe for the bench, used while ui/application.py does not yet honour
CONFIDE_BENCH_EXIT_ON_SHOWN. It follows ui.application.run() step for step (harden, the
QApplication, the look, start()) but, instead of entering the event loop for good, prints
"SHOWN <seconds since this process started>" once the first window is exposed, then exits.

Usage: python tests/perf/launch_probe.py --data-dir D [--device-key-file K]
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def _process_age() -> float:
    """Seconds since the kernel started this process (Linux), so interpreter start-up counts."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        import os

        return uptime - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.config import APP_NAME
    from app.security.hygiene import harden_process
    from ui.application import apply_look, parse_args, start

    harden_process()
    args = parse_args(argv)
    app = QApplication.instance() or QApplication(list(argv))
    app.setApplicationName(APP_NAME)
    apply_look(app)
    started = start(args.data_dir, args.device_key_file)
    first = started.wizard or started.window

    def check() -> None:
        handle = first.windowHandle()
        if first.isVisible() and handle is not None and handle.isExposed():
            print(f"SHOWN {_process_age():.3f}", flush=True)
            app.quit()
        else:
            QTimer.singleShot(1, check)

    QTimer.singleShot(0, check)
    app.exec()
    return 0


if __name__ == "__main__":
    started_at = time.perf_counter()
    sys.exit(main(sys.argv))
