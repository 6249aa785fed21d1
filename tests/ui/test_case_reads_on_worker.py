"""Opening a case never freezes the window (docs/architecture.md, "Locking without a freeze"):
the page shows at once saying it is reading, the case's notes and the other tabs are read on
the worker, and a lock asked for meanwhile waits for the read, then closes the page.

The notes' read is held open here (a case with hundreds of notes on a busy disk), and what the
window does meanwhile is looked at."""

import threading
from datetime import date

from app.services.casework import notes
from tests.ui.casework_support import make_workspace, wait_idle
from tests.ui.conftest import unlock
from tests.unit.consent_helpers import family_case
from ui.dialogs.note_dialogs import NoteDialog
from ui.drafts import RESTORED


def _held_notes_read(monkeypatch):
    """notes_for_case waits for `release` and records the thread it ran on."""
    release, readers = threading.Event(), []
    real = notes.notes_for_case

    def held(session, case_id):
        readers.append(threading.get_ident())
        release.wait(5)
        return real(session, case_id)

    monkeypatch.setattr(notes, "notes_for_case", held)
    return release, readers


def test_the_case_page_shows_at_once_and_reads_its_notes_on_the_worker(qtbot, session, ops, data_dir, monkeypatch):
    fam = family_case(session)
    written = notes.add_note(session, fam.case.id, "phone_call", date(2026, 2, 3), 10, "Rang about the plan.")
    workspace = make_workspace(qtbot, session, ops, data_dir)
    release, readers = _held_notes_read(monkeypatch)

    view = workspace.open_record("case", fam.case.id)    # returns while the notes are still being read

    assert view is not None and view.loading and ops.busy
    qtbot.waitUntil(lambda: bool(readers), timeout=5000)
    assert readers[0] != threading.get_ident()        # the worker reads, not the window's thread
    assert view.heading.text() == f"Case {fam.case.reference}"
    assert view.loading_line.isVisible() and not view.tabs.isVisible()   # no "No notes yet" meanwhile
    assert not workspace.nav.isEnabled()              # one thread at a time on the connection
    release.set()
    wait_idle(qtbot, ops)
    assert not view.loading and not view.loading_line.isVisible() and view.tabs.isVisible()
    tab = view.show_tab("notes")
    assert tab.list.count() == 1 and tab.selected().id == written.id


def test_a_note_saved_reloads_the_notes_on_the_worker(qtbot, session, ops, data_dir, monkeypatch):
    fam = family_case(session)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.open_record("case", fam.case.id)
    wait_idle(qtbot, ops)
    release, readers = _held_notes_read(monkeypatch)
    release.set()
    ops.run(lambda _p: notes.add_note(session, fam.case.id, "phone_call", date(2026, 2, 3), 5, "Called back."),
            changes={"notes"})
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: view.show_tab("notes").list.count() == 1, timeout=5000)
    assert readers and threading.get_ident() not in readers


def test_a_note_asked_for_while_its_case_is_read_is_chosen_when_listed(qtbot, session, ops, data_dir, monkeypatch):
    fam = family_case(session)
    older = notes.add_note(session, fam.case.id, "phone_call", date(2026, 2, 3), 5, "The older note.")
    notes.add_note(session, fam.case.id, "phone_call", date(2026, 2, 4), 5, "The newer note.")
    workspace = make_workspace(qtbot, session, ops, data_dir)
    release, _readers = _held_notes_read(monkeypatch)
    view = workspace.open_record("note", older.id)     # a search result: the case at this note
    assert view is not None and view.loading
    release.set()
    wait_idle(qtbot, ops)
    assert view.show_tab("notes").selected().id == older.id


def test_a_lock_while_the_case_is_read_waits_for_the_read_then_closes_the_page(qtbot, window, monkeypatch):
    session = unlock(qtbot, window)
    fam = family_case(session)
    notes.add_note(session, fam.case.id, "phone_call", date(2026, 2, 3), 10, "Rang about the plan.")
    release, readers = _held_notes_read(monkeypatch)
    window.workspace.open_record("case", fam.case.id)
    qtbot.waitUntil(lambda: bool(readers), timeout=5000)

    window.lock("manual")        # the worker holds the connection: the lock waits for it
    assert not session.locked
    release.set()
    qtbot.waitUntil(lambda: window.locked and not window.ops.busy, timeout=5000)
    assert window.workspace.casework.records.views() == []     # the lock closed the case page
    assert window.stack.currentWidget() is window.unlock_view

    unlock(qtbot, window)        # the open case comes back after unlock, read again
    records = window.workspace.casework.records
    assert [v.record_id for v in records.views()] == [fam.case.id]
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=5000)
    assert records.views()[0].show_tab("notes").list.count() == 1


def test_a_half_edited_note_comes_back_onto_its_case_read_on_the_worker(qtbot, window):
    session = unlock(qtbot, window)
    fam = family_case(session)
    note = notes.add_note(session, fam.case.id, "phone_call", date(2026, 2, 3), 10, "Rang about the plan.")
    view = window.workspace.open_record("case", fam.case.id)
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=5000)
    tab = view.show_tab("notes")
    tab.select(note.id)
    dialog = tab.edit()
    qtbot.waitExposed(dialog)
    dialog.body.setPlainText("Rang about the plan; she will send the draft EHCP on")

    window.lock("idle")
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(NoteDialog)), timeout=5000)
    restored = [d for d in window.findChildren(NoteDialog) if d.isVisible()]
    assert len(restored) == 1 and restored[0].notice.text() == RESTORED
    assert restored[0].body.toPlainText() == "Rang about the plan; she will send the draft EHCP on"
    assert restored[0].note is not None and restored[0].note.id == note.id
