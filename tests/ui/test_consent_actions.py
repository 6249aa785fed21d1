"""A consent in the case's list can be taken back as easily as it was given (Article 7(3)):
select it, then View (wording and signature), Withdraw… (when, how, recorded by) or Print /
save a copy (the encrypted consent record PDF); by double-click, Enter, the context menu and
the keyboard."""

from datetime import date, timedelta

import shiboken6
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu

from app.services.consent import records as consent
from tests.ui.casework_support import make_workspace, wait_idle
from tests.unit.consent_helpers import family_case, share_with, signed
from ui.dialogs import files, messages

TODAY = date.today()


def _consent_tab(qtbot, session, ops, data_dir):
    fam = family_case(session, opened_on=TODAY - timedelta(days=60))
    [given] = signed(session, fam, share_with(fam.senco), today=TODAY - timedelta(days=10))
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.open_record("case", fam.case.id)
    tab = view.show_tab("consent")
    qtbot.waitUntil(lambda: tab.consents.count() == 1)
    return fam, given, tab


def test_select_then_withdraw_records_when_how_and_by_whom(qtbot, session, ops, data_dir):
    _fam, given, tab = _consent_tab(qtbot, session, ops, data_dir)
    assert not tab.withdraw_button.isEnabled()  # nothing selected yet
    tab.consents.list.setFocus()
    qtbot.keyClick(tab.consents.list, Qt.Key.Key_Down)  # the keyboard selects it
    assert tab.selected_consent().id == given.id and tab.withdraw_button.isEnabled()
    dialog = tab.withdraw_consent()
    qtbot.waitExposed(dialog)
    assert "Test Manager" in [label.text() for label in dialog.findChildren(type(dialog.heading))]
    dialog.how.setCurrentIndex(dialog.how.findData("verbal_phone"))
    dialog.when.setDate(dialog.when.date().addDays(-2))
    dialog.note.setPlainText("Mum rang to say she no longer agrees.")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    after = consent.get_consent(session, given.id)
    assert after.withdrawn_on == (date.today() - timedelta(days=2)).isoformat()
    assert after.withdrawal_method == "verbal_phone" and after.withdrawn_recorded_by == "manager"
    qtbot.waitUntil(lambda: "withdrawn" in tab.consents.text(0).lower())
    tab.consents.list.setCurrentRow(0)
    assert not tab.withdraw_button.isEnabled()  # cannot be withdrawn twice


def test_double_click_or_enter_shows_the_full_record_with_wording_and_signature(qtbot, session, ops, data_dir):
    _fam, given, tab = _consent_tab(qtbot, session, ops, data_dir)
    tab.consents.list.setCurrentRow(0)
    item = tab.consents.list.item(0)
    rect = tab.consents.list.visualItemRect(item)
    # A real double-click: a press first (item views open only what the press landed on).
    qtbot.mousePress(tab.consents.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tab.consents.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: getattr(tab, "record_dialog", None) is not None and tab.record_dialog.isVisible())
    dialog = tab.record_dialog
    assert given.wording_text.split("\n")[0][:40] in dialog.wording.text()
    assert dialog.signature is not None and dialog.signature.signature.point_count > 10
    assert dialog.fact_labels["Given on"].text() == f"{TODAY - timedelta(days=10):%d/%m/%Y}"
    assert "Priya Okafor" in dialog.fact_labels["Consent"].text()
    assert dialog.fact_labels["Recorded by"].text() == "Test Manager"
    assert dialog.windowTitle() == "Consent record"  # no names in the title
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    tab.consents.list.setFocus()
    qtbot.keyClick(tab.consents.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.record_dialog is not dialog and tab.record_dialog.isVisible())
    tab.record_dialog.reject()


def test_the_context_menu_offers_the_three_and_save_writes_an_encrypted_copy(qtbot, session, ops, data_dir,
                                                                             tmp_path, monkeypatch):
    _fam, given, tab = _consent_tab(qtbot, session, ops, data_dir)
    popped = []
    # Offscreen Qt cannot grab for a real pop-up; record where it would appear instead.
    monkeypatch.setattr(QMenu, "popup", lambda menu, where, *_a: popped.append(where))
    rect = tab.consents.list.visualItemRect(tab.consents.list.item(0))
    assert tab.consents.list.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    tab.consents.list.customContextMenuRequested.emit(QPoint(rect.center()))  # right-click or the Menu key
    menu = tab.menu
    assert popped and tab.selected_consent().id == given.id
    assert [a.text() for a in menu.actions()] == ["View…", "Withdraw…", "Print / save a copy…"]
    assert all(a.isEnabled() for a in menu.actions())
    menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: getattr(tab, "record_dialog", None) is not None and tab.record_dialog.isVisible())
    tab.record_dialog.reject()
    target = tmp_path / "copy"
    files.set_next_path(target)
    assert tab.save_copy()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: getattr(tab, "password_dialog", None) is not None)
    shown = tab.password_dialog
    password = shown.panel.password.text()
    assert len(password) >= 12
    pdf = target.with_name("copy.pdf")
    reader = PdfReader(pdf)
    assert reader.is_encrypted and reader.decrypt("not the password") == 0
    assert reader.decrypt(password) != 0 and "Priya Okafor" in "".join(p.extract_text() for p in reader.pages)
    assert session.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'consent_record_exported' "
                                "AND object_id = ?", (given.id,)).fetchone()[0] == 1
    if shiboken6.isValid(shown):
        shown.reject()


def test_a_typed_withdrawal_asks_before_it_is_thrown_away(qtbot, session, ops, data_dir):
    _fam, _given, tab = _consent_tab(qtbot, session, ops, data_dir)
    tab.consents.list.setCurrentRow(0)
    dialog = tab.withdraw_consent()
    qtbot.waitExposed(dialog)
    dialog.note.setPlainText("Said on the phone.")
    messages.set_next_answer(False)
    dialog.reject()
    assert dialog.isVisible()
    messages.set_next_answer(True)
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert consent.get_consent(session, _given.id).withdrawn_on is None
