"""Settings on a team computer: the page says the settings are the team's; the service's name
and the auto-lock delay saved on one computer show on the other after its sync, and its
window follows (title and auto-lock) when the sync brings them."""

from app.services import settings
from app.services.team import membership
from tests.ui.conftest import unlock
from tests.ui.test_team_screens import pair  # noqa: F401 - the fixture
from ui.views.settings_view import SettingsView


def test_settings_saved_on_one_computer_reach_the_other(qtbot, ops, pair):  # noqa: F811
    from ui.main_window import MainWindow

    a, b, b_dir = pair
    page = SettingsView(a, ops)
    qtbot.addWidget(page)
    page.show()
    assert page.team_note.isVisible()
    assert page.name.text() == a.vault.service_name
    page.name.setText("Northshire and Dale SENDIASS")
    page.name_button.click()
    qtbot.waitUntil(lambda: not ops.busy and page.name_status.isVisible(), timeout=20000)
    assert "on every computer of the team" in page.name_status.text()
    page.minutes.setValue(13)
    page.save_button.click()
    qtbot.waitUntil(lambda: not ops.busy and page.status.isVisible(), timeout=20000)
    assert "on every computer of the team" in page.status.text()

    b.lock("test")
    main = MainWindow(b_dir, None, ops)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    session = unlock(qtbot, main)
    # Sync on unlock brings the manager's settings: the title and the auto-lock follow.
    qtbot.waitUntil(lambda: main.windowTitle().startswith("Northshire and Dale SENDIASS"), timeout=20000)
    qtbot.waitUntil(lambda: main.inactivity.timeout() == 13 * 60_000, timeout=5000)
    assert settings.auto_lock_minutes(session) == 13
    membership.sync(a)
