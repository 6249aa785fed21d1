"""One window per data folder (ui/single_window.py): found on the documents walk, where several
office windows ran on one vault at once, each with its own sync, auto-lock and drafts."""

import os
import signal
import subprocess
import sys
import textwrap

from ui import application, single_window
from ui.dialogs import messages


def test_a_second_window_on_the_same_folder_is_refused_and_changes_nothing(qtbot, data_dir, vault, monkeypatch):
    first = single_window.hold(data_dir)
    assert first is not None
    before = sorted(p.name for p in data_dir.iterdir())
    shown = []
    monkeypatch.setattr(messages, "_exec", lambda box: shown.append(box.text()))
    monkeypatch.setattr(application, "harden_process", lambda: None)   # the test process stays as it is
    assert application.run(["confide", "--data-dir", str(data_dir)]) == 1
    assert shown and "already open for this data folder" in shown[0] and "Nothing was changed" in shown[0]
    assert sorted(p.name for p in data_dir.iterdir()) == before
    first.unlock()
    again = single_window.hold(data_dir)          # free again once the first window has gone
    assert again is not None
    again.unlock()


def test_another_folder_is_not_held_up(tmp_path):
    a = single_window.hold(tmp_path / "a")
    b = single_window.hold(tmp_path / "b")
    assert a is not None and b is not None
    a.unlock()
    b.unlock()


def test_a_window_killed_outright_leaves_the_folder_usable(tmp_path):
    """kill -9 runs no clean-up: the lock names a process that no longer exists, so it is stale."""
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from PySide6.QtCore import QCoreApplication
        app = QCoreApplication([])
        from ui import single_window
        lock = single_window.hold(Path({str(tmp_path)!r}))
        print("held" if lock else "refused", flush=True)
        time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    try:
        assert holder.stdout.readline().strip() == "held"
        assert single_window.hold(tmp_path) is None       # held by a live process
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    lock = single_window.hold(tmp_path)
    assert lock is not None
    lock.unlock()
