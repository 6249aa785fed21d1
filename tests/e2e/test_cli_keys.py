"""The command line for keys and checkpoints: `audit checkpoint`, `verify --checkpoint`,
`verify --against`, `rekey`; bad input is one plain line."""

import re

from tests.e2e.test_cli import RECOVERY_KEY, _new_cli, _ok, _one_plain_line

CHECKPOINT = re.compile(r"^\d+:[0-9a-f]{64}$")


def test_checkpoint_verify_and_rekey_from_the_command_line(tmp_path):
    cli = _new_cli(tmp_path)
    _ok(cli("init", "--full-name", "Test Manager"))
    printed = _ok(cli("audit", "checkpoint")).stdout.strip()
    assert CHECKPOINT.match(printed), printed
    backup = tmp_path / "b.confide-backup"
    _ok(cli("backup", "--out", backup))
    before = (cli.data_dir / "vault.json").read_text()
    out = _ok(cli("rekey")).stdout
    assert "new key" in out
    assert (cli.data_dir / "vault.json").read_text() != before
    verified = _ok(cli("verify", "--checkpoint", printed, "--against", backup)).stdout
    assert f"Matches the backup {backup.name}" in verified
    assert "Append-only triggers: exactly the shipped ones" in verified
    _one_plain_line(cli("verify", "--checkpoint", "12:nothex"), "not a checkpoint")
    _one_plain_line(cli("verify", "--against", tmp_path / "missing.zip"), "no backup file")


def test_a_new_recovery_key_replaces_the_old_one(tmp_path):
    cli = _new_cli(tmp_path)
    old = [line for line in _ok(cli("init", "--full-name", "Test Manager")).stdout.splitlines()
           if RECOVERY_KEY.match(line)][0]
    new = [line for line in _ok(cli("new-recovery-key")).stdout.splitlines() if RECOVERY_KEY.match(line)]
    assert len(new) == 1 and new[0] != old
    _one_plain_line(cli("recover", "--recovery-key-stdin", user=None, stdin=old + "\n"), "does not open")
    _ok(cli("recover", "--recovery-key-stdin", user=None, stdin=new[0] + "\n"))
