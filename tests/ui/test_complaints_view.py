"""The complaints register beside the access requests: register a complaint through the form,
acknowledge it and record the reply from the selected line; the dashboard item opens it; a
typed form asks before it is thrown away."""

from datetime import date, timedelta

from app.services.reports.complaints import register as complaints
from tests.ui.casework_support import make_workspace, wait_idle
from ui.dialogs import messages


def complaints_page(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    return workspace, workspace.show_page("Complaints")


def test_register_acknowledge_and_reply(qtbot, session, ops, data_dir):
    _workspace, page = complaints_page(qtbot, session, ops, data_dir)
    dialog = page.register()
    qtbot.waitExposed(dialog)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: "who complained" in dialog.errors._fields["complainant"][1].text().lower())
    assert complaints.list_complaints(session) == []
    dialog.complainant.setText("Rhiannon Ashdown")
    dialog.about.setPlainText("A letter about my son went to my old address.")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.selected() is not None)
    due = date.today() + timedelta(days=30)
    assert f"Acknowledge by {due:%d/%m/%Y}" in page.title.text()
    assert page.acknowledge_button.isEnabled()

    ack = page.act("next")
    qtbot.waitExposed(ack)
    with qtbot.waitSignal(ack.finished, timeout=5000):
        ack.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.selected() is not None and page.selected().acknowledged_on == date.today())
    assert not page.acknowledge_button.isEnabled() and page.outcome_button.isEnabled()

    reply = page.act("next")
    qtbot.waitExposed(reply)
    reply.outcome.setCurrentIndex(reply.outcome.findData("upheld"))
    reply.reply.setPlainText("We apologise; the address is corrected.")
    with qtbot.waitSignal(reply.finished, timeout=5000):
        reply.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.selected() is not None and page.selected().replied_on is not None)
    assert "Replied" in page.title.text() and not page.outcome_button.isEnabled()
    page.open_only.setChecked(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)


def test_a_typed_complaint_is_not_lost_to_escape(qtbot, session, ops, data_dir):
    _workspace, page = complaints_page(qtbot, session, ops, data_dir)
    dialog = page.register()
    qtbot.waitExposed(dialog)
    dialog.complainant.setText("Rhiannon Ashdown")
    messages.set_next_answer(False)  # "Keep editing"
    dialog.reject()
    assert dialog.isVisible() and dialog.complainant.text() == "Rhiannon Ashdown"
    messages.set_next_answer(True)
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_the_dashboard_item_opens_the_complaint(qtbot, session, ops, data_dir):
    c = complaints.register_complaint(session, date.today() - timedelta(days=40), "letter", "Rhiannon Ashdown",
                                      "Records kept too long.")
    workspace = make_workspace(qtbot, session, ops, data_dir)
    workspace.show_page("Dashboard")
    page = workspace.manager.open_item("complaint", c.id)
    qtbot.waitUntil(lambda: page.selected() is not None and page.selected().id == c.id)
    assert workspace.pages["Complaints"].isVisible()
    assert "overdue" in page.title.text().lower()
