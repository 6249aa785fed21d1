"""The person picker asks for both words of a two-word name in one call: one audit event per
keystroke, not two, and still finds "Hartley Dana" as well as "Dana Hart"."""

from PySide6.QtWidgets import QLabel

from app.services.casework import people
from tests.unit.casework_helpers import adult
from ui.widgets.forms import FieldErrors
from ui.widgets.person_picker import PersonPicker


def _bulk_reads(session) -> int:
    return session.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'bulk_read'").fetchone()[0]


def test_a_two_word_name_is_one_query_and_one_audit_event(qtbot, session, ops):
    dana = adult(session)
    adult(session, first="Harriet", last="Dane")
    adult(session, first="Olu", last="Adebayo")
    picker = PersonPicker(session, ops, "parent_carer", "caller", "Caller", FieldErrors(QLabel()))
    qtbot.addWidget(picker)
    for typed, expected in (("Dana Hart", [dana.id]), ("Hartley Dana", [dana.id]), ("Da", None)):
        before = _bulk_reads(session)
        found = picker.search(typed)
        assert _bulk_reads(session) == before + 1
        if expected is not None:
            assert [p.id for p in found] == expected
    assert {p.last_name for p in people.find_people(session, text="Olu", also="Dane")} == {"Adebayo", "Dane"}

