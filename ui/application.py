"""Start the GUI: harden the process, make the QApplication, then the main window with its
unlock screen. A first run (no vault yet) starts through ui/first_run.py instead, which adds
the set-up wizard: its modules (joining a team among them) are not loaded when a vault exists,
so the unlock screen does not wait for them (docs/performance.md)."""

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from app.config import APP_NAME, default_data_dir, load_appearance
from app.security.hygiene import harden_process
from app.services.vault.unlock import vault_exists
from ui import single_window, theme
from ui.dialogs import messages
from ui.main_window import MainWindow
from ui.operations import Operations

BASE_POINT_SIZE = theme.BASE_POINT_SIZE
STYLE_SHEET = theme.STYLE_SHEET


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="confide", description="Start Confide.")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--device-key-file", type=Path, default=None, metavar="PATH",
                        help="keep the device secret in this file (weaker protection)")
    # Qt's own options (-platform, -style ...) pass through untouched.
    args, _qt_args = parser.parse_known_args(argv[1:])
    args.data_dir = (args.data_dir or default_data_dir()).expanduser()
    if args.device_key_file is not None:
        args.device_key_file = args.device_key_file.expanduser().resolve()
    return args


def load_style_sheet(path: Path = STYLE_SHEET) -> str:
    return theme.style_sheet("standard", 100, path)


def apply_look(app: QApplication) -> None:
    """The theme and text size chosen in Settings, else the system's."""
    theme.apply(app, load_appearance())
    theme.follow_system(app)


@dataclass
class Started:
    ops: Operations
    window: MainWindow
    wizard: QWidget | None   # the set-up wizard, on a first run (ui/first_run.py)


def first_run(argv: list[str]) -> bool:
    """No vault in the data folder yet: main.py then starts through ui/first_run.py."""
    return not vault_exists(parse_args(list(argv)).data_dir)


def start(data_dir: Path, device_key_file: Path | None) -> Started:
    """Build and show the main window with its unlock screen. Separate from run() so tests can
    drive it."""
    ops = Operations()
    window = MainWindow(data_dir, device_key_file, ops)
    window.show()
    return Started(ops, window, None)


def keep_qt_settings_out_of_the_profile() -> tempfile.TemporaryDirectory:
    """Confide keeps no QSettings, but Qt's own file dialog records the folders it visited
    (~/.config/QtProject.conf on Linux). Send those writes to a folder deleted at exit."""
    folder = tempfile.TemporaryDirectory(prefix="confide-qt-")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder.name)
    return folder


# The launch benchmark times the whole process from outside; this is the part after imports.
_STARTED = time.perf_counter()


def _exit_once_shown(app: QApplication, started) -> None:
    """Benchmark hook (tests/perf/bench.py): report when the first window is on screen, then quit."""
    from PySide6.QtCore import QTimer

    def report() -> None:
        shown = any(w.isVisible() for w in app.topLevelWidgets())
        print(f"SHOWN {time.perf_counter() - _STARTED:.3f}" if shown else "NOT SHOWN", flush=True)
        app.quit()

    QTimer.singleShot(0, report)


def run(argv: list[str], start: Callable[[Path, Path | None], Started] = start) -> int:
    """`start`: the first window (ui/first_run.py passes its own, with the set-up wizard)."""
    harden_process()
    args = parse_args(list(argv))
    app = QApplication.instance() or QApplication(list(argv))
    app.setApplicationName(APP_NAME)
    try:
        window_lock = single_window.hold(args.data_dir)
    except OSError as error:
        messages.warn(None, "Confide cannot start", f"The data folder {args.data_dir} cannot be used: {error.strerror}.")
        return 1
    if window_lock is None:
        messages.warn(None, "Confide is already open", single_window.ALREADY_OPEN.format(folder=args.data_dir))
        return 1
    qt_settings = keep_qt_settings_out_of_the_profile()
    apply_look(app)
    started = start(args.data_dir, args.device_key_file)
    if os.environ.get("CONFIDE_BENCH_EXIT_ON_SHOWN") == "1":
        _exit_once_shown(app, started)
    code = app.exec()
    started.ops.wait()
    if started.window.session is not None:
        started.window.session.lock("quit")
    qt_settings.cleanup()
    window_lock.unlock()
    return code
