"""Record consent for a professional who is not yet on record: the Who list offers "Add a
professional…", the new professional (name, role, organisation, contact) is recorded and
chosen, and the form keeps every tick, word and stroke of the signature meanwhile."""

from datetime import date

from app.services.casework import cases, people
from tests.ui.test_consent_capture import _sign_with_mouse
from tests.unit.casework_helpers import adult, child
from tests.unit.consent_helpers import TODAY
from ui.dialogs.consent_capture import ConsentCaptureDialog


def _case_with_no_professionals(session):
    kid, parent = child(session), adult(session)
    people.link_relationship(session, parent.id, kid.id, "mother", True)
    return cases.open_case(session, parent.id, kid.id, opened_on=date(2026, 1, 5))


def _open(qtbot, session, case, ops):
    dialog = ConsentCaptureDialog(session, case.id, ops=ops, today=TODAY)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.guard.mark_clean())
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _fill(add, **values):
    for key, value in values.items():
        add.edits[key].setText(value)


def test_a_new_senco_is_added_from_the_consent_form_and_nothing_typed_or_signed_is_lost(qtbot, session, ops):
    case = _case_with_no_professionals(session)
    dialog = _open(qtbot, session, case, ops)
    share, records = dialog.rows[0], dialog.rows[1]
    assert share.party.count() == 1 and share.party.currentData() is None     # nobody on record yet
    share.check.setChecked(True)
    share.purpose.setText("to plan support at school")
    dialog.rows[3].check.setChecked(True)
    _sign_with_mouse(qtbot, dialog.pad)
    strokes = dialog.pad.strokes()

    share.add_button.click()
    add = dialog.professional_dialog
    qtbot.waitUntil(add.isVisible, timeout=5000)
    _fill(add, first_name="Aisha", last_name="Rahman")
    add.ok_button.click()                    # no role and no organisation: said beside Role
    qtbot.waitUntil(lambda: add.errors._fields["job_title"][1].isVisible(), timeout=5000)
    assert add.isVisible()
    _fill(add, job_title="SENCo", organisation="Brookfield Primary School", phone="01632 960123",
          email="senco@brookfield.example")
    add.ok_button.click()
    qtbot.waitUntil(lambda: not add.isVisible(), timeout=5000)

    label = "Aisha Rahman (SENCo, Brookfield Primary School)"
    assert share.party.currentText() == label
    assert records.party.findText(label) > 0 and records.party.currentData() is None   # offered, not chosen
    assert "may share information about Ellie Hartley with Aisha Rahman" in share.wording.text()
    # Everything typed and signed is still there.
    assert share.check.isChecked() and dialog.rows[3].check.isChecked()
    assert share.purpose.text() == "to plan support at school"
    assert dialog.pad.strokes() == strokes and dialog.isVisible()

    with qtbot.waitSignal(dialog.recorded, timeout=5000):
        dialog.ok_button.click()
    shared = next(c for c in dialog.consents if c.scope == "share_with")
    pro = people.get_person(session, share.party.currentData().person_id)
    assert shared.counterparty_person_id == pro.id
    assert (pro.kind, pro.job_title, pro.phone_work, pro.email) == (
        "professional", "SENCo", "01632 960123", "senco@brookfield.example")
