"""Personal data copied from Confide is tagged secret for clipboard managers and cleared
after a while, or at lock, if it is still ours."""

from PySide6.QtGui import QClipboard, QGuiApplication

from app.services.casework import people
from tests.ui.casework_support import make_workspace
from tests.unit.casework_helpers import adult
from ui.clipboard import SECRET_HINT, SecretClipboard, secret_mime


def _text():
    return QGuiApplication.clipboard().text(QClipboard.Mode.Clipboard)


def test_copy_is_tagged_secret_and_cleared_after_the_timeout(qtbot):
    clipboard = SecretClipboard(clear_after_ms=50)
    clipboard.copy("07700 900123")
    mime = QGuiApplication.clipboard().mimeData(QClipboard.Mode.Clipboard)
    assert mime.text() == "07700 900123" and bytes(mime.data(SECRET_HINT)) == b"secret"
    with qtbot.waitSignal(clipboard.cleared, timeout=2000):
        pass
    assert _text() == "" and not clipboard.holding


def test_something_copied_since_is_left_alone(qtbot):
    clipboard = SecretClipboard(clear_after_ms=50)
    clipboard.copy("07700 900123")
    QGuiApplication.clipboard().setText("the user's own text")
    qtbot.waitUntil(lambda: not clipboard.holding, timeout=2000)
    assert _text() == "the user's own text"


def test_other_platforms_get_their_own_hints():
    windows = secret_mime("x", platform="win32").formats()
    assert 'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"' in windows
    assert 'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"' in windows
    assert "application/x-nspasteboard-concealed-type" in secret_mime("x", platform="darwin").formats()


def test_copy_button_on_a_person_and_clearing_at_lock(qtbot, session, ops, data_dir):
    parent = adult(session)
    people.set_contact_preferences(session, parent.id, ok_voicemail=False)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.open_record("person", parent.id)
    banner = view.contact.banner.text()
    assert banner.startswith("Contact preferences:") and "DO NOT use: Work phone, Voicemail" in banner
    assert view.contact.banner.property("kind") == "warning"
    view.contact.copy_buttons["phone_mobile"].click()
    assert _text() == "07700 900123" and workspace.casework.clipboard.holding
    workspace.clear()  # what locking calls
    assert _text() == ""
