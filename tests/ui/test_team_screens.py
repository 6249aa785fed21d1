"""The team screens: the status bar's sync item (sync on unlock, Ctrl+Shift+S, conflicts
count), the conflict screen resolving field by field, and the manager's Team page (invite with
the code shown once, remove a computer). Two vaults meet through a folder hub."""

import dataclasses

import pytest
from PySide6.QtCore import Qt

from app.errors import ConfideError
from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.team import invitation, membership
from app.services.vault import compartment, staff
from app.services.vault.unlock import unlock as unlock_vault
from app.storage.hub.base import HubError
from tests.conftest import PASSPHRASE
from tests.team.founding import found_and_join
from tests.ui.conftest import unlock
from ui.dialogs import messages
from ui.team.sync_status import SyncStatusItem


@pytest.fixture
def pair(tmp_path, vault):
    """Vault A (the `vault` fixture, a manager) founds a team; vault B joins it."""
    a = vault[0]
    b = found_and_join(a, tmp_path, "Laptop")
    yield a, b, tmp_path / "laptop"
    for s in (a, b):
        if not s.locked:
            s.lock("test")


def _rename(session, person_id, first_name):
    person = people.get_person(session, person_id)
    people.update_person(session, person_id, dataclasses.replace(people.as_input(person), first_name=first_name))


def test_conflict_screen_resolves_field_by_field(qtbot, ops, pair):
    from ui.main_window import MainWindow

    a, b, b_dir = pair
    pid = people.create_person(a, PersonInput(kind="parent_carer", first_name="Ada", last_name="Fenwick")).id
    membership.sync(a)
    membership.sync(b)
    _rename(a, pid, "Adeline")
    _rename(b, pid, "Adela")
    membership.sync(a)
    b.lock("test")

    main = MainWindow(b_dir, None, ops)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    unlock(qtbot, main)
    item = main.sync_item
    # start() waits while the pages still build on the worker; then the item becomes active.
    qtbot.waitUntil(lambda: item.active, timeout=10000)
    # Sync on unlock: the clash arrives and the status bar says so.
    qtbot.waitUntil(lambda: not ops.busy and item.conflicts_button.isVisible(), timeout=10000)
    assert item.conflicts_button.text() == "1 conflict to resolve"
    qtbot.mouseClick(item.conflicts_button, Qt.MouseButton.LeftButton)
    view = main.workspace.team.conflicts
    assert main.workspace.stack.currentWidget() is view
    assert view.list.count() == 1
    row = next(r for r in view.rows if r.side.field == "first_name")
    assert (row.side.mine, row.side.theirs, row.side.conflicting) == ("Adela", "Adeline", True)
    row.edit.setChecked(True)
    row.value.setText("Adelaide")
    view.resolve_button.click()
    qtbot.waitUntil(lambda: not ops.busy and view.list.count() == 0, timeout=10000)
    assert view.empty.isVisible()
    # The status bar follows at once (seen stale in the two-window trial): no conflict left.
    qtbot.waitUntil(lambda: not item.conflicts_button.isVisible(), timeout=5000)

    # Ctrl+Shift+S shares the resolution.
    qtbot.keyClick(main, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not ops.busy and "Synced" in item.label.text(), timeout=10000)
    qtbot.waitUntil(lambda: membership.sync_status(main.session).waiting == 0, timeout=10000)
    membership.sync(a)
    assert people.get_person(a, pid).first_name == "Adelaide"
    main.lock("test")
    assert main.sync_item is None


def test_team_page_invites_with_a_code_shown_once_and_removes_a_computer(qtbot, ops, pair, tmp_path):
    from ui.main_window import MainWindow

    a, b, _ = pair
    a_dir = a.paths.data_dir
    a.lock("test")
    b.lock("test")
    main = MainWindow(a_dir, None, ops)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    unlock(qtbot, main)
    qtbot.waitUntil(lambda: not ops.busy, timeout=10000)
    view = main.workspace.show_page("Team")
    names = [view.table.item(r, 0).text() for r in range(view.table.rowCount())]
    assert names == ["Office computer 1", "Laptop"]
    assert view.table.verticalHeader().isHidden()  # no row numbers, as in every other table

    dialog = view.invite()
    dialog.name.setText("Annexe")
    target = tmp_path / "annexe.invite"
    dialog.path.setText(str(target))
    dialog.invite_button.click()
    qtbot.waitUntil(lambda: dialog.code.isVisible(), timeout=10000)
    code = dialog.code.text()
    assert invitation.read_invitation(target, code)["device_name"] == "Annexe"
    assert code not in target.read_bytes().decode("latin-1")
    dialog.reject()
    qtbot.waitUntil(lambda: view.table.rowCount() == 3, timeout=5000)

    view.table.selectRow(1)
    assert view.revoke_button.isEnabled()
    messages.set_next_answer(True)
    view.revoke_button.click()
    qtbot.waitUntil(lambda: not ops.busy and view.status.isVisible(), timeout=10000)
    assert view.table.item(1, 2).text() == "Removed from the team"
    view.table.selectRow(0)
    assert not view.revoke_button.isEnabled()      # this computer cannot remove itself
    main.lock("test")

    # The removed laptop is refused at its next sync, in plain words.
    laptop = unlock_vault(tmp_path / "laptop", "manager", PASSPHRASE)
    try:
        with pytest.raises((HubError, ConfideError)) as refused:
            people.create_person(laptop, PersonInput(kind="parent_carer", first_name="Ivo", last_name="Trent"))
            membership.sync(laptop)
        assert "removed" in refused.value.message
    finally:
        laptop.lock("test")


def test_a_sync_while_choosing_keeps_the_choices(qtbot, ops, pair):
    """Seen in the two-window trial: the hub's watcher synced while a conflict was being
    merged by hand, the page reloaded, and the typed value and the chosen row were gone."""
    from ui.team.conflict_view import ConflictView

    a, b, _ = pair
    ids = [people.create_person(a, PersonInput(kind="parent_carer", first_name=f"Ada{n}", last_name="Fenwick")).id
           for n in range(2)]
    membership.sync(a)
    membership.sync(b)
    for pid in ids:
        _rename(a, pid, "Adeline")
        _rename(b, pid, "Adela")
    membership.sync(a)
    membership.sync(b)
    view = ConflictView(b, ops)
    qtbot.addWidget(view)
    assert view.list.count() == 2
    view.list.setCurrentRow(1)
    chosen = view.current.summary.id
    row = next(r for r in view.rows if r.side.field == "first_name")
    row.edit.setChecked(True)
    row.value.setText("Adelaide")
    membership.sync(b)          # nothing new: the same two conflicts
    view.load()
    assert view.current.summary.id == chosen and view.list.currentRow() == 1
    row = next(r for r in view.rows if r.side.field == "first_name")
    assert row.edit.isChecked() and row.value.text() == "Adelaide"


def test_the_status_bar_counts_a_change_made_here_at_once(qtbot, ops, pair):
    """Seen in the two-window trial: a note saved offline did not show as a change waiting,
    and resolved conflicts still showed as waiting, until the next sync attempt."""

    _, b, _ = pair
    item = SyncStatusItem(b, ops)
    qtbot.addWidget(item)
    assert item.start()
    qtbot.waitUntil(lambda: not ops.busy and item.label.text().startswith("Synced"), timeout=10000)
    item.timer.stop()               # no sync of its own from here: only the change itself
    item.watcher.stop()
    assert "waiting" not in item.label.text()
    ops.run(lambda _p: people.create_person(b, PersonInput(kind="parent_carer", first_name="Ada",
                                                           last_name="Fenwick")), changes=("records",))
    qtbot.waitUntil(lambda: "1 change waiting" in item.label.text(), timeout=5000)
    item.stop()


def test_a_change_made_here_goes_to_the_hub_in_seconds(qtbot, ops, pair, tmp_path):
    """Before, a saved note waited for the 3-minute timer (or Ctrl+Shift+S): a colleague's
    open case could not show it for minutes (docs/sync.md §8, "When sync runs")."""

    a, b, _ = pair
    entries = tmp_path / "hub" / "entries"
    item = SyncStatusItem(b, ops)
    qtbot.addWidget(item)
    assert item.start()
    qtbot.waitUntil(lambda: not ops.busy and item.label.text().startswith("Synced"), timeout=10000)
    item.timer.stop()               # neither the timer nor the hub's news: only the change itself
    item.watcher.stop()
    before = len(list(entries.iterdir()))
    ops.run(lambda _p: people.create_person(b, PersonInput(kind="parent_carer", first_name="Ada",
                                                           last_name="Quennell")), changes=("records",))
    qtbot.waitUntil(lambda: len(list(entries.iterdir())) > before and not ops.busy, timeout=15000)
    membership.sync(a)
    assert a.conn.execute("SELECT count(*) FROM person WHERE last_name = 'Quennell'").fetchone()[0] == 1
    # The push's own news ("sync") starts no further push: the hub stays as it is.
    pushed = len(list(entries.iterdir()))
    qtbot.wait(2500)
    assert len(list(entries.iterdir())) == pushed and not item.push_soon.isActive()
    item.stop()

def test_a_long_text_is_merged_in_a_box_of_several_lines(qtbot, ops, pair):
    """Seen in the two-window trial: a note edited on both sides could only be merged in a
    one-line field, too narrow to read or combine the two versions."""
    from PySide6.QtWidgets import QPlainTextEdit

    from app.services.team import conflicts
    from ui.team.conflict_view import ConflictView

    a, b, _ = pair
    pid = people.create_person(a, PersonInput(kind="parent_carer", first_name="Ada", last_name="Fenwick")).id
    membership.sync(a)
    membership.sync(b)
    base = "Prefers a call after school pick-up; the older child answers the landline most days. "
    for session, extra in ((a, "Office: avoid Fridays."), (b, "Laptop: text first.")):
        person = people.get_person(session, pid)
        people.update_person(session, pid, dataclasses.replace(people.as_input(person), contact_note=base + extra))
    membership.sync(a)
    membership.sync(b)
    view = ConflictView(b, ops)
    qtbot.addWidget(view)
    row = next(r for r in view.rows if r.side.field == "contact_note")
    assert isinstance(row.value, QPlainTextEdit)
    row.edit.setChecked(True)
    merged = base + "\nOffice: avoid Fridays.\nLaptop: text first."
    row.value.setPlainText(merged)
    assert row.choice() == ("edit", merged)
    conflicts.resolve_conflict(b, view.current.summary.id, choices={r.side.field: r.choice() for r in view.rows})
    assert people.get_person(b, pid).contact_note == merged


def test_an_open_case_shows_what_a_sync_brought(qtbot, ops, pair):
    """Seen in the two-window trial: the office's open case kept its old notes after the sync
    that brought the laptop's note and the merged text, until it was closed and opened again."""
    from datetime import date

    from app.services.casework import notes
    from tests.team.laptop_world import family_case
    from ui.clipboard import SecretClipboard
    from ui.views.case_view import CaseView

    a, b, _ = pair
    case_id, _ = family_case(a, "Hartley")
    membership.sync(a)
    item = SyncStatusItem(b, ops)
    qtbot.addWidget(item)
    assert item.start()
    qtbot.waitUntil(lambda: not ops.busy and item.label.text().startswith("Synced"), timeout=10000)
    item.timer.stop()
    item.watcher.stop()
    view = CaseView(b, ops, SecretClipboard(), case_id)
    qtbot.addWidget(view)
    view.open()
    view.show()
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)   # the case's tabs are read on the worker
    tab = view.tabs_by_name["notes"]
    assert tab.list.count() == 1
    notes.add_note(a, case_id, "meeting", date(2026, 1, 7), 30, "Met at home; agreed next steps.")
    membership.sync(a)
    item.sync()
    qtbot.waitUntil(lambda: not ops.busy and tab.list.count() == 2, timeout=10000)
    item.stop()


def test_the_conflict_screen_offers_a_choice_only_for_fields_in_conflict(qtbot, ops, pair, tmp_path):
    """A field one side changed merges by itself: its choice is greyed out, and resolving the
    first name leaves the colleague's postcode alone. Topics corrected on both sides come as
    one field, chosen whole."""
    from datetime import datetime

    from app.services.casework import enquiries
    from app.services.casework.enquiry_corrections import EnquiryCorrection, correct_enquiry
    from app.services.team import conflicts
    from tests.unit.casework_helpers import phone_enquiry
    from ui.team.conflict_view import ConflictView

    a, b, _ = pair
    pid = people.create_person(a, PersonInput(kind="parent_carer", first_name="Ada", last_name="Fenwick")).id
    made = enquiries.record_enquiry(a, phone_enquiry(topics=["ehc_plan"])).enquiry
    membership.sync(a)
    membership.sync(b)
    person = people.get_person(a, pid)
    people.update_person(a, pid, dataclasses.replace(people.as_input(person), first_name="Adeline",
                                                     postcode="NE1 4AB"))
    _rename(b, pid, "Adela")
    when = datetime.fromisoformat(made.received_at)
    correct_enquiry(a, made.id, EnquiryCorrection(when, "phone", made.summary, ["ehc_plan", "transport"]))
    correct_enquiry(b, made.id, EnquiryCorrection(when, "phone", made.summary, ["tribunal"]))
    membership.sync(a)
    membership.sync(b)
    view = ConflictView(b, ops)
    qtbot.addWidget(view)
    view.show()
    assert view.list.count() == 2
    texts = sorted(view.list.item(i).text() for i in range(view.list.count()))
    # Each record in its place (the enquiry's reference, the person's name), then the fields.
    assert texts == [f"Enquiry topics of enquiry {made.reference}\nChanged on both: Topic",
                     "Person: Adeline Fenwick\nChanged on both: First name"]
    for i in range(view.list.count()):
        view.list.setCurrentRow(i)
        if view.current.summary.table == "person":
            break
    postcode = next(r for r in view.rows if r.side.field == "postcode")
    assert not postcode.side.conflicting and not postcode.mine.isEnabled() and not postcode.theirs.isEnabled()
    view.resolve_button.click()
    qtbot.waitUntil(lambda: not ops.busy and view.list.count() == 1, timeout=10000)
    assert (people.get_person(b, pid).first_name, people.get_person(b, pid).postcode) == ("Adela", "NE1 4AB")
    view.list.setCurrentRow(0)
    [topics] = view.rows
    assert (topics.side.field, topics.side.conflicting, topics.edit.isEnabled()) == ("topic", True, False)
    assert topics.side.theirs == ["ehc_plan", "transport"]
    topics.theirs.setChecked(True)
    view.resolve_button.click()
    qtbot.waitUntil(lambda: not ops.busy and view.list.count() == 0, timeout=10000)
    assert enquiries.get_enquiry(b, made.id).topics == ["ehc_plan", "transport"]
    assert [c for c in conflicts.list_conflicts(b)] == []


def test_whose_passphrase_gave_way_at_a_sync_is_said_in_a_window(qtbot, ops, pair):
    """A staff key settled by rule at a sync (docs/sync.md §12) is said, never passed over."""
    from types import SimpleNamespace


    _, b, _ = pair
    item = SyncStatusItem(b, ops)
    qtbot.addWidget(item)
    words = ("Casey Worker chose a new passphrase here and on “Office computer 1” before the two computers "
             "synced: the later one, chosen here, now opens their account on every computer.")
    item._done(SimpleNamespace(pulled=0, audit_breaks=[], notices=[words]))
    qtbot.waitUntil(lambda: item.notice_box is not None and item.notice_box.isVisible(), timeout=5000)
    assert item.notice_box.text() == words and not item.notice_box.isModal()
    item.notice_box.accept()
    item.stop()


def test_a_held_staff_key_conflict_is_shown_in_words_and_settled_by_rule(qtbot, ops, pair, monkeypatch):
    """An earlier version held the same person's two passphrase choices as a conflict and the
    page showed the key records' JSON under the manager's name who first made the record
    (docs/sync.md §12): now words, whose account it is, no typed value, and the rule decides."""
    from datetime import timedelta

    from app import clock
    from app.services.team import conflicts, key_conflicts
    from app.services.vault import staff
    from ui.team.conflict_view import ConflictView

    a, b, _ = pair
    start = clock.now().replace(microsecond=0)
    with clock.frozen(start):
        staff.change_own_passphrase(a, PASSPHRASE, "the office passphrase chosen first")
    membership.sync(a)
    with clock.frozen(start + timedelta(seconds=5)):
        staff.change_own_passphrase(b, PASSPHRASE, "the laptop passphrase chosen later")
    monkeypatch.setattr(key_conflicts.key_record, "TABLES", frozenset())
    assert membership.sync(b).conflicts == 1
    monkeypatch.undo()
    name = b.user.full_name
    view = ConflictView(b, ops)
    qtbot.addWidget(view)
    view.load()
    assert view.list.item(0).text() == f"Sign-in key of {name}\nChanged on both: Passphrase"
    assert view.heading.text() == f"Sign-in key of {name}: changed on both computers"
    [row] = view.rows
    shown = [w.text() for w in view.grid_host.findChildren(type(view.heading))]
    assert not any("{" in t or "salt" in t for t in shown), shown
    assert f"A passphrase chosen by {name} here on " in " ".join(shown) and "it stands" in " ".join(shown)
    assert not any(b.isEnabled() for b in (row.mine, row.theirs, row.edit))
    view.resolve()
    qtbot.waitUntil(lambda: not ops.busy and not conflicts.list_conflicts(b), timeout=10000)
    wrap = b.conn.execute("SELECT private_wrap FROM staff_key WHERE id = ?", (b.user.id,)).fetchone()[0]
    assert '"set_at": "' + (start + timedelta(seconds=5)).isoformat() in wrap


def test_after_a_join_the_window_makes_the_volunteers_compartments_in_the_background(qtbot, ops, tmp_path, vault):
    """A join is ready before the volunteers' compartments are made (docs/sync.md §13): the
    window makes them on its worker after its first sync, before the search index."""
    a = vault[0]
    staff.add_staff(a, "vera", "Vera Volunteer", "volunteer", "temporary words for vera 9")
    b = found_and_join(a, tmp_path, "Annexe")
    try:
        assert compartment.missing(b) == ["vera"]
        item = SyncStatusItem(b, ops)
        qtbot.addWidget(item)
        assert item.start()
        qtbot.waitUntil(lambda: compartment.db_path(b.paths, "vera").exists(), timeout=20000)
        qtbot.waitUntil(lambda: not ops.busy and item.index_progress is None, timeout=20000)
        assert compartment.missing(b) == []
        item.stop()
    finally:
        b.lock("test")
