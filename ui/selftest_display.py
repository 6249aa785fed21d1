"""The self-test's one GUI check: can Qt open a window here? A missing platform plugin
(on Linux often libxcb-cursor0) ends a Qt process at once, with no exception to catch, so
the window is opened in a separate process and its exit tells what happened. Qt's own
messages from that process ("This application failed to start...") go to a file, not the
terminal: the self-test's output is its own lines, and the FAIL line quotes what Qt said."""

import multiprocessing
import os
import sys
import tempfile
from pathlib import Path

from app.services.selftest.check import Check

TIMEOUT_SECONDS = 120


QT_LINES_QUOTED = 3


def _open_window(results, messages: str) -> None:
    # Both descriptors: Qt writes to stderr, and a plugin loader may write to stdout.
    log = os.open(messages, os.O_WRONLY | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(["confide-self-test"])
    label = QLabel("Confide self-test")
    label.show()
    app.processEvents()
    results.put((app.platformName(), label.isVisible()))


def check_display() -> Check:
    """May raise: nothing: a window that cannot open is a failed Check."""
    name = "window"
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    handle, messages = tempfile.mkstemp(prefix="confide-selftest-qt-", suffix=".log")
    os.close(handle)
    try:
        child = ctx.Process(target=_open_window, args=(results, messages), daemon=True)
        child.start()
        child.join(TIMEOUT_SECONDS)
        said = _what_qt_said(Path(messages))
    finally:
        Path(messages).unlink(missing_ok=True)
    if child.is_alive():
        child.kill()
        return Check(name, False, f"Qt did not open a window within {TIMEOUT_SECONDS} s{said}")
    if child.exitcode != 0 or results.empty():
        platform = os.environ.get("QT_QPA_PLATFORM") or "the default"
        if sys.platform.startswith("linux") and platform == "the default" and not (
                os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return Check(name, False, "no screen here (neither DISPLAY nor WAYLAND_DISPLAY is set): run the "
                         "self-test in the desktop session, or with QT_QPA_PLATFORM=offscreen to check "
                         f"everything but the screen{said}")
        return Check(name, False, f"Qt could not open a window on {platform} platform (exit code "
                     f"{child.exitcode}). On Linux install the Qt runtime libraries (for example "
                     f"libxcb-cursor0, libegl1, libxkbcommon-x11-0){said}")
    platform, shown = results.get()
    if not shown:
        return Check(name, False, f"Qt started on {platform} but the window did not show")
    return Check(name, True, f"Qt {_qt_version()} opened a window ({platform})")


def _what_qt_said(messages: Path) -> str:
    """Qt's first few lines, quoted for the FAIL line ('' when it said nothing)."""
    try:
        lines = [line.strip() for line in messages.read_text("utf-8", "replace").splitlines() if line.strip()]
    except OSError:
        return ""
    if not lines:
        return ""
    return ". Qt said: " + " / ".join(lines[:QT_LINES_QUOTED]) + (" ..." if len(lines) > QT_LINES_QUOTED else "")


def _qt_version() -> str:
    from PySide6 import __version__

    return __version__
