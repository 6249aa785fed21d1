"""Attack: a device key file that other accounts on the computer can read. That file is the
OS-login layer when there is no credential store; readable by others, it protects nothing,
so Confide refuses it and says which chmod fixes it. The "weaker protection" notice shows
whenever the key file is in use, also when its path comes from vault.json."""

import os

import pytest

from app.errors import DeviceKeyFileExposed
from app.security.device import KeyFileStore
from tests.conftest import PASSPHRASE
from tests.security.support import run_cli, stderr_lines, subprocess_env

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602])
def test_a_key_file_others_can_read_or_change_is_refused_with_the_fix(tmp_path, mode):
    store = KeyFileStore(tmp_path / "device.key")
    store.save("vault-1", b"\x07" * 32)
    assert store.load("vault-1") == b"\x07" * 32
    os.chmod(store.path, mode)
    with pytest.raises(DeviceKeyFileExposed) as info:
        store.load("vault-1")
    assert f"chmod 600 '{store.path}'" in info.value.message and f"{mode:04o}" in info.value.message
    os.chmod(store.path, 0o600)  # the fix it names works
    assert store.load("vault-1") == b"\x07" * 32


@pytest.fixture
def cli_vault(tmp_path):
    env = subprocess_env(tmp_path)
    key = tmp_path / "device.key"
    result = run_cli(["init", "--data-dir", tmp_path / "d", "--user", "mgr", "--full-name", "Test Manager",
                      "--passphrase-stdin", "--device-key-file", key], env, PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    return tmp_path, env, key


def test_the_command_line_refuses_an_exposed_key_file_in_one_line(cli_vault):
    base, env, key = cli_vault
    os.chmod(key, 0o644)
    result = run_cli(["staff", "list", "--data-dir", base / "d", "--user", "mgr", "--passphrase-stdin"], env,
                     PASSPHRASE + "\n")
    assert result.returncode == 1
    assert stderr_lines(result) == [f"confide: The device key file {key} can be read or changed by other accounts "
                                    f"on this computer (permissions 0644). Confide will not use it like that. "
                                    f"Make it private with: chmod 600 '{key}'"]
    assert "mgr" not in result.stdout


def test_weaker_notice_also_when_the_path_comes_from_vault_json(cli_vault):
    base, env, _key = cli_vault
    # No --device-key-file: the path is the one set up in vault.json.
    for argv in (["staff", "list"], ["verify"]):
        result = run_cli([*argv, "--data-dir", base / "d", "--user", "mgr", "--passphrase-stdin"], env,
                         PASSPHRASE + "\n")
        assert result.returncode == 0, result.stderr
        assert "Weaker protection: the device secret is kept in a file" in result.stderr
