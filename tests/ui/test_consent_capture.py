"""The consent capture dialog: signing on the pad with a mouse or a finger, and the refusals a
caseworker sees beside the field at fault, with nothing saved."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app.domain.signature import Signature
from app.services.casework import people
from app.services.consent import records as consent
from app.services.consent.wording import paragraphs
from tests.ui.casework_support import activate
from tests.unit.casework_helpers import adult
from tests.unit.consent_helpers import TODAY, family_case
from ui.dialogs import messages
from ui.dialogs.consent_capture import ConsentCaptureDialog
from ui.widgets.signature_pad import SignaturePad


def _dialog(qtbot, session, fam, ops=None):
    dialog = ConsentCaptureDialog(session, fam.case.id, ops=ops, today=TODAY)
    # pytest-qt closes what is left open; a changed form would ask first, with nobody to answer.
    qtbot.addWidget(dialog, before_close_func=lambda d: d.guard.mark_clean())
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _sign_with_mouse(qtbot, pad):
    """A scrawl in two strokes: press, several moves, release."""
    for y in (60, 110):
        qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(30, y))
        for x in range(40, 330, 15):
            QTest.mouseMove(pad, QPoint(x, y + (25 if (x // 15) % 2 else -25)))
        qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(340, y))


def _choose_senco(dialog, fam):
    row = dialog.rows[0]
    row.check.setChecked(True)
    row.party.setCurrentIndex(row.party.findText("Priya Okafor (SENCo, Hillside Primary School)"))
    return row


def _saved(session):
    return session.conn.execute("SELECT count(*) FROM consent").fetchone()[0]


def test_signing_on_the_pad_records_consent_with_the_strokes(qtbot, session, ops):
    fam = family_case(session)
    dialog = _dialog(qtbot, session, fam, ops)
    row = _choose_senco(dialog, fam)
    row.purpose.setText("to plan support at school")
    dialog.rows[3].check.setChecked(True)  # voicemail
    assert "may share information about Ellie Hartley with Priya Okafor" in row.wording.text()
    assert dialog.giver.currentData().person_id == fam.parent.id
    assert dialog.signed_name.text() == "Dana Hartley"

    _sign_with_mouse(qtbot, dialog.pad)
    assert len(dialog.pad.strokes()) == 2 and len(dialog.pad.strokes()[0]) > 10
    drawn = dialog.pad.signature()
    with qtbot.waitSignal(dialog.recorded, timeout=5000):
        dialog.ok_button.click()
    assert dialog.result() == ConsentCaptureDialog.DialogCode.Accepted
    assert {c.scope for c in dialog.consents} == {"share_with", "voicemail"}
    stored = consent.signature_of(session, dialog.consents[0].id)
    assert stored == drawn and len(stored.strokes) == 2
    assert paragraphs(dialog.consents[0].wording_text) == row.wording.text().split("\n\n")
    assert dialog.consents[0].purpose == "to plan support at school"


def test_the_refusal_for_someone_without_parental_responsibility_shows_at_once(qtbot, session):
    fam = family_case(session)
    gran = adult(session, "Maureen", "Hartley", kind="family_member")
    people.link_relationship(session, gran.id, fam.kid.id, "grandparent", False)
    dialog = _dialog(qtbot, session, fam)
    index = next(i for i in range(dialog.giver.count()) if dialog.giver.itemData(i).person_id == gran.id)
    dialog.giver.setCurrentIndex(index)
    error = dialog.errors._fields["given_by"][1]
    assert error.isVisible()
    assert "Maureen Hartley is not recorded as holding parental responsibility" in error.text()
    assert "cannot consent to sharing" in dialog.giver.currentText()

    _choose_senco(dialog, fam)
    _sign_with_mouse(qtbot, dialog.pad)
    dialog.ok_button.click()
    assert dialog.isVisible() and error.isVisible() and "parental responsibility" in error.text()
    assert _saved(session) == 0


def test_an_empty_signature_is_refused_beside_the_pad(qtbot, session):
    fam = family_case(session)
    dialog = _dialog(qtbot, session, fam)
    _choose_senco(dialog, fam)
    dialog.ok_button.click()
    error = dialog.errors._fields["signature"][1]
    assert error.isVisible() and "The signature box is empty" in error.text()
    assert dialog.pad._invalid
    assert _saved(session) == 0
    # Signing clears the red border and the message; a verbal consent needs no signature at all.
    _sign_with_mouse(qtbot, dialog.pad)
    assert not dialog.pad._invalid and not error.isVisible()
    dialog.pad.clear()
    assert dialog.pad.is_empty()


def test_a_professional_must_be_chosen_and_nothing_is_saved_until_then(qtbot, session):
    fam = family_case(session)
    dialog = _dialog(qtbot, session, fam)
    dialog.rows[0].check.setChecked(True)
    dialog.ok_button.click()
    error = dialog.errors._fields["counterparty_share_with"][1]
    assert error.isVisible() and "Choose who" in error.text()
    dialog.rows[0].check.setChecked(False)
    dialog.ok_button.click()
    assert "at least one" in dialog.errors._fields["scopes"][1].text()
    assert _saved(session) == 0


def test_verbal_consent_disables_the_pad(qtbot, session):
    fam = family_case(session)
    dialog = _dialog(qtbot, session, fam)
    dialog.rows[3].check.setChecked(True)
    verbal = next(b for b in dialog.methods.buttons() if b.property("method") == "verbal_phone")
    verbal.setChecked(True)
    assert not dialog.pad.isEnabled()
    dialog.ok_button.click()
    assert dialog.consents[0].method == "verbal_phone" and not dialog.consents[0].has_signature


def test_a_finger_on_a_touch_screen_draws_a_stroke(qtbot):
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(480, 190)
    pad.show()
    qtbot.waitExposed(pad)
    device = QTest.createTouchDevice()
    QTest.touchEvent(pad, device).press(0, QPoint(40, 100), pad).commit()
    for x in range(60, 300, 20):
        QTest.touchEvent(pad, device).move(0, QPoint(x, 100 + (x % 40)), pad).commit()
    QTest.touchEvent(pad, device).release(0, QPoint(310, 100), pad).commit()
    assert len(pad.strokes()) == 1 and len(pad.strokes()[0]) > 5
    assert not pad.signature().is_blank and isinstance(pad.signature(), Signature)


def test_a_pen_on_a_tablet_draws_a_stroke(qtbot):
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
    from PySide6.QtWidgets import QApplication

    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(480, 190)
    pen = QPointingDevice("test pen", 7, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
                          QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 3)

    def send(kind, x, y):
        QApplication.sendEvent(pad, QTabletEvent(kind, pen, QPointF(x, y), QPointF(x, y), 0.5, 0, 0, 0, 0, 0,
                                                 Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton,
                                                 Qt.MouseButton.LeftButton))

    send(QEvent.Type.TabletPress, 30, 100)
    for x in range(40, 300, 20):
        send(QEvent.Type.TabletMove, x, 100 + x % 30)
        if x == 100:
            # A mouse press arriving mid-stroke (as a driver may send) must not start a second stroke.
            qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(x, 100))
    send(QEvent.Type.TabletRelease, 300, 100)
    assert len(pad.strokes()) == 1 and len(pad.strokes()[0]) == 15


def test_escape_with_a_signature_and_ticks_asks_and_keeps_them(qtbot, session):
    fam = family_case(session)
    dialog = _dialog(qtbot, session, fam)
    _choose_senco(dialog, fam)
    _sign_with_mouse(qtbot, dialog.pad)
    messages.set_next_answer(False)  # "Keep editing"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert messages.last_shown[0] == "Discard changes?" and "signature" in messages.last_shown[1]
    assert dialog.isVisible() and len(dialog.pad.strokes()) == 2 and dialog.rows[0].check.isChecked()
    messages.set_next_answer(True)  # now discard on purpose
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and _saved(session) == 0


def test_a_signature_alone_counts_as_a_change(qtbot, session):
    fam = family_case(session)
    dialog = _dialog(qtbot, session, fam)
    assert not dialog.guard.changed
    _sign_with_mouse(qtbot, dialog.pad)
    assert dialog.guard.changed


def test_enter_after_a_refusal_neither_records_nor_cancels(qtbot, session):
    fam = family_case(session)
    dialog = _dialog(qtbot, session, fam)
    _choose_senco(dialog, fam)
    dialog.rows[0].purpose.setText("to plan support at school")
    dialog.ok_button.click()  # no signature yet: refused beside the pad
    assert dialog.errors._fields["signature"][1].isVisible()
    _sign_with_mouse(qtbot, dialog.pad)
    for widget in (dialog.signed_name, dialog.cancel_button, dialog.clear_button):
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Return)
        assert dialog.isVisible() and dialog.result() == 0 and len(dialog.pad.strokes()) == 2
    assert _saved(session) == 0
    # Ctrl+S records, from any field.
    activate(qtbot, dialog)
    qtbot.keyClick(dialog.signed_name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible() and _saved(session) == 1


def test_a_young_person_signing_gets_the_easy_read_words_and_they_are_recorded(qtbot, session, ops):
    fam = family_case(session, born="2009-05-01")  # 17: decides for themself
    dialog = _dialog(qtbot, session, fam, ops)
    row = _choose_senco(dialog, fam)

    def choose(person):
        dialog.giver.setCurrentIndex(next(i for i in range(dialog.giver.count())
                                          if dialog.giver.itemData(i).person_id == person.id))
    choose(fam.parent)
    assert not dialog.easy_read.isChecked() and "may share information about" in row.wording.text()
    choose(fam.kid)
    assert dialog.easy_read.isChecked()
    assert row.wording.text().startswith("Northshire SENDIASS can tell Priya Okafor")
    assert "This is so they can help." in row.wording.text()
    _sign_with_mouse(qtbot, dialog.pad)
    with qtbot.waitSignal(dialog.recorded, timeout=5000):
        dialog.ok_button.click()
    [made] = dialog.consents
    assert made.easy_read == 1 and made.wording_name == "consent_share_easy"
    assert paragraphs(made.wording_text) == row.wording.text().split("\n\n")
    # Unticking goes back to the standard words before anything is recorded.
    second = _dialog(qtbot, session, fam, ops)
    row = _choose_senco(second, fam)
    second.easy_read.setChecked(True)
    second.easy_read.setChecked(False)
    assert "may share information about" in row.wording.text()
