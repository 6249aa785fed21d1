"""What the walk-through of documents and letters found in their forms (docs/documents.md): a
refusal that answered one date stops answering once the date changes; the refusal and its
override rows make the form grow on a laptop instead of hiding in a scroll area; a date typed
with the keyboard is the date typed."""

import io
from datetime import date, timedelta

from PySide6.QtCore import QDate, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDateEdit, QLabel, QWidget

from app.errors import ValidationError
from app.services.casework import cases
from app.services.documents import documents as docs
from app.services.documents import letters
from tests.ui.casework_support import make_workspace, wait_idle
from tests.ui.manager_support import casework, ready_request
from tests.unit.consent_helpers import TODAY, family_case, professional, verbal
from tests.unit.document_helpers import pdf_with_plain_text
from ui.dialogs import messages
from ui.dialogs.consent_capture import ConsentCaptureDialog
from ui.dialogs.letter_dialog import LetterDialog
from ui.widgets import screen_fit
from ui.widgets.choices import date_edit, date_of

LAPTOP = QRect(0, 0, 1366, 768 - 40)


def _documents_tab(qtbot, session, ops, data_dir):
    fam = family_case(session)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.open_record("case", fam.case.id)
    wait_idle(qtbot, ops)   # the case's tabs are read on the worker
    return fam, view.show_tab("documents")


def _from_professional(qtbot, tab, source, who):
    dialog = tab.add_files([source])
    qtbot.waitExposed(dialog)
    dialog.source.setText("Email from the educational psychologist")
    dialog.professional.setChecked(True)
    dialog.party.setCurrentIndex(next(i for i in range(dialog.party.count())
                                      if getattr(dialog.party.itemData(i), "person_id", None) == who.id))
    return dialog


def test_the_refusal_grows_the_form_on_a_laptop_rather_than_scrolling(qtbot, session, ops, data_dir, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setattr(screen_fit, "forced_area", LAPTOP)
    fam, tab = _documents_tab(qtbot, session, ops, data_dir)
    source = tmp_path / "EP report.pdf"
    source.write_bytes(pdf_with_plain_text("Educational psychology report"))
    dialog = _from_professional(qtbot, tab, source, fam.ep)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.refusal.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: dialog.scroll.verticalScrollBar().maximum() == 0, timeout=3000)
    assert dialog.frameGeometry().height() <= LAPTOP.height()
    dialog.guard.mark_clean()


def test_changing_the_date_after_a_refusal_checks_the_consent_again(qtbot, session, ops, data_dir, tmp_path):
    fam, tab = _documents_tab(qtbot, session, ops, data_dir)
    today = date.today()
    verbal(session, fam, "obtain_records", counterparty_person_id=fam.ep.id, today=today)
    source = tmp_path / "EP report.pdf"
    source.write_bytes(pdf_with_plain_text("Educational psychology report"))
    dialog = _from_professional(qtbot, tab, source, fam.ep)
    earlier = today - timedelta(days=20)
    dialog.day.setDate(QDate(earlier.year, earlier.month, earlier.day))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.refusal.isVisible(), timeout=5000)
    assert "came after this" in dialog.refusal.text()
    assert dialog.ok_button.text() == "Add under an override"
    # The report was received today, under the consent on file: the form must not still ask
    # for a lawful reason for an override nobody needs.
    dialog.day.setDate(QDate(today.year, today.month, today.day))
    assert not dialog.refusal.isVisible() and not dialog.reason.isVisible()
    assert dialog.ok_button.text() == "Add document"
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    wait_idle(qtbot, ops)
    assert tab.tree.topLevelItemCount() == 1
    assert "under the family's consent" in tab.basis.text()


def _typed(qtbot, edit: QDateEdit, keys: str) -> None:
    edit.show()
    qtbot.waitExposed(edit)
    edit.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    edit.setSelectedSection(QDateEdit.Section.DaySection)
    QTest.keyClicks(edit, keys)


def test_a_past_date_typed_day_first_is_the_date_typed(qtbot):
    """Qt checks each part against the latest allowed date as it is typed: with today as the
    latest, typing a day later than today's day (in today's month) was refused, the keys ran on
    into the month and year, and a different date was kept without a word."""
    today = date.today()
    wanted = (today.replace(day=1) - timedelta(days=1)).replace(day=28)  # last month, the 28th
    edit = date_edit("Date of the document")
    qtbot.addWidget(edit)
    _typed(qtbot, edit, wanted.strftime("%d%m%Y"))
    assert date_of(edit) == wanted


def test_a_future_date_typed_where_none_may_be_is_refused_in_words(qtbot):
    tomorrow = date.today() + timedelta(days=1)
    edit = date_edit("Date of the document")
    qtbot.addWidget(edit)
    _typed(qtbot, edit, tomorrow.strftime("%d%m%Y"))
    try:
        date_of(edit)
    except ValidationError as exc:
        assert "Date of the document" in exc.message and "after today" in exc.message
    else:
        raise AssertionError("a date after today was accepted")
    assert date_of(date_edit("When", not_after_today=False)) == date.today()


def test_the_consent_form_does_not_scroll_sideways_when_a_professional_is_named(qtbot, session, monkeypatch):
    """The records request's consent comes first: the form's list of professionals took the
    width of its longest name, and the wording, the Add button and the signature's Clear
    button went off the right edge of a laptop."""
    monkeypatch.setattr(screen_fit, "forced_area", LAPTOP)
    fam = family_case(session)
    professional(session, "Chloe", "Arnold-Fairweather", "Speech and language therapist",
                 "Northshire Speech, Language and Communication Therapy Service for Children")
    dialog = ConsentCaptureDialog(session, fam.case.id, today=TODAY)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.guard.mark_clean())
    dialog.show()
    qtbot.waitExposed(dialog)
    records = next(row for row in dialog.rows if row.scope.value == "obtain_records")
    records.check.setChecked(True)
    records.party.setCurrentIndex(records.party.findData(None) + 1)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: dialog.scroll.horizontalScrollBar().maximum() == 0, timeout=3000)


def test_the_consent_date_typed_day_first_is_the_date_typed(qtbot, session):
    fam = family_case(session)
    dialog = ConsentCaptureDialog(session, fam.case.id, today=TODAY)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.guard.mark_clean())
    wanted = TODAY.replace(month=TODAY.month - 1, day=28)
    _typed(qtbot, dialog.given_on, wanted.strftime("%d%m%Y"))
    assert dialog.given_on.date() == QDate(wanted.year, wanted.month, wanted.day)


def test_the_document_just_added_is_the_one_selected_with_its_consent_shown(qtbot, session, ops, data_dir, tmp_path):
    """The list kept the earlier selection: the new report sat unselected, and the line saying
    which consent it came under stayed hidden until someone clicked it."""
    fam, tab = _documents_tab(qtbot, session, ops, data_dir)
    today = date.today()
    verbal(session, fam, "obtain_records", counterparty_person_id=fam.ep.id, today=today - timedelta(days=30))
    first = tmp_path / "Appointment letter.pdf"
    first.write_bytes(pdf_with_plain_text("Appointment"))
    dialog = tab.add_files([first])
    qtbot.waitExposed(dialog)
    dialog.source.setText("The parent")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    wait_idle(qtbot, ops)
    report = tmp_path / "EP report.pdf"
    report.write_bytes(pdf_with_plain_text("Educational psychology report"))
    dialog = _from_professional(qtbot, tab, report, fam.ep)
    earlier = today - timedelta(days=10)
    dialog.day.setDate(QDate(earlier.year, earlier.month, earlier.day))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    wait_idle(qtbot, ops)
    assert tab.tree.topLevelItemCount() == 2
    assert tab.selected().title == "EP report"
    assert "Records requested from Sam Patel" in tab.basis.text() and "under the family's consent" in tab.basis.text()
    assert tab.basis.isVisible()


def _mnemonics(dialog) -> list[str]:
    keys = []
    for widget in dialog.findChildren(QWidget):
        text = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else ""
        if widget.isVisible() and "&" in text.replace("&&", ""):
            keys.append(text.replace("&&", "")[text.replace("&&", "").index("&") + 1].lower())
    return keys


def test_each_field_of_the_letter_form_has_its_own_alt_key(qtbot, session, ops):
    """Alt+T went to Template before To, Alt+L to Letter before Lawful reason: a second field
    sharing a key is reached only by pressing it again. (The "To" label was also clipped on
    screen: its underlined T loses the kerning its width was measured with.)"""
    fam = family_case(session)
    dialog = LetterDialog(session, ops, cases.load_case(session, fam.case.id))
    qtbot.addWidget(dialog, before_close_func=lambda d: d.guard.mark_clean())
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.template.setCurrentIndex(dialog.template.findData(letters.TO_PROFESSIONAL))
    dialog.party.setCurrentIndex(1)
    dialog._show_override(True, "No live consent.")
    keys = _mnemonics(dialog)
    assert len(keys) >= 5 and len(keys) == len(set(keys)), keys


def test_the_rows_stay_put_while_the_selection_moves(qtbot, session, ops, data_dir, tmp_path):
    """The consent line sat above the list and took one, two or no lines with the selected
    document: the rows moved under the pointer, and a double-click opened the wrong one."""
    fam, tab = _documents_tab(qtbot, session, ops, data_dir)
    verbal(session, fam, "obtain_records", counterparty_person_id=fam.ep.id, today=date.today() - timedelta(days=30))
    plain = tmp_path / "Photo of the classroom.pdf"
    plain.write_bytes(pdf_with_plain_text("Classroom"))
    dialog = tab.add_files([plain])
    qtbot.waitExposed(dialog)
    dialog.source.setText("The parent")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    report = tmp_path / "EP report.pdf"
    report.write_bytes(pdf_with_plain_text("Educational psychology report"))
    dialog = _from_professional(qtbot, tab, report, fam.ep)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    wait_idle(qtbot, ops)
    tops = set()
    for row in (0, 1, 0):
        tab.tree.setCurrentItem(tab.tree.topLevelItem(row))
        QApplication.processEvents()
        tops.add(tab.tree.mapTo(tab, tab.tree.rect().topLeft()).y())
    assert len(tops) == 1, tops


def test_a_phone_photo_is_shown_whole_and_at_actual_size_on_request(qtbot, session, ops, data_dir, tmp_path):
    """A picture opened at its own pixels: a photo from a phone showed a corner of itself."""
    fam, tab = _documents_tab(qtbot, session, ops, data_dir)
    photo = QImage(4000, 3000, QImage.Format.Format_RGB32)
    photo.fill(QColor("white"))
    source = tmp_path / "Photo of the board.png"
    assert photo.save(str(source))
    dialog = tab.add_files([source])
    qtbot.waitExposed(dialog)
    dialog.source.setText("The parent")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    wait_idle(qtbot, ops)
    tab.open_selected()
    qtbot.waitUntil(lambda: tab.viewer is not None and tab.viewer.isVisible(), timeout=5000)
    viewer = tab.viewer
    QApplication.processEvents()
    room = viewer.scroll.viewport().size()
    shown = viewer.picture.pixmap().size()
    assert shown.width() <= room.width() and shown.height() <= room.height()
    assert abs(shown.width() / shown.height() - 4 / 3) < 0.02
    viewer.set_fit(False)
    assert viewer.picture.pixmap().width() == 4000
    viewer.close()


def test_save_a_copy_says_the_copy_is_recorded_before_it_is_made(qtbot, session, ops, data_dir, tmp_path):
    """The warning said the copy is not encrypted but not that the copy is audited (docs/documents.md)."""
    _fam, tab = _documents_tab(qtbot, session, ops, data_dir)
    source = tmp_path / "Letter.pdf"
    source.write_bytes(pdf_with_plain_text("Letter"))
    dialog = tab.add_files([source])
    qtbot.waitExposed(dialog)
    dialog.source.setText("The parent")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    wait_idle(qtbot, ops)
    messages.set_next_answer(False)
    tab.save_copy()
    title, text = messages.last_shown
    assert "NOT encrypted" in text and "audit trail" in text


def test_a_document_under_review_for_a_sar_can_be_read_before_deciding(qtbot, session, ops, data_dir, tmp_path):
    """The review asked to include or leave out a whole report but showed only its title,
    date and source: the manager had to leave the review for the case to read it."""
    parent, _kid, case = casework(session)
    with io.BytesIO(pdf_with_plain_text("Educational psychology report", pages=2)) as stream:
        docs.add_document(session, docs.DocumentInput("EP report", "report", date.today().isoformat(), "EP service",
                                                      "EP report.pdf", case_id=case.id), stream)
    request = ready_request(session, parent)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    page = workspace.show_page("Access requests")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert page.select(request.id)
    review = page.act("review")
    qtbot.waitUntil(lambda: review.review is not None and not ops.busy, timeout=5000)
    report = next(i for i in review.review.items if i.kind == "document")
    review.tree.setCurrentItem(review._rows[report.key])
    assert review.panel.read_button.isVisible()
    review.panel.read_button.click()
    qtbot.waitUntil(lambda: review.viewer is not None and review.viewer.isVisible(), timeout=5000)
    assert review.viewer.page_count() == 2
    review.viewer.close()
    other = next(i for i in review.review.items if i.kind != "document")
    review.tree.setCurrentItem(review._rows[other.key])
    assert not review.panel.read_button.isVisible()
