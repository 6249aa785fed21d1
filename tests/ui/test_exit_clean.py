"""A crash at interpreter exit must fail the run, not hide behind it.

The suite has no os._exit hook any more, but under pytest-xdist (`make test`) a worker that
dies of SIGSEGV after its last result is not reported. So the UI tests that once crashed the
process at exit (a secret left on the clipboard) are run here in a pytest of their own, whose
exit status is checked from outside."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXERCISED = ["tests/ui/test_clipboard.py",
             "tests/ui/test_reports_view.py::test_the_exact_pdf_is_encrypted_and_its_password_shown"]


def test_ui_tests_leave_the_interpreter_cleanly(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "--basetemp", str(tmp_path / "inner"), *EXERCISED],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    assert " passed" in done.stdout and "failed" not in done.stdout
