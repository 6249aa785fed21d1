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
from contextlib import ExitStack
from importlib.resources import as_file, files
from pathlib import Path

SHIPPED = "shipped"  # the folder's name inside the package, in a wheel or a bundle

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
    shipped = files(__name__).joinpath(SHIPPED)
    if shipped.is_dir():
        return _extracted.enter_context(as_file(shipped.joinpath(*parts)))
    return _checkout_folder().joinpath(*parts)
