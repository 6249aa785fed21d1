"""A join is all or nothing: stopped by an error or by kill -9 at several points, it leaves
either no vault or a complete one, and the next attempt with the same invitation works."""

import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.config import Paths
from app.security.device import KeyFileStore
from app.services.demo import build as demo
from app.services.team import join_staging, membership, snapshot_file
from app.services.vault.unlock import create_vault, unlock
from tests.conftest import PASSPHRASE
from tests.security.support import CHEAP_ENTRY, ROOT, subprocess_env
from tests.team.replica import rows_of


@pytest.fixture
def office(tmp_path):
    hub = tmp_path / "hub"
    hub.mkdir()
    a, _ = create_vault(tmp_path / "office", "Northshire SENDIASS", "manager", "Test Manager", PASSPHRASE,
                        KeyFileStore(tmp_path / "office.key"))
    demo.populate(a, staff=2, cases=12, seed=5)
    membership.create(a, str(hub), "Northshire SENDIASS")
    yield a
    a.lock("test")


def _records(session) -> dict:
    return {t: r for t, r in rows_of(session).items() if t != "staff"}


def _no_vault_or_whole(data_dir: Path, key: Path, expected: dict) -> bool:
    """True when a whole vault is there; False when there is none. Anything else fails."""
    if not Paths(data_dir).vault.exists():
        return False
    s = unlock(data_dir, "manager", PASSPHRASE, key)
    try:
        assert _records(s) == expected
    finally:
        s.lock("test")
    return True


def test_a_join_that_fails_half_way_leaves_no_vault_and_can_be_tried_again(tmp_path, office, monkeypatch):
    code = membership.invite(office, "Laptop", tmp_path / "laptop.invite")
    target, key = tmp_path / "laptop", tmp_path / "laptop.key"
    real_load = snapshot_file.load

    def broken(conn, **kwargs):
        real_load(conn, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(snapshot_file, "load", broken)
    with pytest.raises(OSError):
        membership.join(target, tmp_path / "laptop.invite", code, "manager", PASSPHRASE, KeyFileStore(key))
    assert not target.exists()
    monkeypatch.setattr(snapshot_file, "load", real_load)
    b = membership.join(target, tmp_path / "laptop.invite", code, "manager", PASSPHRASE, KeyFileStore(key))
    try:
        assert _records(b) == _records(office)
        assert not join_staging.leftovers(target)
    finally:
        b.lock("test")


def _start_join(invite: Path, code: str, target: Path, key: Path, env: dict) -> subprocess.Popen:
    argv = [sys.executable, str(CHEAP_ENTRY), "team", "join", "--from", str(invite), "--code-stdin",
            "--data-dir", str(target), "--passphrase-stdin", "--device-key-file", str(key), "--user", "manager"]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, cwd=ROOT)
    proc.stdin.write(f"{PASSPHRASE}\n{code}\n".encode())
    proc.stdin.close()
    return proc


def _kill_when(proc: subprocess.Popen, ready, extra: float) -> bool:
    """kill -9 once `ready()` holds (plus `extra` seconds). False if the join finished first."""
    deadline = time.monotonic() + 120
    while not ready():
        if proc.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the join never reached the point to stop it at"
        time.sleep(0.002)
    time.sleep(extra)
    finished = proc.poll() is not None
    if not finished:
        proc.kill()   # SIGKILL; Popen's own kill never signals a process it has already reaped
    proc.wait()
    return not finished


@pytest.mark.slow
def test_kill9_anywhere_in_a_join_leaves_no_vault_or_a_whole_one(tmp_path, office):
    """Killed at each point in turn, with the same invitation each time. A join that gets there
    first (a whole vault, on a quiet machine a small team's join takes well under a second) is
    set aside and the next point tried with a new invitation, so the kills that land are
    counted rather than hoped for."""
    expected = _records(office)
    target, key = tmp_path / "laptop", tmp_path / "laptop.key"
    (tmp_path / "env").mkdir()
    env = subprocess_env(tmp_path / "env")
    staging = target / join_staging.STAGING
    rng = random.Random(7)
    points = [lambda: staging.exists(),                                   # the new vault being made
              lambda: (staging / "vault.json").exists(),                  # made; snapshot on its way
              lambda: (staging / "confide.db").exists(),                  # records going in
              lambda: (staging / "confide.db-wal").exists(),              # restored; back in the log
              lambda: (target / join_staging.MARKER).exists()]            # being moved into place
    invitations = 0

    def invite() -> tuple[Path, str]:
        nonlocal invitations
        invitations += 1
        path = tmp_path / f"laptop-{invitations}.invite"
        return path, membership.invite(office, f"Laptop {invitations}", path)

    invitation, code = invite()
    stopped = 0
    for point in points * 3:
        proc = _start_join(invitation, code, target, key, env)
        stopped += _kill_when(proc, point, rng.uniform(0, 0.05))
        if _no_vault_or_whole(target, key, expected):
            if stopped >= 3:
                break
            shutil.rmtree(target)
            key.unlink(missing_ok=True)
            invitation, code = invite()
    assert stopped >= 3, "the joins finished before they could be stopped: nothing was tested"
    if not Paths(target).vault.exists():
        proc = _start_join(invitation, code, target, key, env)
        assert proc.wait(timeout=180) == 0, proc.stderr.read().decode()[-2000:]
    assert _no_vault_or_whole(target, key, expected)
    assert not join_staging.leftovers(target)
