"""Attack: start every command that asks for something with nothing to read from.

`confide verify < /dev/null` used to print an EOFError traceback (and getpass's warning that
the passphrase might be echoed). Every prompt must end in one plain line and exit code 1."""

import subprocess
import sys

import pytest

from tests.conftest import PASSPHRASE
from tests.security.support import CHEAP_ENTRY, ROOT, run_cli, stderr_lines, subprocess_env


def _run_without_input(args, env):
    # A new session has no controlling terminal, so getpass cannot fall back to /dev/tty:
    # what an admin's script, a cron job or CI sees.
    return subprocess.run([sys.executable, str(CHEAP_ENTRY), *map(str, args)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, start_new_session=True)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    base = tmp_path_factory.mktemp("eof")
    env = subprocess_env(base)
    common = ["--data-dir", base / "d", "--user", "mgr", "--device-key-file", base / "dev.key"]
    result = run_cli(["init", *common, "--passphrase-stdin", "--full-name", "Test Manager"], env, PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    result = run_cli(["backup", *common, "--passphrase-stdin", "--out", base / "b.confide-backup"], env,
                     PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    return base, env, common


COMMANDS = {
    "init": ["init", "--full-name", "Test Manager"],
    "demo": ["demo"],
    "verify": ["verify"],
    "backup": ["backup", "--out", "{base}/b2.confide-backup"],
    "report": ["report", "--from", "2026-01-01", "--to", "2026-02-01", "--out", "{base}/r.pdf"],
    "sar": ["sar", "list"],
    "staff": ["staff", "list"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_prompt_ends_in_one_plain_line(made, name):
    base, env, common = made
    args = [a.format(base=base) for a in COMMANDS[name]]
    if name == "init":
        common = ["--data-dir", base / "new", "--user", "mgr", "--device-key-file", base / "new.key"]
    result = _run_without_input([args[0], *common, *args[1:]], env)
    _assert_one_plain_line(result)
    assert "passphrase" in result.stderr.lower()
    if name == "init":
        assert not (base / "new" / "vault.json").exists()


@pytest.mark.parametrize("args", [
    ["restore", "--from", "{base}/b.confide-backup", "--user", "mgr"],
    ["restore", "--from", "{base}/b.confide-backup"],
    ["recover"],
], ids=["restore-passphrase", "restore-recovery-key", "recover"])
def test_restore_and_recover_prompts_end_in_one_plain_line(made, args):
    base, env, _ = made
    argv = [a.format(base=base) for a in args] + ["--data-dir", base / "elsewhere", "--device-key-file",
                                                   base / "other.key"]
    _assert_one_plain_line(_run_without_input(argv, env))


def test_stdin_options_that_run_out_say_which_secret_was_missing(made):
    base, env, common = made
    result = run_cli(["staff", "add", *common, "--passphrase-stdin", "--username", "newbie", "--full-name",
                      "New Starter"], env, PASSPHRASE + "\n")
    _assert_one_plain_line(result)
    assert "temporary passphrase" in result.stderr
    result = run_cli(["report", *common, "--passphrase-stdin", "--pdf-password-stdin", "--exact", "--from",
                      "2026-01-01", "--to", "2026-02-01", "--out", base / "x.pdf"], env, PASSPHRASE + "\n")
    _assert_one_plain_line(result)
    assert "pdf password" in result.stderr and not (base / "x.pdf").exists()


def _assert_one_plain_line(result):
    lines = stderr_lines(result)
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1 and lines[0].startswith("confide: "), result.stderr
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr
