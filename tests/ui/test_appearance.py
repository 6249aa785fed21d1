"""The appearance chosen in Settings: high contrast and 200% text are shown at once, kept for
the next start (in the account's configuration folder, not the vault), and a damaged file
falls back to the defaults instead of stopping the start."""

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
