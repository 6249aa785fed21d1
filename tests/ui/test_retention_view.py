"""The Retention page (manager): the dashboard item opens it at the record; a record under a
legal hold cannot be erased from it (buttons off, and the service refuses); keep one longer
and erase one through the forms, as a manager would."""

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QScrollArea

from app.services.casework import people
from app.services.lifecycle import decisions
from app.services.lifecycle import requests as erasure_requests
from tests.lifecycle.support import closed_case
from tests.ui.casework_support import make_workspace, wait_idle


def test_work_the_review_list(qtbot, session, ops, data_dir):
    held, _, _ = closed_case(session, born="2001-01-01", closed="2019-01-10", last="Heldfast")
    kept, _, _ = closed_case(session, born="2001-01-01", closed="2019-01-10", last="Keepmore")
    gone, _, _ = closed_case(session, born="2001-01-01", closed="2019-01-10", last="Goneaway")
    decisions.place_hold(session, held, "Letter of claim")
    workspace = make_workspace(qtbot, session, ops, data_dir)
    page = workspace.manager.open_item("retention", f"case:{held}")
    qtbot.waitUntil(lambda: page.model.rowCount() == 3 and page.table.selected() is not None)
    assert page.table.selected().record_id == held
    assert page.table.selected().blocked_by == ["a legal hold"]
    assert not page.erase_button.isEnabled() and not page.anonymise_button.isEnabled()
    assert page.extend_button.isEnabled()
    assert page.act("erase") is None

    page.table.select(f"case:{kept}")
    extend = page.act("extend")
    qtbot.waitExposed(extend)
    extend.reason.setPlainText("A tribunal appeal is expected")
    with qtbot.waitSignal(extend.finished, timeout=5000):
        extend.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)

    page.table.select(f"case:{gone}")
    dispose = page.act("erase")
    qtbot.waitExposed(dispose)
    assert "cannot be undone" in dispose.intro.text()
    dispose.reason.setPlainText("Past the retention schedule")
    with qtbot.waitSignal(dispose.finished, timeout=10000):
        dispose.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert session.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (gone,)).fetchone()[0] == 0
    assert session.conn.execute("SELECT count(*) FROM person WHERE last_name = 'Goneaway'").fetchone()[0] == 0


def test_the_review_list_is_read_on_the_worker_when_the_page_is_shown(qtbot, session, ops, data_dir):
    closed_case(session, born="2001-01-01", closed="2019-01-10", last="Readlater")
    workspace = make_workspace(qtbot, session, ops, data_dir)
    wait_idle(qtbot, ops)
    page = workspace.show_page("Retention")
    assert ops.busy and page.model.rowCount() == 0      # the window does not wait for the read
    wait_idle(qtbot, ops)
    assert page.model.rowCount() == 1


def test_register_refuse_and_carry_out_erasure_requests_from_the_page(qtbot, session, ops, data_dir):
    gone, parent, _ = closed_case(session, born="2001-01-01", closed="2019-01-10", last="Erasemenow")
    workspace = make_workspace(qtbot, session, ops, data_dir)
    page = workspace.manager.open_item("retention", "retention")
    wait_idle(qtbot, ops)                    # the page reads on the worker
    assert page.register_button.isEnabled() and not page.outcome_button.isEnabled()

    form = page.register_request()
    qtbot.waitExposed(form)
    form.requester.setText("Mabel Erasemenow")
    form.subject.choose(people.get_person(session, parent))
    with qtbot.waitSignal(form.finished, timeout=5000):
        form.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.request_model.rowCount() == 1)
    request = erasure_requests.list_requests(session)[0]
    assert request.subject_id == parent and "1 open" in page.requests_title.text()
    # The one still to answer is chosen already: the register is below the fold.
    assert page.requests.selected().id == request.id and page.outcome_button.isEnabled()

    other = erasure_requests.register(session, "2026-01-02", "Sam Refused")
    page.reload()
    page.requests.select(other.id)
    assert page.outcome_button.isEnabled()
    refusal = page.record_outcome()
    qtbot.waitExposed(refusal)
    refusal.outcome.setCurrentIndex(refusal.outcome.findData("refuse"))
    assert refusal.ground.isVisible() and not refusal.erase_words.isVisible()
    refusal.reason.setPlainText("The records are needed for a claim in progress.")
    refusal.ok_button.click()      # no ground chosen: said in words, nothing saved
    assert "Choose the ground" in refusal.errors._fields["refusal_ground"][1].text()
    refusal.ground.setCurrentIndex(refusal.ground.findData("legal_claims"))
    with qtbot.waitSignal(refusal.finished, timeout=5000):
        refusal.ok_button.click()
    wait_idle(qtbot, ops)
    assert erasure_requests.get_request(session, other.id).status == "refused"

    page.reload()
    page.requests.select(request.id)
    outcome = page.record_outcome()
    qtbot.waitExposed(outcome)
    assert outcome.outcome.currentData() == "erase"
    assert outcome.found.cases and "Erases everywhere" in outcome.erase_words.text()
    with qtbot.waitSignal(outcome.finished, timeout=10000):
        outcome.ok_button.click()
    wait_idle(qtbot, ops)
    assert erasure_requests.get_request(session, request.id).status == "erased"
    assert session.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (gone,)).fetchone()[0] == 0


def test_a_field_reached_by_its_key_below_the_fold_is_scrolled_into_view(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    workspace.resize(1366, 700)
    page = workspace.manager.open_item("retention", "retention")
    qtbot.waitUntil(lambda: page.isVisible())
    scroll = page.findChild(QScrollArea)
    assert scroll.verticalScrollBar().value() == 0
    page.case_years.setFocus()
    qtbot.waitUntil(lambda: page.case_years.hasFocus())
    where = page.case_years.mapTo(scroll.viewport(), QPoint(0, 0))
    assert scroll.viewport().rect().contains(where), "the field typed into must be on screen"
