"""Against a real Secret Service, not only the key-file opt-in: GNOME Keyring in a D-Bus
session of its own (what a Linux desktop gives each staff account). The installed program's
`--self-test` uses it, a vault is created with its device secret there, and a later process
unlocks that vault with the secret read back from it (README "Installing Confide on staff
computers"). .ci/run installs gnome-keyring; elsewhere the test is skipped when it is missing,
and under CI that is a failure."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.security.support import CHEAP_ENTRY

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture
def desktop_session():
    missing = [t for t in ("gnome-keyring-daemon", "dbus-run-session") if not shutil.which(t)]
    if missing:
        if _in_ci():
            pytest.fail(f"CI needs a real Secret Service: {', '.join(missing)} not found (.ci/run installs "
                        "gnome-keyring)", pytrace=False)
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install gnome-keyring dbus)")


def test_self_test_and_unlock_with_gnome_keyring(desktop_session, tmp_path):
    home = tmp_path / "home"
    (home / "run").mkdir(parents=True, mode=0o700)
    vault = tmp_path / "vault"
    confide = f"{sys.executable} {CHEAP_ENTRY}"
    # One desktop session: the keyring daemon unlocked with the login password, then Confide.
    script = textwrap.dedent(f"""\
        set -eu
        eval "$(printf 'login words of this account' | gnome-keyring-daemon --unlock --components=secrets)"
        echo "== self-test"
        {confide} --self-test
        echo "== init"
        printf '%s\\n' '{PASSPHRASE}' | {confide} init --data-dir {vault} --user manager --full-name 'Test Manager' --passphrase-stdin
        echo "== unlock"
        printf '%s\\n' '{PASSPHRASE}' | {confide} staff list --data-dir {vault} --user manager --passphrase-stdin
        """)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CONFIDE_", "XDG_", "DBUS_", "PYTHON_KEYRING", "GNOME_KEYRING"))}
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(home / "run"), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen",
               PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(["dbus-run-session", "--", "bash", "-c", script], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=600)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    self_test = out.split("== init")[0]
    assert "PASS  credential store: SecretService Keyring is available" in self_test, self_test
    assert "device secret saved to and read from the OS credential store" in self_test
    assert "Every check passed" in self_test
    assert "Weaker protection" not in result.stderr           # no key file anywhere
    assert "manager" in out.split("== unlock")[1]             # the second process unlocked the vault
    assert not any(vault.rglob("*.key"))
    # The secret lives in the keyring's own files, not beside the vault.
    assert any((home / "data" / "keyrings").iterdir())
