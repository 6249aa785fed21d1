"""The command line for keys and checkpoints: `audit checkpoint`, `verify --checkpoint`,
`verify --against`, `rekey`; bad input is one plain line."""

import re

from tests.e2e.test_cli import _new_cli, _ok, _one_plain_line

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
