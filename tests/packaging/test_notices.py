"""packaging/notices.py writes THIRD-PARTY-NOTICES.txt from what a bundle really holds: every
run-time package of the lock with its licence and licence texts, Qt's libraries under the LGPL
with where their source is, Confide's own licence; and it stops the build when the bundle
holds a GPL library of the build machine (libreadline) or a library nobody can account for."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def notices(monkeypatch):
    spec = importlib.util.spec_from_file_location("confide_notices", ROOT / "packaging" / "notices.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The test environment has no PyInstaller; any installed package stands in for its bootloader.
    monkeypatch.setattr(module, "BOOTLOADER", "pytest")
    return module


def bundle(tmp_path, *libraries: str) -> Path:
    root = tmp_path / "Confide"
    for name in ("_internal/PySide6/Qt/lib/libQt6Core.so.6", "_internal/PySide6/Qt/lib/libQt6Widgets.so.6",
                 *libraries):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"\x7fELF")
    return root


def test_every_component_is_listed_with_its_licence(notices, tmp_path):
    folder = bundle(tmp_path)
    assert notices.main([str(folder)]) == 0
    text = (folder / "THIRD-PARTY-NOTICES.txt").read_text("utf-8")
    assert "Confide's own licence" in text and "LicenseRef-Proprietary" in text
    for name in ("PySide6_Essentials", "psycopg", "sqlcipher3", "reportlab", "keyring", "cryptography"):
        assert name.lower() in text.lower(), name
    qt_section = text.split("The Qt libraries and plugins in this build:")[1].split("Source code")[0]
    assert "LGPL-3.0" in text and "_internal/PySide6/Qt/lib/libQt6Core.so.6" in qt_section
    assert "download.qt.io" in text and "replace any of them" in text
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "GNU GENERAL PUBLIC LICENSE" in text
    # Build tools are not shipped, so they are not listed as components.
    assert "\nsetuptools " not in text


def test_a_gpl_library_of_the_build_machine_stops_the_build(notices, tmp_path, capsys):
    folder = bundle(tmp_path, "_internal/libreadline.so.8")
    assert notices.main([str(folder)]) == 1
    assert "libreadline.so.8" in capsys.readouterr().err
    assert not (folder / "THIRD-PARTY-NOTICES.txt").exists()


def test_a_library_nobody_accounts_for_stops_the_build(notices, tmp_path, capsys):
    folder = bundle(tmp_path, "_internal/libmystery-9f3a.so.1")
    assert notices.main([str(folder)]) == 1
    assert "libmystery-9f3a.so.1" in capsys.readouterr().err
