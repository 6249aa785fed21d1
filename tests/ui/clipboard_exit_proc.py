"""Copy a secret and exit normally, as Confide does when closed within 30 seconds of a copy.

Run by tests/ui/test_clipboard_exit.py in its own process: before ui.clipboard cleared the
clipboard at exit, Qt deleted the Python-made QMimeData after the interpreter had gone and
the process died of SIGSEGV after everything had worked.

Usage: python tests/ui/clipboard_exit_proc.py [--user-copies-after]
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QClipboard, QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ui.clipboard import SecretClipboard  # noqa: E402

if __name__ == "__main__":
    app = QApplication([])
    clipboard = SecretClipboard()
    clipboard.copy("canary 4411-secret")
    if "--user-copies-after" in sys.argv:
        QGuiApplication.clipboard().setText("the user's own text")
    print(QGuiApplication.clipboard().text(QClipboard.Mode.Clipboard), flush=True)
