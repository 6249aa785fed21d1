"""The command line end to end, as an administrator would use it: init, demo, staff, verify,
backup, restore on the same and on a new computer. Bad input: exit code 1 and one plain
line on stderr; argparse usage errors: exit code 2."""

import re
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE
from tests.security.support import run_cli, scan, stderr_lines, subprocess_env, text_needles

RECOVERY_KEY = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}(?:-[0-9A-HJKMNP-TV-Z]{5}){7}$")
WEAKER = "Weaker protection"


@dataclass
class Cli:
    tmp: Path
    env: dict
    data_dir: Path
    key_file: Path

    def __call__(self, *args, stdin: str = PASSPHRASE + "\n", data_dir=None, key_file=None,
                 user: str | None = "manager"):
        argv = [*args, "--data-dir", data_dir or self.data_dir, "--passphrase-stdin",
                "--device-key-file", key_file or self.key_file]
        if user:
            argv += ["--user", user]
        return run_cli(argv, self.env, stdin)


def _ok(result):
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def _one_plain_line(result, *fragments) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = stderr_lines(result)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("confide: ") and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def _new_cli(base: Path) -> Cli:
    base.mkdir(parents=True, exist_ok=True)
    return Cli(base, subprocess_env(base), base / "vault", base / "device.key")


@pytest.fixture(scope="module")
def ready(tmp_path_factory):
    """One vault made by `confide init`, shared by the read-only checks below."""
    cli = _new_cli(tmp_path_factory.mktemp("cli"))
    result = _ok(cli("init", "--full-name", "Test Manager", "--service-name", "Northshire SENDIASS"))
    key = [line for line in result.stdout.splitlines() if RECOVERY_KEY.match(line)]
    assert len(key) == 1, result.stdout
    return cli, key[0]


def test_init_shows_the_recovery_key_once_and_writes_private_files(ready):
    cli, recovery = ready
    assert stat.S_IMODE(cli.data_dir.stat().st_mode) == 0o700
    for path in (cli.data_dir / "confide.db", cli.data_dir / "vault.json", cli.key_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    needles = text_needles("recovery key", recovery)
    needles.update(text_needles("recovery key, no dashes", recovery.replace("-", "")))
    needles.update(text_needles("passphrase", PASSPHRASE))
    assert scan([cli.tmp], needles) == []


def test_init_refuses_a_second_vault_and_a_weak_passphrase(ready, tmp_path):
    cli, _ = ready
    _one_plain_line(cli("init", "--full-name", "Someone Else"), "already exists")
    fresh = _new_cli(tmp_path)
    _one_plain_line(fresh("init", "--full-name", "Test Manager", stdin="short\n"), "at least 10")
    assert not (fresh.data_dir / "vault.json").exists()


def test_a_full_administrator_session(tmp_path):
    cli = _new_cli(tmp_path / "office")
    init = _ok(cli("init", "--full-name", "Test Manager"))
    recovery = next(line for line in init.stdout.splitlines() if RECOVERY_KEY.match(line))
    assert WEAKER in init.stderr  # the key-file opt-in is always called out

    _ok(cli("demo", "--staff", "3", "--cases", "2", "--seed", "7"))
    listing = _ok(cli("staff", "list")).stdout.splitlines()
    assert len(listing) == 4 and any(line.startswith("manager\tmanager\tTest Manager") for line in listing)
    assert "intact" in _ok(cli("verify")).stdout

    backup = tmp_path / "backups" / "monday.confide-backup"
    backup.parent.mkdir()
    assert "Backup written" in _ok(cli("backup", "--out", backup)).stdout
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600

    _ok(cli("staff", "add", "--username", "later", "--full-name", "Added After Backup",
            stdin=f"{PASSPHRASE}\n{OTHER_PASSPHRASE}\n"))
    assert len(_ok(cli("staff", "list")).stdout.splitlines()) == 5

    restored = _ok(cli("restore", "--from", backup))
    assert "kept in" in restored.stdout
    assert [p.name for p in cli.data_dir.iterdir() if p.name.startswith("replaced-")]
    assert len(_ok(cli("staff", "list")).stdout.splitlines()) == 4
    assert "intact" in _ok(cli("verify")).stdout

    # A new computer: an empty folder, and no device secret until the recovery key enrols it.
    laptop = _new_cli(tmp_path / "laptop")
    _ok(laptop("restore", "--from", backup, "--recovery-key-stdin", user=None,
               stdin=recovery.lower().replace("-", " ") + "\n"))
    assert laptop.key_file.exists()
    assert len(_ok(laptop("staff", "list")).stdout.splitlines()) == 4
    assert "intact" in _ok(laptop("verify")).stdout


BAD_INPUT = {
    "wrong passphrase": (["staff", "list"], {"stdin": "not my passphrase at all\n"}, "do not match"),
    "no passphrase given": (["staff", "list"], {"stdin": ""}, "Standard input ended"),
    "unknown user": (["verify"], {"user": "nobody"}, "do not match"),
    "missing vault folder": (["staff", "list"], {"data_dir": "MISSING"}, "There is no Confide vault"),
    "wrong device key file": (["staff", "list"], {"key_file": "OTHER_KEY"}, "device key file"),
    "backup into a missing folder": (["backup", "--out", "MISSING/x.confide-backup"], {}, "does not exist"),
    # The folder is named, never the temp file ("/nonexistent/dir/.x.pdf.yab4ulgi.tmp").
    "SAR pack into a missing folder": (["sar", "export", "--id", "SAR-2026-0001", "--out", "MISSING/dir/x.pdf"],
                                       {}, "missing/dir does not exist, so x.pdf was not saved"),
    "report into a missing folder": (["report", "--from", "2026-04-01", "--to", "2026-06-30", "--out",
                                      "MISSING/dir/r.pdf"], {}, "missing/dir does not exist, so r.pdf was not saved"),
    "unreadable backup file": (["restore", "--from", "GARBAGE"], {}, "not a Confide backup"),
    "backup file that is not there": (["restore", "--from", "MISSING/none.confide-backup"], {},
                                      "There is no backup file"),
    "badly typed recovery key": (["restore", "--from", "BACKUP", "--recovery-key-stdin"],
                                 {"user": None, "stdin": "ABCDE-FGHIJ\n"}, "8 groups of 5"),
    "wrong recovery key": (["recover", "--recovery-key-stdin"],
                           {"user": None, "stdin": "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF-GGGGG-HHHHH\n"},
                           "does not open this vault"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT), ids=list(BAD_INPUT))
def test_bad_input_gets_exit_1_and_one_plain_line(ready, tmp_path, case):
    cli, _ = ready
    args, options, expected = BAD_INPUT[case]
    places = {"MISSING": tmp_path / "missing", "GARBAGE": tmp_path / "garbage.confide-backup",
              "BACKUP": tmp_path / "good.confide-backup", "OTHER_KEY": tmp_path / "other.key"}
    places["GARBAGE"].write_bytes(b"this is not a zip file at all")
    places["OTHER_KEY"].write_text("another-vault-id:" + "A" * 43 + "=\n")
    if "BACKUP" in args:
        _ok(cli("backup", "--out", places["BACKUP"]))

    def fill(value):
        text = str(value)
        for token, path in places.items():
            text = text.replace(token, str(path))
        return text

    args = [fill(a) for a in args]
    options = {k: (fill(v) if k in ("data_dir", "key_file") else v) for k, v in options.items()}
    _one_plain_line(cli(*args, **options), expected)


USAGE = {
    "no --user": ["staff", "list", "--data-dir", "x"],
    "unknown command": ["frobnicate"],
    "unknown option": ["verify", "--user", "m", "--colour"],
    "bad choice": ["staff", "remove", "--user", "m"],
    "not a number": ["demo", "--user", "m", "--cases", "many"],
    "restore without a file": ["restore", "--data-dir", "x"],
}


@pytest.mark.parametrize("argv", list(USAGE.values()), ids=list(USAGE))
def test_usage_errors_exit_2(tmp_path, argv):
    result = run_cli(argv, subprocess_env(tmp_path))
    assert result.returncode == 2, result.stderr
    assert "usage:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()


def test_global_options_before_the_command_run_the_command(tmp_path):
    """`confide --device-key-file F init ...` runs init with F (it used to start the window, and
    argparse would have dropped F in favour of the subcommand's default)."""
    cli = _new_cli(tmp_path)
    result = run_cli(["--device-key-file", cli.key_file, "--data-dir", cli.data_dir, "init",
                      "--user", "manager", "--full-name", "Test Manager", "--passphrase-stdin"],
                     cli.env, PASSPHRASE + "\n")
    _ok(result)
    assert cli.key_file.exists() and (cli.data_dir / "vault.json").exists()
    result = run_cli([f"--device-key-file={cli.key_file}", "verify", "--data-dir", cli.data_dir,
                      "--user", "manager", "--passphrase-stdin"], cli.env, PASSPHRASE + "\n")
    _ok(result)
