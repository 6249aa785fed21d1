"""kill -9 during check-out (the laptop waiting, the office answering) and during check-in
(sync, marking returned, erasing, compacting) leaves both sides consistent: run again, it
finishes, and no change made on the laptop is lost."""

import os
import signal
import subprocess
import sys
import time
from datetime import date

from app.services.casework import notes
from app.services.team.laptop import checkout
from app.services.team.laptop.schema import casework
from tests.security.support import CHEAP_ENTRY, ROOT
from tests.team.laptop_world import family_case
from tests.team.test_cli_team import Computer
from tests.team.test_laptop_checkout import _casework_rows, _closure_rows

PASS = "correct horse battery staple\n"


def _do(computer, fn):
    s = computer.session()
    try:
        return fn(s)
    finally:
        s.lock("test")


def _start(computer, *args) -> subprocess.Popen:
    argv = [sys.executable, str(CHEAP_ENTRY), *map(str, args), "--data-dir", str(computer.dir), "--user",
            "manager", "--passphrase-stdin", "--device-key-file", str(computer.key)]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=computer.env, cwd=ROOT)
    proc.stdin.write(PASS.encode())
    proc.stdin.close()
    return proc


def _kill_after(proc: subprocess.Popen, delay: float) -> None:
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def _team(tmp_path):
    hub = tmp_path / "hub"
    hub.mkdir()
    office, laptop = Computer(tmp_path, "office"), Computer(tmp_path, "laptop")
    office.ok("init", "--full-name", "Test Manager")
    office.ok("team", "create", "--hub", str(hub), "--name", "Northshire SENDIASS")
    made = [_do(office, lambda s, n=n: family_case(s, n)) for n in ("Hartley", "Pryce")]
    invite = tmp_path / "laptop.invite"
    code = office.ok("team", "invite", "--device", "Laptop 1", "--laptop", "--out", invite
                     ).stdout.strip().splitlines()[-1]
    assert laptop.run("team", "join", "--from", invite, "--code-stdin", stdin=f"{PASS}{code}\n").returncode == 0
    return office, laptop, made


def test_kill9_during_checkout_then_checkin(tmp_path):
    office, laptop, made = _team(tmp_path)
    refs = ",".join(ref for _, ref in made)
    for delay in (0.8, 1.6, 2.4):
        _kill_after(_start(laptop, "checkout", "--cases", refs, "--wait", "3"), delay)
        _kill_after(_start(office, "sync"), delay)
    assert laptop.run("checkout", "--cases", refs, "--wait", "0").returncode in (0, 4)
    office.ok("sync")
    laptop.ok("checkout", "--cases", refs, "--wait", "0")
    ids = [cid for cid, _ in made]
    want = _do(office, lambda s: _closure_rows(s.conn, ids))
    assert _do(laptop, lambda s: _casework_rows(s.conn)) == want
    assert [c.state for c in _do(office, lambda s: checkout.list_checkouts(s))] == ["out", "out"]

    for n, delay in enumerate((0.9, 1.5, 2.1, 2.7, 3.3)):
        _do(laptop, lambda s, n=n: notes.add_note(s, ids[0], "meeting", date.today(), 5, f"Laptop note {n}"))
        _kill_after(_start(laptop, "checkin"), delay)
        # Whatever moment it died at, every laptop note is on the laptop or on the hub.
        here = _do(laptop, lambda s: {r[0] for r in s.conn.execute("SELECT body FROM note")})
        office.ok("sync")
        there = _do(office, lambda s: {r[0] for r in s.conn.execute("SELECT body FROM note")})
        assert {f"Laptop note {i}" for i in range(n + 1)} <= here | there
        if not _do(laptop, lambda s: checkout.list_checkouts(s, device_only=True)):
            break      # it got as far as returning them; the last run below finishes the erasure
    # Each check-in pushes what a killed one left; it erases once the office has applied all.
    for _ in range(4):
        if laptop.run("checkin", "--wait", "0").returncode == 0:
            break
        office.ok("sync")
    else:
        raise AssertionError("check-in never finished")
    there = _do(office, lambda s: {r[0] for r in s.conn.execute("SELECT body FROM note")})
    assert {f"Laptop note {i}" for i in range(n + 1)} <= there
    assert all(not rows for t, rows in _do(laptop, lambda s: _casework_rows(s.conn)).items()
               if t in _do(laptop, lambda s: casework(s.conn).tables))
    assert _do(office, lambda s: checkout.list_checkouts(s)) == []
