"""A secret copied just before Confide exits: cleared if still ours, and the process ends
cleanly (it used to die of SIGSEGV at interpreter exit, see ui/clipboard.py)."""

import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QClipboard, QGuiApplication

from ui import clipboard as secret_clipboard
from ui.clipboard import SecretClipboard

PROC = Path(__file__).with_name("clipboard_exit_proc.py")


def _run(*args):
    return subprocess.run([sys.executable, str(PROC), *args], capture_output=True, text=True,
                          timeout=120)


def test_exit_with_a_secret_on_the_clipboard_is_clean():
    for args in ((), ("--user-copies-after",)):
        done = _run(*args)
        assert done.returncode == 0, (args, done.returncode, done.stderr[-2000:])
        assert done.stdout.strip() in ("canary 4411-secret", "the user's own text")


def test_exit_clears_our_copy(qtbot):
    SecretClipboard().copy("07700 900123")
    secret_clipboard.clear_at_exit()
    assert QGuiApplication.clipboard().text(QClipboard.Mode.Clipboard) == ""


def test_exit_leaves_what_the_user_copied_since(qtbot):
    SecretClipboard().copy("07700 900123")
    QGuiApplication.clipboard().setText("the user's own text")
    secret_clipboard.clear_at_exit()
    assert QGuiApplication.clipboard().text(QClipboard.Mode.Clipboard) == "the user's own text"
