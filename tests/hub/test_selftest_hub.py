"""`confide --self-test --hub`: real races between processes, real fsync and read-back, and
a plain FAIL line when the folder or server does not hold up."""

import errno
import os
import tempfile

import pytest

from app.cli.commands import main
from app.services.selftest import hub as selftest_hub
from app.services.selftest.hub import check_hub
from app.storage.hub.folder import FolderHub

HUB_KINDS = ["postgres"]


def by_name(checks):
    return {c.name: c for c in checks}


@pytest.fixture(autouse=True)
def scratch_in_tmp(tmp_path, monkeypatch):
    """--self-test also makes a throwaway vault in a temporary folder: keep it under tmp_path."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def test_a_good_folder_passes_every_check(tmp_path, capsys):
    assert main(["--self-test", "--hub", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    hub_lines = out[-6:-1]   # after the installation's own checks (tests/packaging)
    assert [line.split(":")[0] for line in hub_lines] == [
        "PASS  folder", "PASS  hard links", "PASS  exclusive create", "PASS  durable writes", "PASS  hub"]
    assert "exactly one winner" in hub_lines[2]
    assert out[-1].startswith("Every check passed")
    assert [p.name for p in tmp_path.iterdir()] == []   # leaves nothing behind


@pytest.mark.slow
def test_a_folder_that_fakes_exclusive_create_fails_plainly(tmp_path):
    checks = by_name(check_hub(str(tmp_path), rounds=30, claimer="tests.hub.fake_claims:overwrite"))
    race = checks["exclusive create"]
    assert not race.ok
    assert "does not give exclusive create" in race.detail and "cannot be a hub" in race.detail


def test_a_folder_whose_fsync_fails_is_reported(tmp_path, monkeypatch):
    def refuse(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", refuse)   # in this process only: the durable-write check
    checks = by_name(selftest_hub._check_folder(tmp_path, 2, "tests.hub.fake_claims:overwrite"))
    assert not checks["durable writes"].ok
    assert "fsync" in checks["durable writes"].detail and "Input/output error" in checks["durable writes"].detail


def test_a_missing_folder_fails_with_one_line_and_exit_1(tmp_path, capsys):
    assert main(["--self-test", "--hub", str(tmp_path / "not-mounted")]) == 1
    failed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 1 and failed[0].startswith("FAIL  folder:") and "not-mounted" in failed[0]


def test_an_existing_hub_folder_is_described(tmp_path):
    hub = FolderHub(tmp_path / "hub", "team-x", create=True)
    hub.append(1, "dev-a", "bundle", b"x")
    (hub.root / "entries" / f"{2:012d}.entry").write_bytes(b"CONFIDE-HUB-1\n\x00")   # a claim cut short
    hub_check = by_name(check_hub(str(hub.root), rounds=5))["hub"]
    assert hub_check.ok and "team team-x, 1 entries" in hub_check.detail and "entry 2 is incomplete" in hub_check.detail


def test_a_postgres_hub_passes_as_the_device_role(hub_setup, any_hub, capsys):
    assert main(["--self-test", "--hub", hub_setup.location]) == 0
    out = capsys.readouterr().out
    assert hub_setup.names["device_password"] not in out
    for name in ("server", "tables", "device role", "sequence guard", "notify", "team"):
        assert f"PASS  {name}:" in out


def test_a_postgres_account_that_could_rewrite_the_log_fails(hub_setup, any_hub):
    server = hub_setup.server
    superuser = f"postgresql://postgres@/{hub_setup.names['dbname']}?host={server.base}&port={server.port}"
    checks = by_name(check_hub(superuser))
    assert not checks["device role"].ok and "UPDATE on entries" in checks["device role"].detail


def test_an_unreachable_postgres_hub_fails_plainly():
    checks = check_hub("postgresql://dev:pw-x@127.0.0.1:1/hub?connect_timeout=2")
    assert len(checks) == 1 and not checks[0].ok and "cannot be reached" in checks[0].detail
    assert "pw-x" not in checks[0].detail
