"""Process hygiene on Linux: after harden_process() (which the CLI and the GUI run first) the
process cannot be dumped, the core-size limit is zero, new files are private, and a crash
leaves no core file holding keys or case data. The last test checks a started Confide
(GUI and CLI) from outside."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.security.support import CHEAP_ENTRY, subprocess_env

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux process controls")
resource = pytest.importorskip("resource")

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
    from app.cli.commands import main
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


def _raise_core_limit():
    # In the child before exec: start from the most permissive limit, so that a process
    # that never hardens shows a non-zero limit instead of hiding behind a default of 0.
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def _start_confide(tmp_path: Path, how: str) -> subprocess.Popen:
    """Confide itself, started as a user would (through tests/cheap_entry.py): the GUI (its
    set-up wizard, offscreen) or the CLI waiting for a passphrase on standard input."""
    args = {"gui": ["--data-dir", str(tmp_path / "vault")],
            "cli": ["init", "--data-dir", str(tmp_path / "vault"), "--user", "manager",
                    "--full-name", "Test Manager", "--passphrase-stdin"]}[how]
    (tmp_path / "proc-tmp").mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, str(CHEAP_ENTRY), *args], cwd=tmp_path,
                            env=subprocess_env(tmp_path), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_raise_core_limit)


def _core_limit_from_outside(pid: int, timeout: float = 60.0) -> list[str]:
    """The core limit in /proc/PID/limits once it reads 0 0, or as last seen at the timeout
    (the poll is for start-up only: a process that never hardens fails the assert)."""
    deadline = time.monotonic() + timeout
    while True:
        seen = _core_line(Path(f"/proc/{pid}/limits").read_text())
        if seen == ["0", "0"] or time.monotonic() > deadline:
            return seen
        time.sleep(0.05)


@pytest.mark.parametrize("how", ["gui", "cli"])
def test_a_started_confide_has_no_core_limit_and_cannot_be_dumped(tmp_path, how):
    """Checked from outside the running program, as a crash handler or another process of
    the same account meets it: its limits and umask in /proc, then a crash sent from outside
    leaves no core file, where a plain process under the same conditions does (the control;
    without one the test is skipped). The dumpable flag has no /proc field, and raising the
    limit again from outside needs CAP_SYS_RESOURCE; the probe tests above read it with prctl."""
    (tmp_path / "control").mkdir()
    control = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                               cwd=tmp_path / "control", stdin=subprocess.PIPE,
                               preexec_fn=_raise_core_limit)
    os.kill(control.pid, signal.SIGABRT)
    control.wait(timeout=60)
    if not any(p.name.startswith("core") for p in (tmp_path / "control").iterdir()):
        pytest.skip("this system sends core dumps elsewhere (core_pattern), so none can be seen here")

    proc = _start_confide(tmp_path, how)
    try:
        assert _core_limit_from_outside(proc.pid) == ["0", "0"]
        status = Path(f"/proc/{proc.pid}/status").read_text()
        umask = next(ln.split()[1] for ln in status.splitlines() if ln.startswith("Umask:"))
        assert umask == "0077"
        assert proc.poll() is None, proc.stderr.read()
        os.kill(proc.pid, signal.SIGABRT)
        assert proc.wait(timeout=60) == -signal.SIGABRT
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
        proc.stdin.close()
        proc.stdout.close()
        proc.stderr.close()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("core")] == []
