"""Launch to the unlock window in under a second: the libraries that only later
screens need are not imported before the first window is shown."""

import subprocess
import sys
from pathlib import Path

import pytest

from app.security.device import KeyFileStore
from app.services.vault.unlock import create_vault
from tests.conftest import PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]
LATER = ("reportlab", "faker", "psycopg", "holidays", "pypdf")
PROBE = """
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from ui import application
app = QApplication([])
started = application.start(Path(sys.argv[1]), Path(sys.argv[2]) if sys.argv[2] else None)
assert any(w.isVisible() for w in app.topLevelWidgets()), "no window shown"
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


@pytest.mark.parametrize("with_vault", [True, False], ids=["unlock window", "set-up wizard"])
def test_the_first_window_shows_before_the_pdf_faker_postgres_and_holiday_libraries_load(tmp_path, with_vault):
    data_dir, key_file = tmp_path / "vault", tmp_path / "device.key"
    if with_vault:
        session, _ = create_vault(data_dir, "Northshire SENDIASS", "manager", "Test Manager", PASSPHRASE,
                                  KeyFileStore(key_file))
        session.lock("test")
    result = subprocess.run([sys.executable, "-c", PROBE, str(data_dir), str(key_file) if with_vault else ""],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin",
                                 "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
                                 "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert "PySide6" in loaded  # the probe really built the window
    assert loaded.isdisjoint(LATER), sorted(loaded & set(LATER))
