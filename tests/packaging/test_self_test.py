"""`confide --self-test`: every check passes on a working installation, and each one fails,
with a plain reason and exit code 1, when what it checks is broken."""

import tempfile

import keyring
import pytest
from keyring.backends import fail

from app.cli.commands import main
from app.services.selftest import install as selftest
from app.storage import db


@pytest.fixture(autouse=True)
def scratch_in_tmp(tmp_path, monkeypatch):
    """The self-test's temporary folder goes under tmp_path, so leftovers can be seen."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def by_name(checks):
    return {c.name: c for c in checks}


def leftovers(tmp_path):
    return sorted(p.name for p in tmp_path.glob("confide-selftest-*"))


def test_a_working_installation_passes_every_check_and_leaves_nothing(tmp_path, memory_keyring, capsys):
    assert main(["--self-test"]) == 0
    out = capsys.readouterr().out.splitlines()
    names = [line.split(":")[0] for line in out[:-1]]
    assert names == [f"PASS  {n}" for n in ("installation", "credential store", "vault", "write and read",
                                            "encrypted on disk", "encrypted PDF", "lock", "unlock", "clean up")]
    assert out[-1].startswith("Every check passed")
    assert leftovers(tmp_path) == []
    # The device secret went into the credential store and was taken out again.
    assert memory_keyring.values == {}


def test_no_credential_store_fails_that_check_and_says_what_to_do(tmp_path, capsys):
    keyring.set_keyring(fail.Keyring())
    assert main(["--self-test"]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "credential store" in x)
    assert line.startswith("FAIL") and "--device-key-file" in line and "RuntimeError" not in line
    # The rest still ran, on a temporary key file, so IT sees that everything else works.
    assert "PASS  unlock:" in out and "PASS  clean up:" in out
    assert leftovers(tmp_path) == []


def test_the_key_file_opt_in_never_touches_the_named_file(tmp_path):
    key_file = tmp_path / "keys" / "device.key"
    key_file.parent.mkdir()
    key_file.write_text("someone else's vault:secret\n")
    key_file.chmod(0o600)
    checks = by_name(selftest.run_self_test(device_key_file=key_file))
    assert all(c.ok for c in checks.values()), checks
    assert "weaker protection" in checks["credential store"].detail
    assert key_file.read_text() == "someone else's vault:secret\n"


def test_a_key_file_others_can_read_fails(tmp_path):
    key_file = tmp_path / "device.key"
    key_file.write_text("x")
    key_file.chmod(0o644)
    check = by_name(selftest.run_self_test(device_key_file=key_file))["credential store"]
    assert not check.ok and "chmod 600" in check.detail


def test_an_unencrypted_database_fails(tmp_path, monkeypatch):
    # No key: SQLCipher then writes a plain SQLite file, which the check must catch.
    monkeypatch.setattr(db, "raw_key_pragma", lambda key: "PRAGMA user_version")
    checks = by_name(selftest.run_self_test())
    assert checks["write and read"].ok
    assert not checks["encrypted on disk"].ok
    assert "NOT encrypted" in checks["encrypted on disk"].detail
    assert "encrypted PDF" not in checks  # later steps are not tried
    assert checks["clean up"].ok and leftovers(tmp_path) == []


def test_a_pdf_left_in_clear_fails(monkeypatch):
    from app.pdf import secure

    monkeypatch.setattr(secure, "encrypt", lambda pdf, password: pdf)
    check = by_name(selftest.run_self_test())["encrypted PDF"]
    assert not check.ok and "in clear" in check.detail


def test_missing_pdf_fonts_fail_the_installation_check(monkeypatch):
    from app.pdf import common

    monkeypatch.setattr(common, "FONT", "Helvetica")
    check = by_name(selftest.run_self_test())["installation"]
    assert not check.ok and "resources/fonts" in check.detail


def test_a_hub_that_cannot_be_reached_is_a_failed_line(tmp_path, capsys):
    assert main(["--self-test", "--hub", str(tmp_path / "not-mounted")]) == 1
    out = capsys.readouterr().out
    assert "PASS  unlock:" in out and "FAIL  folder:" in out and "not-mounted" in out
