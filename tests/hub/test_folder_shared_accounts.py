"""A folder hub shared by several OS accounts (an office where each person has a login of
their own, docs/hub.md "Sharing a folder hub"): the hub's files are readable, and its folders
writable, by the hub folder's group, whatever the process umask (077), and by nobody else;
a hub made before that is opened up by its maker. End to end: two accounts with different
user ids and one shared group (the way README tells IT to set the folder up) found a team
and join it through the same folder, as real separate processes."""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from app.storage.hub.folder import FolderHub
from tests.conftest import PASSPHRASE
from tests.security.support import CHEAP_ENTRY, subprocess_env

TEAM = "team-shared-1"


@pytest.fixture
def private_umask():
    old = os.umask(0o077)       # what harden_process sets in the real program
    yield
    os.umask(old)


def modes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in root.rglob("*")}


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_hub_files_are_shared_with_the_group_and_nobody_else(tmp_path, private_umask):
    root = tmp_path / "hub"
    root.mkdir()
    os.chmod(root, 0o2770)      # IT's set-up: the staff group's folder, set-group-ID
    hub = FolderHub(root, TEAM, create=True)
    hub.append(1, "dev1", "bundle", b"ciphertext")
    hub.put_snapshot(1, "dev1", b"snapshot")
    hub.revoke_device("dev9")
    found = modes(root)
    files = {k: v for k, v in found.items() if (root / k).is_file()}
    folders = {k: v for k, v in found.items() if (root / k).is_dir()}
    assert files and all(v == 0o640 for v in files.values()), files
    assert folders and all(v == 0o2770 for v in folders.values()), folders


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_hub_made_private_by_an_older_version_is_shared_when_its_maker_opens_it(tmp_path, private_umask):
    root = tmp_path / "hub"
    FolderHub(root, TEAM, create=True).append(1, "dev1", "bundle", b"x")
    for path in [root, *root.rglob("*")]:
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
    FolderHub(root, TEAM)
    assert all(v in (0o640, 0o770) for v in modes(root).values()), modes(root)


def _as(uid: int, gid: int, home: Path, *args, stdin: str) -> subprocess.CompletedProcess:
    env = subprocess_env(home, HOME=str(home), USER=f"u{uid}", LOGNAME=f"u{uid}")
    argv = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--",
            sys.executable, str(CHEAP_ENTRY), *map(str, args)]
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env, cwd="/", timeout=180)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to run as two other accounts (CI runs as root)")
def test_two_os_accounts_share_one_folder_hub():
    alice, bob, staff = 64101, 64102, 64100    # two accounts, one staff group
    base = Path(tempfile.mkdtemp(prefix="confide-share-"))
    try:
        base.chmod(0o755)
        hub = base / "hub"
        hub.mkdir()
        os.chown(hub, 0, staff)
        hub.chmod(0o2770)                       # README: chgrp <staff group>; chmod 2770
        homes = {}
        for uid in (alice, bob):
            homes[uid] = base / f"home-{uid}"
            homes[uid].mkdir(mode=0o700)
            os.chown(homes[uid], uid, staff)

        def run(uid, *args, stdin=PASSPHRASE + "\n", user="manager"):
            home = homes[uid]
            extra = ["--data-dir", home / "vault", "--passphrase-stdin", "--device-key-file", home / "device.key"]
            if user:
                extra += ["--user", user]
            result = _as(uid, staff, home, *args, *extra, stdin=stdin)
            assert result.returncode == 0, (args, result.stdout, result.stderr)
            return result

        run(alice, "init", "--full-name", "Alice Manager")
        run(alice, "team", "create", "--hub", hub, "--name", "Northshire SENDIASS")
        invite = homes[alice] / "bob.invite"
        code = run(alice, "team", "invite", "--device", "Bob's login", "--out", invite).stdout.strip().splitlines()[-1]
        # The invitation is carried over (a USB stick); here root hands it to Bob's account.
        carried = homes[bob] / "bob.invite"
        shutil.copy(invite, carried)
        os.chown(carried, bob, staff)
        joined = run(bob, "team", "join", "--from", carried, "--code-stdin", stdin=f"{PASSPHRASE}\n{code}\n")
        assert "joined Northshire SENDIASS" in joined.stdout
        run(bob, "sync")
        run(alice, "sync")
        listed = run(alice, "device", "list").stdout
        assert "Bob's login" in listed
        owners = {p.stat().st_uid for p in (hub / "entries").iterdir()}
        assert {alice, bob} <= owners, owners     # both accounts wrote entries the other read
        for path in hub.rglob("*"):
            assert not path.stat().st_mode & stat.S_IRWXO, path   # nothing for other accounts
    finally:
        shutil.rmtree(base, ignore_errors=True)
