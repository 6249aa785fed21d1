"""The first run, with no vault yet: the set-up wizard, then the main window with the vault it
made. Its own module so that a launch with a vault (every launch but the first) loads none of
the wizard's modules: joining a team brings in most of the team's code (main.py chooses)."""

from pathlib import Path

from ui import application
from ui.application import Started
from ui.inactivity import create_all_type_wrappers
from ui.main_window import MainWindow
from ui.operations import Operations
from ui.wizard.setup_wizard import SetupWizard


def start(data_dir: Path, device_key_file: Path | None) -> Started:
    """The wizard shown; the main window shown and unlocked with the session the wizard made.
    Separate from run() so tests can drive it."""
    # Before the wizard, which runs on no main window's first turn (ui/inactivity.py: a type's
    # wrapper first built inside an override has crashed PySide6); a first run can spare 0.2 s.
    create_all_type_wrappers()
    ops = Operations()
    window = MainWindow(data_dir, device_key_file, ops)
    wizard = SetupWizard(data_dir, device_key_file, ops)

    def ready(session) -> None:
        window.show()
        window.open_session(session)

    wizard.vaultReady.connect(ready)
    wizard.show()
    return Started(ops, window, wizard)


def run(argv: list[str]) -> int:
    return application.run(argv, start)
