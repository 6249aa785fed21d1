"""Launch to the unlock window in under a second: the libraries that only later
screens need are not imported before the first window is shown, nor the team's code
(docs/performance.md, "Wall clock from start to window shown")."""

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
import importlib
app = QApplication([])
launcher = importlib.import_module(sys.argv[3])
started = launcher.start(Path(sys.argv[1]), Path(sys.argv[2]) if sys.argv[2] else None)
assert any(w.isVisible() for w in app.topLevelWidgets()), "no window shown"
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
print(" ".join(sorted(name for name in sys.modules if name.startswith(("app.", "ui.")))))
"""
TEAM = ("app.services.team", "ui.team")


def _first_window_modules(tmp_path, with_vault: bool) -> tuple[set[str], set[str]]:
    """(top-level packages, Confide's own modules) loaded once the first window is shown,
    started as main.py starts it: ui.application with a vault, ui.first_run without."""
    data_dir, key_file = tmp_path / "vault", tmp_path / "device.key"
    if with_vault:
        session, _ = create_vault(data_dir, "Northshire SENDIASS", "manager", "Test Manager", PASSPHRASE,
                                  KeyFileStore(key_file))
        session.lock("test")
    launcher = "ui.application" if with_vault else "ui.first_run"
    result = subprocess.run([sys.executable, "-c", PROBE, str(data_dir), str(key_file) if with_vault else "", launcher],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin",
                                 "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
                                 "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.returncode == 0, result.stderr
    packages, own = result.stdout.splitlines()
    return set(packages.split()), set(own.split())


@pytest.mark.parametrize("with_vault", [True, False], ids=["unlock window", "set-up wizard"])
def test_the_first_window_shows_before_the_pdf_faker_postgres_and_holiday_libraries_load(tmp_path, with_vault):
    loaded, _own = _first_window_modules(tmp_path, with_vault)
    assert "PySide6" in loaded  # the probe really built the window
    assert loaded.isdisjoint(LATER), sorted(loaded & set(LATER))


def test_the_unlock_window_loads_none_of_the_teams_code(tmp_path):
    """The team's modules took 0.16 s of the launch through the settings, the hub's location
    and the sync item; a first run's wizard still loads them (joining a team), main.py's other
    path."""
    _loaded, own = _first_window_modules(tmp_path, with_vault=True)
    assert "ui.main_window" in own and "ui.first_run" not in own
    team = sorted(name for name in own if name.startswith(TEAM))
    assert team == [], team
