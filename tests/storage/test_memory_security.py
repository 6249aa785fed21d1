"""SQLCipher memory security (docs/security.md): on for every connection; off only in a process that
declared that it writes synthetic data and nothing else (`confide demo`). SQLCipher keeps the
setting for the whole process once used, so each case runs in a fresh interpreter."""

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import vault as cli
from app.storage import db

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
from pathlib import Path
from app.storage import db
if sys.argv[2] == "synthetic":
    db.synthetic_data_process()
conn = db.open_database(Path(sys.argv[1]), bytes(range(32)), create=True)
print(db.memory_security_on(conn))
"""


@pytest.mark.parametrize("mode, expected", [("product", "True"), ("synthetic", "False")])
def test_memory_security_is_on_unless_the_process_writes_synthetic_data(tmp_path, mode, expected):
    result = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "probe.db"), mode], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_the_demo_command_declares_synthetic_data_before_it_opens_the_vault(monkeypatch):
    calls = []
    monkeypatch.setattr(db, "synthetic_data_process", lambda: calls.append("synthetic"))

    def unlock(args, source):
        calls.append("unlock")
        raise RuntimeError("stop here")

    monkeypatch.setattr(cli, "unlock", unlock)
    with pytest.raises(RuntimeError, match="stop here"):
        cli.cmd_demo(argparse.Namespace(passphrase_stdin=True))
    assert calls == ["synthetic", "unlock"]
