"""Nothing is lost to the auto-lock: a half-written note (or consent form) is kept inside the
encrypted database when Confide locks and comes back, with the open record tabs, after
unlock; Ctrl+L locks even while a dialog is open."""

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.services.casework import drafts
from tests.ui.conftest import unlock
from tests.unit.consent_helpers import family_case
from ui.dialogs import messages
from ui.dialogs.consent_capture import ConsentCaptureDialog
from ui.dialogs.note_dialogs import NoteDialog
from ui.drafts import CONSENT_RESTORED, RESTORED, DraftRestorer
from ui.main_window import KEPT_NOTICE

HALF = "Mum rang about the annual review; she wants to"


def _open_case(qtbot, window):
    fam = family_case(window.session)
    view = window.workspace.open_record("case", fam.case.id)
    assert view is not None
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=5000)   # the tabs are read on the worker
    return fam, view


def _forms(window, kind):
    return [d for d in window.findChildren(kind) if d.isVisible()]


def test_a_half_written_note_comes_back_after_the_idle_lock(qtbot, window):
    unlock(qtbot, window)
    fam, view = _open_case(qtbot, window)
    dialog = view.show_tab("notes").add()
    qtbot.waitExposed(dialog)
    dialog.body.setPlainText(HALF)
    dialog.minutes.setValue(15)

    window.inactivity.inactivityDetected.emit()  # the idle timer ran out (no waiting for it)
    assert window.locked and not dialog.isVisible()
    # Said once the lock's task has kept it (on the worker).
    qtbot.waitUntil(lambda: window.unlock_view.notice.isVisible(), timeout=10000)
    assert window.unlock_view.notice.text() == KEPT_NOTICE

    unlock(qtbot, window)
    restored = _forms(window, NoteDialog)
    assert len(restored) == 1
    note = restored[0]
    assert note.body.toPlainText() == HALF and note.minutes.value() == 15
    assert note.case_id == fam.case.id and note.notice.text() == RESTORED
    # The case tab is open again, and the draft was taken: a second unlock offers nothing.
    assert [v.record_id for v in window.workspace.casework.records.views()] == [fam.case.id]
    assert window.session.conn.execute("SELECT count(*) FROM draft").fetchone()[0] == 0
    # The restored text counts as unsaved: Escape asks before throwing it away.
    messages.set_next_answer(False)
    qtbot.keyClick(note, Qt.Key.Key_Escape)
    assert note.isVisible() and messages.last_shown[0] == "Discard changes?"
    with qtbot.waitSignal(note.accepted, timeout=5000):
        note.ok_button.click()
    rows = window.session.conn.execute("SELECT body FROM note WHERE case_id = ?", (fam.case.id,)).fetchall()
    assert [r[0] for r in rows] == [HALF]


def test_an_untouched_form_leaves_no_draft(qtbot, window):
    unlock(qtbot, window)
    _fam, view = _open_case(qtbot, window)
    dialog = view.show_tab("notes").add()
    qtbot.waitExposed(dialog)
    window.lock()
    unlock(qtbot, window)
    assert _forms(window, NoteDialog) == []


def test_ctrl_l_locks_while_a_dialog_is_open(qtbot, window):
    session = unlock(qtbot, window)
    _fam, view = _open_case(qtbot, window)
    dialog = view.show_tab("notes").add()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    results = []
    dialog.finished.connect(results.append)   # the lock may have deleted the dialog by the end
    # As the platform sends it: to the window with the focus (ui/window_input.py).
    qtbot.keyClick(dialog.windowHandle(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert session.locked and results == [QDialog.DialogCode.Rejected.value]


def test_a_consent_form_comes_back_with_its_ticks_but_not_its_signature(qtbot, window):
    unlock(qtbot, window)
    _fam, view = _open_case(qtbot, window)
    dialog = view.show_tab("consent").record_consent()
    qtbot.waitExposed(dialog)
    dialog.rows[3].check.setChecked(True)  # voicemail
    dialog.pad._strokes.append([dialog.pad.rect().center()] * 3)
    window.lock("idle")

    unlock(qtbot, window)
    (restored,) = _forms(window, ConsentCaptureDialog)
    assert restored.rows[3].check.isChecked() and restored.pad.is_empty()
    assert restored.notice.text() == CONSENT_RESTORED
    restored.guard.mark_clean()  # leave without a question at teardown


def test_a_half_filled_enquiry_comes_back(qtbot, window):
    unlock(qtbot, window)
    form = window.workspace.casework.new_enquiry()
    qtbot.waitExposed(form)
    form.who.anonymous.setChecked(True)
    form.who.anon_first.setText("Sam")
    form.subject.summary.setPlainText("Asked about transport to a special school")
    window.lock("idle")
    assert window.session.locked

    unlock(qtbot, window)
    restored = window.workspace.casework.enquiry_form
    assert restored is not None and restored is not form and restored.isVisible()
    assert restored.who.anonymous.isChecked() and restored.who.anon_first.text() == "Sam"
    assert restored.subject.summary.toPlainText() == "Asked about transport to a special school"
    assert restored.guard.changed  # Escape would ask before throwing it away
    restored.guard.mark_clean()



def test_drafts_not_yet_offered_back_survive_another_lock(qtbot, window):
    session = unlock(qtbot, window)
    fam, _view = _open_case(qtbot, window)
    drafts.keep_draft(session, "note", {"case_id": fam.case.id, "reference": fam.case.reference},
                      {"QPlainTextEdit/The note#1": HALF})
    # As if the worker were still busy after unlocking: the draft is taken, its form waits.
    window.restorer = DraftRestorer(session, window.workspace)
    window.restorer.queue = drafts.take_drafts(session)
    window.lock("idle")

    unlock(qtbot, window)
    (note,) = _forms(window, NoteDialog)
    assert note.body.toPlainText() == HALF
    note.guard.mark_clean()


def test_a_half_written_letter_comes_back_after_the_idle_lock(qtbot, window):
    from ui.dialogs.letter_dialog import LetterDialog

    unlock(qtbot, window)
    fam, view = _open_case(qtbot, window)
    dialog = view.show_tab("documents").write_letter()
    qtbot.waitExposed(dialog)
    dialog.template.setCurrentIndex(dialog.template.findData("summary_of_advice"))
    typed = dialog.text.toPlainText().replace("[the question]", "Whether the school must hold a review.")
    dialog.text.setPlainText(typed)
    window.inactivity.inactivityDetected.emit()
    assert window.locked and not dialog.isVisible()
    unlock(qtbot, window)
    [letter] = _forms(window, LetterDialog)
    assert letter.template.currentData() == "summary_of_advice"
    assert letter.text.toPlainText() == typed and letter.notice.text() == RESTORED
    assert letter.case.id == fam.case.id


def test_the_lock_writes_what_was_typed_on_the_worker_not_the_windows_thread(qtbot, window, monkeypatch):
    # Failed before: the drafts were written on the window's thread as it locked (a write and a
    # sync of the disk each, seconds on a busy disk with the window standing still).
    unlock(qtbot, window)
    fam, view = _open_case(qtbot, window)
    dialog = view.show_tab("notes").add()
    qtbot.waitExposed(dialog)
    dialog.body.setPlainText(HALF)
    written_on = []
    keep_draft = drafts.keep_draft

    def watched(*args, **kwargs):
        written_on.append(threading.get_ident())
        return keep_draft(*args, **kwargs)

    monkeypatch.setattr(drafts, "keep_draft", watched)
    window.lock("manual")
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=10000)
    assert len(written_on) == 2 and threading.get_ident() not in written_on   # the note and the open tab
    assert window.unlock_view.notice.text() == KEPT_NOTICE
    unlock(qtbot, window)
    assert [d.body.toPlainText() for d in _forms(window, NoteDialog)] == [HALF]
