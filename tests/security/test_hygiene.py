"""Process hygiene on Linux: after harden_process() (which the CLI runs first) the process
cannot be dumped, the core-size limit is zero, new files are private, and a crash leaves no
core file holding keys or case data."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.support import ROOT, subprocess_env

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux process controls")

SECRET_MARKER = "Zqxwvy-secret-in-memory-0123456789"

PROBE = r"""
import contextlib, ctypes, io, json, os, resource, sys

mode, action = sys.argv[1], sys.argv[2]
# Begin from the most permissive limit this account may set, so that a missing hardening
# step shows up instead of hiding behind a default of 0.
soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
with contextlib.suppress(ValueError, OSError):
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
if mode == "harden":
    from app.security.hygiene import harden_process
    harden_process()
elif mode == "cli":
    from app.cli import main
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main(["--version"])
from app.security.hygiene import is_dumpable
libc = ctypes.CDLL(None, use_errno=True)
secret = sys.argv[3] * 50  # kept alive in memory until the crash
print(json.dumps({"pid": os.getpid(), "is_dumpable": is_dumpable(),
                  "prctl_dumpable": libc.prctl(3, 0, 0, 0, 0),
                  "core_limit": list(resource.getrlimit(resource.RLIMIT_CORE))}), flush=True)
if action == "crash":
    os.abort()
sys.stdin.read()
"""


def _start(tmp_path: Path, mode: str, action: str = "wait") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", PROBE, mode, action, SECRET_MARKER],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=tmp_path, env=subprocess_env(tmp_path))


def _probe(tmp_path: Path, mode: str) -> tuple[dict, str, str]:
    proc = _start(tmp_path, mode)
    try:
        state = json.loads(proc.stdout.readline())
        # Read by another process, as a debugger or crash reporter would see it.
        limits = Path(f"/proc/{state['pid']}/limits").read_text()
        status = Path(f"/proc/{state['pid']}/status").read_text()
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    return state, limits, status


def _core_line(limits: str) -> list[str]:
    line = next(ln for ln in limits.splitlines() if ln.startswith("Max core file size"))
    return line.split()[4:6]


@pytest.mark.parametrize("mode", ["harden", "cli"])
def test_hardened_process_is_not_dumpable_and_has_no_core_limit(tmp_path, mode):
    state, limits, status = _probe(tmp_path, mode)
    assert state["is_dumpable"] is False
    assert state["prctl_dumpable"] == 0
    assert state["core_limit"] == [0, 0]
    assert _core_line(limits) == ["0", "0"]
    umask = next(ln.split()[1] for ln in status.splitlines() if ln.startswith("Umask:"))
    assert umask == "0077"


def test_without_hardening_the_probe_would_fail(tmp_path):
    """Control: the checks above are not simply true of every process here."""
    state, _limits, _status = _probe(tmp_path, "plain")
    assert state["is_dumpable"] is True and state["prctl_dumpable"] == 1


def test_a_crash_leaves_no_core_file(tmp_path):
    control_dir, hardened_dir = tmp_path / "control", tmp_path / "hardened"
    control_dir.mkdir()
    hardened_dir.mkdir()
    control = _start(control_dir, "plain", "crash")
    control.communicate(timeout=60)
    cores = [p for p in control_dir.iterdir() if p.name.startswith("core")]
    if not cores:
        pytest.skip("this system sends core dumps elsewhere (core_pattern), so none can be seen here")
    assert SECRET_MARKER.encode() in cores[0].read_bytes()  # what a core file would give away

    hardened = _start(hardened_dir, "harden", "crash")
    hardened.communicate(timeout=60)
    assert hardened.returncode != 0
    assert [p.name for p in hardened_dir.iterdir() if p.name.startswith("core")] == []


def test_the_gui_entry_point_hardens_too():
    """main.py without arguments starts the GUI; that path must harden the process as well."""
    source = (ROOT / "main.py").read_text() + "".join(
        p.read_text() for p in (ROOT / "ui").glob("application.py"))
    if "ui.application" in source and not (ROOT / "ui" / "application.py").exists():
        pytest.skip("ui/application.py is not written yet")
    assert "harden_process" in source
