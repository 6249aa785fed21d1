"""The self-test's check that the screens' files are installed: every screen module is
imported (as the program would import it), which makes each ask for the files it loads
(F1's help text, the style sheet), and every file asked for must be there. Importing a
module opens no window, so this runs in the self-test's own process."""

import importlib
import pkgutil

import ui
from app import resources
from app.services.selftest.check import Check


def check_screen_resources() -> Check:
    """May raise: nothing: a module or file that is missing is a failed Check."""
    name = "screens"
    try:
        modules = [m.name for m in pkgutil.walk_packages(ui.__path__, "ui.")]
        for module in modules:
            importlib.import_module(module)
    except Exception as exc:  # a missing module is a broken installation, said in one line
        return Check(name, False, f"a part of the program could not be loaded ({type(exc).__name__}: {exc})")
    missing = resources.installation_problems()
    if missing:
        return Check(name, False, f"the installation is incomplete: {'; '.join(missing)}")
    asked = ", ".join("/".join(parts) for parts in resources.requested())
    return Check(name, True, f"{len(modules)} screen modules loaded; every file they ask for is there ({asked})")
