"""Opening a saved enquiry (an anonymous one too) to correct it: Enter on the row opens it,
the correction is saved with Ctrl+S, and the earlier version shows in its history."""

from PySide6.QtCore import Qt

from app.services.casework import enquiries
from app.services.casework.enquiry_corrections import enquiry_history
from tests.ui.casework_support import activate, make_workspace, wait_idle
from tests.unit.casework_helpers import phone_enquiry
from ui.dialogs.enquiry_correction import EnquiryCorrectionDialog


def test_an_anonymous_enquiry_opens_and_is_corrected_with_its_history_kept(qtbot, session, ops, data_dir):
    first = enquiries.record_enquiry(session, phone_enquiry(anonymous=True, anonymous_first_name="Sam",
                                                            summary="Asked about transprot")).enquiry
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.show_page("Enquiries")
    wait_idle(qtbot, ops)          # the page shown reads on the worker
    view.reload()
    view.table.setCurrentIndex(view.table.model().index(0, 0))
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)  # an anonymous enquiry has no case or caller to open
    (dialog,) = [d for d in view.findChildren(EnquiryCorrectionDialog) if d.isVisible()]
    assert dialog.anon_first.text() == "Sam" and "Not corrected" in dialog.history.text()

    dialog.summary.setPlainText("Asked about school transport")
    dialog.anon_area.setText("Northshire")
    activate(qtbot, dialog)
    qtbot.keyClick(dialog.anon_area, Qt.Key.Key_Return)  # Enter moves on; nothing is saved yet
    assert dialog.isVisible() and enquiry_history(session, first.id) == []
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.summary, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ops)
    fixed = enquiries.get_enquiry(session, first.id)
    assert fixed.summary == "Asked about school transport" and fixed.anonymous_area == "Northshire"
    assert [r.summary for r in enquiry_history(session, first.id)] == ["Asked about transprot"]
    assert "earlier version is kept" in view.outcome.text()

    again = view.correct(fixed)
    assert "Asked about transprot" in again.history.text()
