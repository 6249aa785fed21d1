"""The files Confide loads (wording templates, PDF fonts, the style sheet and its icons, the
help text) live in one top-level folder of the repository, `resources/`, and are found through
`path()` wherever the program runs:

- a source checkout (or an editable install): `resources/` beside `app/`;
- an installed wheel: the build copies the folder into the package as `app/resources/shipped/`
  (setup.py's build step);
- a PyInstaller bundle: packaging/confide.spec puts it at the same place, `app/resources/shipped/`.

    WORDING_DIR = resources.path("wording")
    STYLE_SHEET = resources.path("style.qss")
"""

import atexit
import json
from contextlib import ExitStack
from importlib.resources import as_file, files
from pathlib import Path

from app.resources import manifest

SHIPPED = "shipped"  # the folder's name inside the package, in a wheel or a bundle

# Every name asked for through path(), by any module imported so far: most are asked for at
# import time, so once the program's modules are imported this is what the program loads.
_requested: set[tuple[str, ...]] = set()

# Fonts go to reportlab and icons to Qt style sheets by file name, so callers need a real
# path. Installed packages are already on disk (as_file hands back the same path); from a
# zip it is a temporary copy, which must live as long as the process.
_extracted = ExitStack()
atexit.register(_extracted.close)


def _checkout_folder() -> Path:
    return Path(__file__).resolve().parents[2] / "resources"


def path(*parts: str) -> Path:
    """A real file-system path to a shipped file or folder (it may not exist: callers that
    can do without, such as the font fallback, check)."""
    _requested.add(parts)
    return _root().joinpath(*parts)


def _root() -> Path:
    shipped = files(__name__).joinpath(SHIPPED)
    if shipped.is_dir():
        return _extracted.enter_context(as_file(shipped))
    return _checkout_folder()


def requested() -> list[tuple[str, ...]]:
    """The names asked for through path() so far, sorted."""
    return sorted(_requested)


def installation_problems() -> list[str]:
    """Each shipped file that is missing or altered (against the manifest the build wrote),
    and each name the program asked for that is not there; empty when all is well. A
    checkout is its own source, so there only the second kind can be found."""
    root = _root()
    found = []
    if root != _checkout_folder():
        try:
            listed = json.loads(root.joinpath(manifest.NAME).read_text("utf-8"))["files"]
        except (OSError, ValueError, KeyError):
            return [f"the list of shipped files ({manifest.NAME}) is missing or unreadable"]
        found += manifest.problems(root, listed)
    for parts in requested():
        if not root.joinpath(*parts).exists():
            found.append(f"{'/'.join(parts)} (asked for by the program) is missing")
    return sorted(set(found))


# The PostgreSQL hub's set-up script travels with the program (`confide hub setup-sql`), so IT
# runs the version that matches the computers' Confide.
_HUB_SETUP_SQL = path("hub", "postgres-setup.sql")


def hub_setup_sql() -> str:
    """May raise: OSError when the installation lacks it (the self-test says so first)."""
    return _HUB_SETUP_SQL.read_text("utf-8")
