"""The self-test's one GUI check: can Qt open a window here? A missing platform plugin
(on Linux often libxcb-cursor0) ends a Qt process at once, with no exception to catch, so
the window is opened in a separate process and its exit tells what happened."""

import multiprocessing
import os
import sys

from app.services.selftest.check import Check

TIMEOUT_SECONDS = 120


def _open_window(results) -> None:
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
    child = ctx.Process(target=_open_window, args=(results,), daemon=True)
    child.start()
    child.join(TIMEOUT_SECONDS)
    if child.is_alive():
        child.kill()
        return Check(name, False, f"Qt did not open a window within {TIMEOUT_SECONDS} s")
    if child.exitcode != 0 or results.empty():
        platform = os.environ.get("QT_QPA_PLATFORM") or "the default"
        if sys.platform.startswith("linux") and platform == "the default" and not (
                os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return Check(name, False, "no screen here (neither DISPLAY nor WAYLAND_DISPLAY is set): run the "
                         "self-test in the desktop session, or with QT_QPA_PLATFORM=offscreen to check "
                         "everything but the screen")
        return Check(name, False, f"Qt could not open a window on {platform} platform (exit code "
                     f"{child.exitcode}). On Linux install the Qt runtime libraries (for example "
                     "libxcb-cursor0, libegl1, libxkbcommon-x11-0); the lines above say what is missing")
    platform, shown = results.get()
    if not shown:
        return Check(name, False, f"Qt started on {platform} but the window did not show")
    return Check(name, True, f"Qt {_qt_version()} opened a window ({platform})")


def _qt_version() -> str:
    from PySide6 import __version__

    return __version__
