"""The appearance chosen in Settings: high contrast and 200% text are shown at once, kept for
the next start (in the account's configuration folder, not the vault), and a damaged file
falls back to the defaults instead of stopping the start."""

from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.config import Appearance, appearance_file, load_appearance
from ui import application, theme
from ui.widgets.appearance_setting import AppearanceSetting
from ui.workspace import Workspace


def test_high_contrast_and_double_text_are_shown_and_kept(qtbot):
    app = QApplication.instance()
    before_font, before_sheet = app.font(), app.styleSheet()
    try:
        application.apply_look(app)
        normal = app.font().pointSizeF()
        setting = AppearanceSetting()
        qtbot.addWidget(setting)
        setting.theme.setCurrentIndex(setting.theme.findData("high_contrast"))
        setting.size.setCurrentIndex(setting.size.findData(200))
        setting.apply_button.click()
        assert app.font().pointSizeF() == normal * 2
        assert "QMenuBar::item:selected, QMenu::item:selected { background: #000000; color: #ffffff; }" \
            in app.styleSheet()
        assert "font-size: 38pt" in app.styleSheet()
        assert setting.status.isVisibleTo(setting) and "200%" in setting.status.text()
        assert load_appearance() == Appearance("high_contrast", 200)
        # The next start shows the same, from the saved file.
        app.setStyleSheet("")
        application.apply_look(app)
        assert app.font().pointSizeF() == normal * 2 and "#ffffff; }" in app.styleSheet()
    finally:
        theme.current = Appearance()
        app.setFont(before_font)
        app.setStyleSheet(before_sheet)


def test_a_damaged_appearance_file_gives_the_defaults():
    appearance_file().parent.mkdir(parents=True, exist_ok=True)
    appearance_file().write_text("{not json")
    assert load_appearance() == Appearance()
    appearance_file().write_text('{"theme": "high_contrast", "text_size": "lots"}')
    assert load_appearance() == Appearance()


def test_following_the_system_is_standard_unless_it_asks_for_contrast():
    # The offscreen platform reports no contrast preference.
    assert theme.chosen_theme("system") == "standard"
    assert theme.chosen_theme("high_contrast") == "high_contrast"
    assert theme.chosen_theme("something else") == "standard"


def test_at_200_percent_the_section_names_fit_their_list(qtbot, session, ops, data_dir):
    """On a 1366x768 laptop at 200% text, "Access requests" was cut to "Access req"."""
    app = QApplication.instance()
    before_font, before_sheet = app.font(), app.styleSheet()
    try:
        theme.apply(app, Appearance("high_contrast", 200))
        workspace = Workspace(session, ops, data_dir, None)
        qtbot.addWidget(workspace)
        workspace.resize(1366, 700)
        workspace.show()
        qtbot.waitExposed(workspace)
        nav = workspace.nav
        assert not nav.horizontalScrollBar().isVisible()
        for row in range(nav.count()):
            item = nav.item(row)
            assert nav.visualItemRect(item).width() >= nav.fontMetrics().horizontalAdvance(item.text())
        assert nav.width() <= 1366 // 3  # and the pages keep the room they need
    finally:
        theme.current = Appearance()
        app.setFont(before_font)
        app.setStyleSheet(before_sheet)


class _Hints:
    """The system's settings as Qt reports them (the offscreen platform reports none)."""

    def __init__(self, scheme, contrast=Qt.ContrastPreference.NoPreference):
        self.scheme, self.contrast = scheme, contrast

    def colorScheme(self):  # noqa: N802 (Qt's name)
        return self.scheme

    def accessibility(self):
        return SimpleNamespace(contrastPreference=lambda: self.contrast)


def test_following_the_system_is_dark_when_the_system_is_dark_and_high_contrast_wins(monkeypatch):
    hints = _Hints(Qt.ColorScheme.Dark)
    monkeypatch.setattr(theme.QGuiApplication, "styleHints", staticmethod(lambda: hints))
    assert theme.chosen_theme("system") == "dark"
    assert theme.chosen_theme("standard") == "standard"  # a choice made in Settings stands
    hints.contrast = Qt.ContrastPreference.HighContrast
    assert theme.chosen_theme("system") == "high_contrast"
    hints.scheme, hints.contrast = Qt.ColorScheme.Light, Qt.ContrastPreference.NoPreference
    assert theme.chosen_theme("system") == "standard"


def test_the_dark_theme_is_offered_and_darkens_the_sheet_the_palette_and_painted_colours(qtbot):
    app = QApplication.instance()
    before_font, before_sheet, before_palette = app.font(), app.styleSheet(), app.palette()
    try:
        setting = AppearanceSetting()
        qtbot.addWidget(setting)
        assert setting.theme.findData("dark") >= 0
        setting.theme.setCurrentIndex(setting.theme.findData("dark"))
        setting.apply_button.click()
        assert load_appearance().theme == "dark" and theme.shown[0] == "dark"
        assert "background: #15191e" in app.styleSheet() and "color: #e6edf3" in app.styleSheet()
        assert "chevron-down-light.svg" in app.styleSheet() and "@RESOURCES@" not in app.styleSheet()
        assert app.palette().color(QPalette.ColorRole.Base).name() == "#1e242b"
        assert app.palette().color(QPalette.ColorRole.Text).name() == "#e6edf3"
        # A closed case's row, painted from Python, is light grey on the dark table, not dark grey.
        assert theme.painted(QColor("#5f6b7a")).name() == "#a3adb8"
        assert theme.painted("#fdecec", "background").name() == "#3a1414"
        theme.apply(app, Appearance("standard", 100))
        assert theme.painted(QColor("#5f6b7a")).name() == "#5f6b7a"
        assert app.palette().color(QPalette.ColorRole.Base).name() == before_palette.color(QPalette.ColorRole.Base).name()
    finally:
        theme.apply(app, Appearance())
        theme.current = Appearance()
        app.setFont(before_font)
        app.setStyleSheet(before_sheet)
        app.setPalette(before_palette)
