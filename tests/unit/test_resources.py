"""The files the program loads live in the repository's top-level resources/ folder, and
app.resources.path() finds them there when run from a checkout (the wheel's copy is proved by
tests/packaging/test_wheel.py)."""

from pathlib import Path

from app import resources
from app.pdf import common
from app.resources import wording

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_loads_every_resource_from_the_top_level_folder():
    for parts in (("style.qss",), ("help.md",), ("icons", "chevron-down.svg"), ("fonts", "DejaVuSans.ttf"),
                  ("wording",)):
        found = resources.path(*parts)
        assert found == ROOT / "resources" / Path(*parts) and found.exists(), found
    assert wording.WORDING_DIR == ROOT / "resources" / "wording"
    assert wording.current("confidentiality_statement")[0] == "v1"
    assert common.FONT != "Helvetica"   # the shipped Unicode font, not the fallback


def test_no_resource_is_left_inside_the_packages():
    for package in ("app", "ui"):
        stray = [p for p in (ROOT / package).rglob("*")
                 if p.suffix in {".txt", ".ttf", ".qss", ".svg", ".md", ".png"}]
        assert stray == [], stray


def shipped_copy(tmp_path, monkeypatch):
    """A built copy of resources/ with the build's manifest, which the program then reads."""
    import shutil

    from app.resources import manifest

    copy = tmp_path / "shipped"
    shutil.copytree(ROOT / "resources", copy)
    manifest.write(ROOT / "resources", copy / manifest.NAME)
    monkeypatch.setattr(resources, "_root", lambda: copy)
    return copy


def test_the_program_asks_only_for_files_that_exist_and_help_is_among_them():
    # The list is the program's own: every module of app/ and ui/ imported, as the self-test's
    # "screens" check does in a bundle.
    import importlib
    import pkgutil

    import app
    import ui

    for package in (app, ui):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)
    asked = resources.requested()
    assert {("help.md",), ("style.qss",), ("fonts", "DejaVuSans.ttf"), ("wording",)} <= set(asked)
    assert resources.installation_problems() == []
    assert all((ROOT / "resources").joinpath(*parts).exists() for parts in asked)


def test_a_build_that_left_out_the_help_fails_the_self_test(tmp_path, monkeypatch):
    from app.services.selftest import install as selftest

    copy = shipped_copy(tmp_path, monkeypatch)
    (tmp_path / "k").mkdir(mode=0o700)
    assert resources.installation_problems() == []
    (copy / "help.md").unlink()
    (copy / "icons" / "chevron-up.svg").write_text("<svg/>")
    found = resources.installation_problems()
    assert "help.md is missing" in found and "icons/chevron-up.svg differs from the one built" in found
    check = next(c for c in selftest.run_self_test(device_key_file=tmp_path / "k" / "device.key")
                 if c.name == "installation")
    assert not check.ok and "help.md is missing" in check.detail


def test_a_build_without_its_list_of_files_fails(tmp_path, monkeypatch):
    copy = shipped_copy(tmp_path, monkeypatch)
    (copy / "MANIFEST.json").unlink()
    assert resources.installation_problems() == ["the list of shipped files (MANIFEST.json) is missing or unreadable"]


def test_a_file_asked_for_but_never_shipped_is_named(tmp_path, monkeypatch):
    shipped_copy(tmp_path, monkeypatch)
    resources.path("not-there.txt")
    try:
        assert "not-there.txt (asked for by the program) is missing" in resources.installation_problems()
    finally:
        resources._requested.discard(("not-there.txt",))
