"""packaging/install-linux.sh and uninstall-linux.sh, run as root on a stand-in bundle (the
real one is built by `make package`): the installed program is owned by root and writable by
root only, whoever unpacked it; an upgrade replaces the folder whole; uninstalling removes the
program and the menu entry and leaves a `confide` command that is not ours alone; both refuse
to run as anyone else, with exit code 2."""

import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser"),
                                reason="installs as root (CI runs as root)")


def unpacked(base: Path, version: str, extra: str) -> Path:
    """An unpacked bundle as an ordinary account leaves it: its files, writable by all."""
    folder = base / f"unpacked-{version}" / "Confide"
    (folder / "_internal").mkdir(parents=True)
    (folder / "confide").write_text(f"#!/bin/sh\necho confide {version}\n")
    (folder / "_internal" / extra).write_text(version)
    for name in ("confide.desktop", "confide.png", "confide.svg"):
        (folder / name).write_text(name)
    for name in ("install-linux.sh", "uninstall-linux.sh"):
        shutil.copy2(ROOT / "packaging" / name, folder / name)
    # PyInstaller's bundles hold symbolic links (a library under two names).
    (folder / "_internal" / "libexample.so.1").symlink_to(extra)
    nobody = pwd.getpwnam("nobody")
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, nobody.pw_uid, nobody.pw_gid, follow_symlinks=False)
        if not path.is_symlink():
            path.chmod(0o777 if path.is_dir() or path.name.endswith(("confide", ".sh")) else 0o666)
    return folder


def places(base: Path) -> dict:
    return {"PREFIX": str(base / "opt" / "confide"), "BINDIR": str(base / "bin"),
            "APPDIR": str(base / "applications"), "ICONDIR": str(base / "icons")}


def run(script: Path, env: dict, as_user: str | None = None) -> subprocess.CompletedProcess:
    argv = [str(script)] if as_user is None else ["runuser", "-u", as_user, "--", str(script)]
    return subprocess.run(argv, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


def test_install_makes_the_program_root_owned_and_upgrade_replaces_it(tmp_path):
    where = places(tmp_path)
    first = unpacked(tmp_path, "1", "old-only.txt")
    result = run(first / "install-linux.sh", where)
    assert result.returncode == 0, result.stderr
    prefix = Path(where["PREFIX"])
    for path in [prefix, *prefix.rglob("*")]:
        info = path.lstat()
        assert (info.st_uid, info.st_gid) == (0, 0), path
        if not stat.S_ISLNK(info.st_mode):      # a link's own mode means nothing
            assert not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH), (path, oct(info.st_mode))
    assert os.access(prefix / "confide", os.X_OK)
    assert os.readlink(Path(where["BINDIR"]) / "confide") == str(prefix / "confide")
    assert (Path(where["APPDIR"]) / "confide.desktop").is_file()

    second = unpacked(tmp_path, "2", "new-only.txt")
    assert run(second / "install-linux.sh", where).returncode == 0
    assert (prefix / "_internal" / "new-only.txt").read_text() == "2"
    assert not (prefix / "_internal" / "old-only.txt").exists()
    assert not Path(where["PREFIX"] + ".old").exists() and not Path(where["PREFIX"] + ".new").exists()

    removed = run(prefix / "uninstall-linux.sh", where)
    assert removed.returncode == 0, removed.stderr
    assert not prefix.exists() and not (Path(where["BINDIR"]) / "confide").exists()
    assert not (Path(where["APPDIR"]) / "confide.desktop").exists()


def test_uninstall_leaves_a_confide_command_that_is_not_ours(tmp_path):
    where = places(tmp_path)
    other = Path(where["BINDIR"]) / "confide"
    other.parent.mkdir(parents=True)
    other.write_text("someone else's\n")
    assert run(ROOT / "packaging" / "uninstall-linux.sh", where).returncode == 0
    assert other.read_text() == "someone else's\n"


def test_both_refuse_to_run_as_an_ordinary_account(tmp_path):
    shared = Path(tempfile.mkdtemp(prefix="confide-install-test-"))
    try:
        shared.chmod(0o755)
        for name in ("install-linux.sh", "uninstall-linux.sh"):
            shutil.copy2(ROOT / "packaging" / name, shared / name)
            (shared / name).chmod(0o755)
            result = run(shared / name, places(shared), as_user="nobody")
            assert result.returncode == 2 and "as root" in result.stderr, result.stderr
    finally:
        shutil.rmtree(shared)
