"""The manager's consent wording editor: it starts from the text in force, saves a new
version, and says beside the text what it cannot fill in, with nothing saved."""

from PySide6.QtWidgets import QLabel

from app.services.consent import wording_edits
from tests.ui.casework_support import wait_idle
from ui.dialogs.wording_dialog import WordingDialog


def _dialog(qtbot, session, ops):
    dialog = WordingDialog(session, ops)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.guard.mark_clean())
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_manager_saves_a_new_easy_read_version(qtbot, session, ops):
    dialog = _dialog(qtbot, session, ops)
    dialog.which.setCurrentIndex(dialog.which.findData("consent_voicemail_easy"))
    assert dialog.version.text() == "In force: v1, easy read"
    assert "The message says a first name." in dialog.text.toPlainText()
    dialog.text.setPlainText("{service} can leave a message on my phone.\n\nIt does not say why.")
    dialog.ok_button.click()
    wait_idle(qtbot, ops)
    assert dialog.result() == WordingDialog.DialogCode.Accepted
    assert wording_edits.current_template(session, "consent_voicemail_easy")[0] == "v2"


def test_a_name_confide_cannot_fill_in_is_refused_beside_the_text(qtbot, session, ops):
    dialog = _dialog(qtbot, session, ops)
    dialog.text.setPlainText("{service} may talk to {teacher}.")
    dialog.ok_button.click()
    wait_idle(qtbot, ops)
    assert dialog.isVisible() and dialog.errors.has("text")
    assert any("cannot fill in {teacher}" in label.text() and label.isVisible()
               for label in dialog.findChildren(QLabel))
    assert session.conn.execute("SELECT count(*) FROM consent_wording").fetchone()[0] == 0
