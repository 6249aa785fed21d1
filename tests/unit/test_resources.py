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
