"""Start-up: options, style sheet, and which first window appears."""

from pathlib import Path

import main
from ui import application, first_run
from ui.wizard.setup_wizard import SetupWizard


def test_gui_options_and_qt_options_are_both_accepted(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFIDE_DATA_DIR", str(tmp_path / "env"))
    args = application.parse_args(["confide", "-style", "fusion"])
    assert args.data_dir == tmp_path / "env" and args.device_key_file is None
    args = application.parse_args(["confide", "--data-dir", str(tmp_path / "d"),
                                   "--device-key-file", str(tmp_path / "k.key")])
    assert args.data_dir == tmp_path / "d"
    assert args.device_key_file == (tmp_path / "k.key").resolve()


def test_main_sends_gui_options_to_the_gui_and_commands_to_the_cli():
    assert main.wants_gui([])
    assert main.wants_gui(["--data-dir", "/x"]) and main.wants_gui(["--device-key-file=/k"])
    assert not main.wants_gui(["init", "--data-dir", "/x"])
    assert not main.wants_gui(["--version"])
    # A global option first, then the command: still the command line.
    assert not main.wants_gui(["--device-key-file", "/k", "init", "--user", "m"])
    assert not main.wants_gui(["--device-key-file=/k", "--data-dir", "/x", "verify"])
    assert main.wants_gui(["--data-dir", "/x", "-style", "fusion"])


def test_style_sheet_loads_with_absolute_resource_paths():
    sheet = application.load_style_sheet()
    assert "QPushButton" in sheet and "@RESOURCES@" not in sheet
    icon = application.STYLE_SHEET.parent / "icons" / "chevron-down.svg"
    assert icon.exists() and icon.as_posix() in sheet
    assert application.load_style_sheet(Path("/nonexistent/style.qss")) == ""


def test_first_run_shows_the_wizard(qtbot, data_dir):
    assert application.first_run(["confide", "--data-dir", str(data_dir)])
    started = first_run.start(data_dir, None)
    qtbot.addWidget(started.window)
    qtbot.addWidget(started.wizard)
    assert isinstance(started.wizard, SetupWizard) and started.wizard.isVisible()
    assert not started.window.isVisible()
    started.ops.wait()


def test_an_existing_vault_shows_the_unlock_screen(qtbot, vault, data_dir):
    vault[0].lock()
    assert not application.first_run(["confide", "--data-dir", str(data_dir)])
    started = application.start(data_dir, None)
    qtbot.addWidget(started.window)
    assert started.wizard is None
    assert started.window.isVisible()
    assert started.window.stack.currentWidget() is started.window.unlock_view
    assert started.window.windowTitle() == "Northshire SENDIASS – Confide"
    started.ops.wait()


def test_finishing_the_wizard_opens_the_main_window(qtbot, data_dir, vault):
    # The wizard hands over the session it made; here, one made by the fixture.
    session = vault[0]
    started = first_run.start(data_dir.parent / "elsewhere", None)
    qtbot.addWidget(started.window)
    qtbot.addWidget(started.wizard)
    try:
        started.wizard.vaultReady.emit(session)
        assert started.window.isVisible() and started.window.session is session
        assert started.window.stack.currentWidget() is started.window.workspace
    finally:
        # The window's own worker reads with the fixture's session (Home, the no-contact
        # rule): it must be idle before the fixture locks that session. A full run once lost
        # a test worker here.
        started.ops.wait()


def test_qt_file_dialog_settings_go_to_a_throwaway_folder(qtbot):
    from PySide6.QtCore import QSettings

    folder = application.keep_qt_settings_out_of_the_profile()
    try:
        settings = QSettings(QSettings.Scope.UserScope, "QtProject")
        assert settings.fileName().startswith(folder.name)
    finally:
        folder.cleanup()
