"""Files Confide ships inside its packages (wording, fonts here; the style sheet and icons in
ui/resources), found through importlib.resources so that they travel with every install:
a source checkout, an installed wheel and a PyInstaller bundle alike.

    WORDING_DIR = resources.path("wording")
    STYLE_SHEET = resources.path("style.qss", package="ui.resources")
"""

import atexit
from contextlib import ExitStack
from importlib.resources import as_file, files
from pathlib import Path

# Fonts go to reportlab and icons to Qt style sheets by file name, so callers need a real
# path. Installed packages are already on disk (as_file hands back the same path); from a
# zip it is a temporary copy, which must live as long as the process.
_extracted = ExitStack()
atexit.register(_extracted.close)


def path(*parts: str, package: str = __name__) -> Path:
    """A real file-system path to a shipped file or folder (it may not exist: callers that
    can do without, such as the font fallback, check). May raise: ModuleNotFoundError if
    `package` is not installed."""
    return _extracted.enter_context(as_file(files(package).joinpath(*parts)))
