"""SQLCipher memory security (docs/security.md, "Memory security: off, and why"): off on every
connection, SQLCipher's own default since 4.5, set explicitly so that a build with another
default cannot change it unseen. What stands in its place is tested in test_hygiene (the
process cannot be dumped or traced by another program of the same account, a crash leaves
no core file). SQLCipher keeps the setting for the whole process once a connection used it,
so the probe runs in a fresh interpreter, as the program does."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
from pathlib import Path
from app.storage import db
conn = db.open_database(Path(sys.argv[1]), bytes(range(32)), create=True)
print(conn.execute("PRAGMA cipher_memory_security").fetchone()[0])
"""


def test_every_connection_of_a_fresh_process_has_memory_security_off(tmp_path):
    result = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "probe.db")], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"

