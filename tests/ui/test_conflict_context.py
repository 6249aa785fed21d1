"""A conflict is shown with its record in context (what, when, by whom, which case) on the
Conflicts page, and the record says a conflict waits wherever it is shown: the case, the note
in the case's notes, and a person's details. Two vaults meet through a folder hub."""

import dataclasses
from datetime import date

from app.services.casework import notes, people
from app.services.team import conflicts, membership
from tests.team.laptop_world import family_case
from tests.ui.test_team_screens import pair  # noqa: F401 - the fixture
from ui.clipboard import SecretClipboard
from ui.team.conflict_view import ConflictView
from ui.views.case_view import CaseView
from ui.views.person_view import PersonView


def _note_edited_on_both(a, b):
    case_id, ref = family_case(a, "Hartley")
    membership.sync(a)
    membership.sync(b)
    note = notes.notes_for_case(a, case_id)[0]
    notes.edit_note(a, note.id, "phone_call", date(2026, 1, 6), 10, "The office's words.")
    notes.edit_note(b, note.id, "phone_call", date(2026, 1, 6), 10, "The other computer's words.")
    membership.sync(a)
    membership.sync(b)
    return case_id, ref, note


def test_the_conflicts_page_places_the_record_and_the_case_and_note_say_a_conflict_waits(qtbot, ops, pair):  # noqa: F811
    a, b, _ = pair
    case_id, ref, note = _note_edited_on_both(a, b)
    page = ConflictView(b, ops)
    qtbot.addWidget(page)
    assert page.list.count() == 1
    line = page.list.item(0).text()
    assert f"Note of 06/01/2026 by {b.user.full_name} in case {ref}" in line
    assert "Changed on both: Body" in line
    page.list.setCurrentRow(0)
    assert page.heading.text().startswith(f"Note of 06/01/2026 by {b.user.full_name} in case {ref}")

    view = CaseView(b, ops, SecretClipboard(), case_id)
    qtbot.addWidget(view)
    view.open()
    view.show()
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)   # the case's tabs are read on the worker
    assert view.in_conflict.isVisible()
    assert "A conflict waits: Note of 06/01/2026" in view.in_conflict.text()
    tab = view.show_tab("notes")
    assert tab.list.item(0).text().startswith("⚠ In conflict · ")
    tab.list.setCurrentRow(0)
    assert "both changed this note" in tab.meta.text()

    # Resolved: the marks go at the next reload.
    conflicts.resolve_conflict(b, conflicts.list_conflicts(b)[0].id, take="mine")
    ops.changed.emit({"sync"})
    qtbot.waitUntil(lambda: not view.in_conflict.isVisible(), timeout=5000)
    assert not view.show_tab("notes").list.item(0).text().startswith("⚠")


def test_a_person_whose_details_clash_says_so(qtbot, ops, pair):  # noqa: F811
    a, b, _ = pair
    pid = people.create_person(a, people.PersonInput(kind="parent_carer", first_name="Ada", last_name="Fenwick")).id
    membership.sync(a)
    membership.sync(b)
    for session, name in ((a, "Adeline"), (b, "Adela")):
        person = people.get_person(session, pid)
        people.update_person(session, pid, dataclasses.replace(people.as_input(person), first_name=name))
    membership.sync(a)
    membership.sync(b)
    page = ConflictView(b, ops)
    qtbot.addWidget(page)
    assert page.list.item(0).text().startswith("Person: Adeline Fenwick")
    view = PersonView(b, ops, SecretClipboard(), pid)
    qtbot.addWidget(view)
    view.open()
    view.show()
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)   # the case's tabs are read on the worker
    assert view.in_conflict.isVisible() and "first name" in view.in_conflict.text()
