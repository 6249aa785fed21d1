"""Attack: weaken the key derivation from the environment. CONFIDE_TEST_CHEAP_KDF=1 used to
switch the shipped program to 1 MiB / 1 pass Argon2 (and accept such slots): anyone who could
set an environment variable for the caseworker (a shortcut, a login script) made every new
passphrase slot cheap to brute-force. The cheap profile now exists only in the test suite's
own fixtures and its launcher under tests/, which is never shipped."""

import ast
import json
import subprocess
import sys

import pytest

from app.security import kdf
from tests.conftest import PASSPHRASE
from tests.security.support import ROOT, subprocess_env

SHIPPED = [ROOT / "main.py", *sorted((ROOT / "app").rglob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]


def test_no_shipped_module_can_switch_on_the_test_profile():
    found = []
    for path in SHIPPED:
        source = path.read_text(encoding="utf-8")
        if "CONFIDE_TEST" in source:
            found.append(f"{path.relative_to(ROOT)} reads a CONFIDE_TEST variable")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) \
                    == "use_cheap_profile_for_tests":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} calls use_cheap_profile_for_tests")
    assert found == []


@pytest.mark.parametrize("entry", ["app.cli.commands", "ui.application"])
def test_the_environment_variable_does_nothing_at_start_up(tmp_path, entry):
    env = subprocess_env(tmp_path, CONFIDE_TEST_CHEAP_KDF="1")
    if entry == "app.cli.commands":
        code = "import sys; from app.cli import commands as cli; from app.security import kdf; cli.main([]); print(kdf.test_profile_active())"
    else:
        # Everything run() does before the window exists: hardening and argument parsing.
        code = ("import ui.application as a; from app.security import kdf; a.harden_process(); "
                "a.parse_args([]); print(kdf.test_profile_active())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.slow
def test_a_vault_made_by_the_shipped_program_has_full_strength_slots_even_with_the_variable(tmp_path):
    env = subprocess_env(tmp_path, CONFIDE_TEST_CHEAP_KDF="1")
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "init", "--data-dir", str(tmp_path / "d"),
                             "--user", "mgr", "--full-name", "Test Manager", "--passphrase-stdin",
                             "--device-key-file", str(tmp_path / "dev.key")], input=PASSPHRASE + "\n",
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    vault = json.loads((tmp_path / "d" / "vault.json").read_text())
    params = [slot["kdf"] for slot in vault["slots"].values()] if isinstance(vault["slots"], dict) else \
        [slot["kdf"] for slot in vault["slots"]]
    assert params and all(p["memory_kib"] >= kdf.MIN_MEMORY_KIB and p["lanes"] >= kdf.MIN_LANES for p in params)


def test_the_suite_itself_runs_on_the_cheap_profile():
    """The other side of the switch: the fixtures turned it on in this process."""
    assert kdf.test_profile_active()
