"""The SAR workbench: register a request from a parent, confirm identity, review (include or
leave out, redact a selection, accept suggested names), then generate the pack on the worker
with progress, while the window keeps responding, or cancel it with nothing written."""

import io
import threading
from datetime import date

from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer

from app.services.casework import safeguarding
from app.services.sar import pack as sar_pack
from app.services.sar import register as sar
from app.services.sar import review as sar_review
from tests.ui.casework_support import make_workspace, pick, wait_idle
from tests.ui.manager_support import OTHER_FAMILY, casework, overdue_file, ready_request
from ui.dialogs import messages
from ui.models import sar_table_model as cols
from ui.views import sar_review_view


def sar_page(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    page = workspace.show_page("Access requests")
    qtbot.waitUntil(lambda: not page.refresher.stale, timeout=3000)    # its rows: the next turn
    return workspace, page


def test_register_a_request_from_a_parent_then_confirm_identity(qtbot, session, ops, data_dir):
    parent, kid, _case = casework(session)
    _workspace, page = sar_page(qtbot, session, ops, data_dir)
    dialog = page.register()
    qtbot.waitExposed(dialog)
    assert pick(qtbot, dialog.subject, "Ellie").id == kid.id
    dialog.kind.setCurrentIndex(dialog.kind.findData("parent"))
    assert dialog.requester.isVisible() and not dialog.name_row.isVisible() and dialog.authority_row.isVisible()
    dialog.ok_button.click()
    assert "Find the parent" in dialog.errors._fields["requester_id"][1].text()
    assert pick(qtbot, dialog.requester, "Dana").id == parent.id
    dialog.authority.setPlainText("Letter signed by Dana Hartley")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.selected() is not None, timeout=3000)
    request = page.selected()
    assert request.requester_kind == "parent" and request.status == "awaiting_id"
    assert page.model.index(page.model.row_of(request.id), cols.TIMELINESS).data() == "Clock paused"
    buttons = page.detail.buttons
    assert buttons["identity"].isVisible() and not buttons["generate"].isVisible()

    dialog = page.act("identity")
    dialog.method.setText("Passport seen at the office")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.selected().status == "in_review", timeout=3000)
    assert page.selected().due_on and buttons["review"].isVisible() and buttons["young_person"].isVisible()

    messages.set_next_answer(True)
    page.act("young_person")
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.selected().young_person_agreed == 1, timeout=3000)

    dialog = page.act("extend")
    dialog.reason.setPlainText("Over 2,000 notes to review")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.selected().status == "extended", timeout=3000)


def open_review(qtbot, page, ops, request):
    assert page.select(request.id)
    review = page.act("review")
    assert page.stack.currentWidget() is review
    qtbot.waitUntil(lambda: review.review is not None and not ops.busy, timeout=5000)
    return review


def test_review_include_exclude_and_redact_a_selection(qtbot, session, ops, data_dir):
    parent, _kid, case = casework(session)
    safeguarding.raise_concern(session, case.id, date.today(), "Concern about home.")
    request = ready_request(session, parent)
    _workspace, page = sar_page(qtbot, session, ops, data_dir)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    review = open_review(qtbot, page, ops, request)

    concern = next(i for i in review.review.items if i.kind == "safeguarding")
    row = review._rows[concern.key]
    assert row.text(0).startswith("Decide: ") and row.font(0).bold()  # stands out until decided
    assert review.current_item() is concern  # the first item to decide is shown first
    assert not review.generate_button.isEnabled() and "1 item needs your decision" in review.summary.text()
    review.panel.exclude_button.click()
    wait_idle(qtbot, ops)
    assert not row.text(0).startswith("Decide") and row.checkState(0) == Qt.CheckState.Unchecked
    # Every item decided: the review can be completed, and only then is a pack offered.
    assert review.complete_button.isEnabled() and not review.generate_button.isEnabled()
    assert review.complete()
    wait_idle(qtbot, ops)
    assert review.generate_button.isEnabled() and "Review completed" in review.summary.text()
    assert sar.get_sar(session, request.id).review_completed_by == session.user.username

    # Untick and tick an ordinary item: each is recorded.
    enquiry_note = next(i for i in review.review.items if i.kind == "note")
    note_row = review._rows[enquiry_note.key]
    note_row.setCheckState(0, Qt.CheckState.Unchecked)
    wait_idle(qtbot, ops)
    assert not enquiry_note.included and enquiry_note.decided
    note_row.setCheckState(0, Qt.CheckState.Checked)
    wait_idle(qtbot, ops)
    assert enquiry_note.included
    stored = {i.key: i.included for i in sar_review.load_review(session, request.id, suggestions=False).items}
    assert stored[concern.key] is False and stored[enquiry_note.key] is True

    # Select the other family's name in the note and redact it as third-party information.
    review.select(enquiry_note.key)
    body = review.panel.editors["body"]
    start = enquiry_note.field("body").text.index(OTHER_FAMILY)
    assert body.map.to_qt(start, start) == (start, start)
    assert not review.panel.redact_button.isEnabled()
    body.select_span(start, start + len(OTHER_FAMILY))
    assert review.panel.redact_button.isEnabled()
    review.panel.redact_button.click()
    dialog = review.redact_dialog
    assert dialog.isVisible() and OTHER_FAMILY in dialog.words.text()
    dialog.reason.setCurrentIndex(dialog.reason.findData("other"))
    dialog.ok_button.click()
    wait_idle(qtbot, ops)
    assert "Say which exemption" in dialog.errors._fields["note"][1].text()
    dialog.reason.setCurrentIndex(dialog.reason.findData("third_party"))
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    [mark] = [r for r in review.review.redactions if r.item_key == enquiry_note.key]
    assert mark.redacted_text == OTHER_FAMILY and body.redacted_spans == [(start, start + len(OTHER_FAMILY))]
    assert review.panel.redactions.count() == 1 and "third-party" in review.panel.redactions.item(0).text()
    assert "[1 redacted]" in note_row.text(0)
    assert not any(s.text == OTHER_FAMILY for s in review.review.suggestions)  # the suggestion is used up

    review.panel.redactions.setCurrentRow(0)
    review.panel.remove_button.click()
    wait_idle(qtbot, ops)
    assert review.panel.redactions.count() == 0 and body.redacted_spans == []
    assert sar_review.load_review(session, request.id, suggestions=False).redactions == []


def test_suggested_names_are_listed_before_they_are_redacted(qtbot, session, ops, data_dir):
    parent, _kid, _case = casework(session)
    request = ready_request(session, parent)
    _workspace, page = sar_page(qtbot, session, ops, data_dir)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    review = open_review(qtbot, page, ops, request)
    assert "(1)" in review.suggest_button.text()
    dialog = review.accept_suggestions()
    assert dialog.list.count() == 1 and OTHER_FAMILY in dialog.list.item(0).text()
    assert "coffee morning" in dialog.list.item(0).text()  # the words around it
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: review.review is not None and not ops.busy, timeout=5000)
    assert [r.redacted_text for r in review.review.redactions] == [OTHER_FAMILY]
    assert review.review.suggestions == [] and not review.suggest_button.isEnabled()


def test_generate_the_pack_with_progress_while_the_window_keeps_responding(qtbot, session, ops, data_dir,
                                                                          tmp_path, monkeypatch):
    parent, _kid, _case = casework(session, extra_notes=150)  # many pages: many progress steps
    request = ready_request(session, parent)
    sar_review.accept_suggestions(session, request.id, sar_review.load_review(session, request.id))
    sar_review.complete_review(session, request.id)
    workspace, page = sar_page(qtbot, session, ops, data_dir)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.select(request.id)
    dialog = page.act("generate")
    qtbot.waitExposed(dialog)
    # The worker is held in the middle of laying out the pages until the GUI thread has
    # handled five timer ticks: if the layout ran on the GUI thread (or held it), no tick
    # could arrive and the wait would fail. No wall-clock figure is asserted.
    real_render = sar_pack.render_pack
    in_layout, ticked = threading.Event(), threading.Event()
    on_main_thread, ticks_during_layout, progress = [], [], []

    def render_held(content, today, step, cancelled):
        def step_held(value, text):
            step(value, text)
            if not in_layout.is_set():
                on_main_thread.append(threading.current_thread() is threading.main_thread())
                in_layout.set()
                assert ticked.wait(30), "the GUI thread never ticked while the pages were laid out"
        return real_render(content, today, step_held, cancelled)

    def tick():
        if in_layout.is_set():
            ticks_during_layout.append(1)
            if len(ticks_during_layout) >= 5:
                ticked.set()

    monkeypatch.setattr(sar_pack, "render_pack", render_held)
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    dialog.progress.valueChanged.connect(progress.append)
    out = tmp_path / "pack.pdf"
    timer.start()
    assert dialog.start(out)
    assert not workspace.nav.isEnabled()  # busy: one task at a time
    qtbot.waitUntil(lambda: dialog.outcome == "done", timeout=60000)  # a bound on a hang, not a figure
    timer.stop()
    assert on_main_thread == [False] and ticked.is_set()
    # Steps in between, not a count of them: how many distinct values arrive depends on the
    # pack's layout passes and on how the worker's signals are coalesced.
    assert progress == sorted(progress) and progress[-1] == 100 and len([p for p in progress if 0 < p < 100]) >= 2

    result = dialog.result
    assert dialog.panel.password.text() == result.password and dialog.panel.sha256.text() == result.sha256
    assert dialog.panel.isVisible() and dialog.sent_button.isVisible()
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert reader.trailer["/Encrypt"]["/R"] == 6 and reader.decrypt(result.password)
    assert OTHER_FAMILY not in "".join(p.extract_text() for p in reader.pages)

    dialog.sent_button.click()  # record as sent, straight from the result
    sent = page.mark_sent_dialog
    sent.method.setCurrentText("Secure email")
    with qtbot.waitSignal(sent.finished, timeout=5000):
        sent.ok_button.click()
    wait_idle(qtbot, ops)
    assert sar.get_sar(session, request.id).status == "sent"
    assert sar_pack.disclosures(session, request.id)[0].sent_method == "Secure email"


def test_cancel_stops_generation_and_writes_nothing(qtbot, session, ops, data_dir, tmp_path, monkeypatch):
    parent, _kid, _case = casework(session)
    request = ready_request(session, parent)
    sar_review.complete_review(session, request.id)
    _workspace, page = sar_page(qtbot, session, ops, data_dir)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.select(request.id)

    # Hold the worker just before layout until Cancel has been pressed, so the test does
    # not race the worker.
    cancel_pressed = threading.Event()
    build = sar_review.build_content

    def held_build(*args, **kwargs):
        cancel_pressed.wait(5)
        return build(*args, **kwargs)

    monkeypatch.setattr(sar_pack.sar_review, "build_content", held_build)
    dialog = page.act("generate")
    out = tmp_path / "pack.pdf"
    assert dialog.start(out)
    dialog.cancel_button.click()  # Cancel while running asks the worker to stop
    assert dialog.isVisible() and dialog.cancel_flag.is_set() and "Cancelling" in dialog.step.text()
    cancel_pressed.set()
    qtbot.waitUntil(lambda: dialog.outcome == "cancelled", timeout=5000)
    assert "No file was written" in dialog.step.text()
    assert not out.exists() and sar_pack.disclosures(session, request.id) == []
    dialog.cancel_button.click()  # now it closes
    assert not dialog.isVisible()


def test_generate_from_the_list_leads_to_the_review_until_it_is_complete(qtbot, session, ops, data_dir, tmp_path):
    parent, _kid, case = casework(session)
    safeguarding.raise_concern(session, case.id, date.today(), "Concern about home.")
    request = ready_request(session, parent)
    _workspace, page = sar_page(qtbot, session, ops, data_dir)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.select(request.id)
    review = page.act("generate")
    assert page.stack.currentWidget() is review is page.review
    qtbot.waitUntil(lambda: review.review is not None and not ops.busy, timeout=5000)
    assert review.notice.isVisible() and "only from a completed review" in review.notice.text()
    assert not review.complete_button.isEnabled() and not review.generate_button.isEnabled()
    assert sar_pack.disclosures(session, request.id) == []


def test_a_pack_is_made_again_from_its_record_of_disclosure(qtbot, session, ops, data_dir, tmp_path):
    parent, _kid, case = casework(session)
    request = ready_request(session, parent)
    sar_review.complete_review(session, request.id)
    first = sar_pack.generate_pack(session, request.id, tmp_path / "first.pdf", password="open-sesame-2026")
    _workspace, page = sar_page(qtbot, session, ops, data_dir)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.select(request.id)
    assert page.detail.buttons["regenerate"].isVisible()
    dialog = page.act("regenerate")
    assert dialog.record.isVisible() and dialog.record.currentData() == first.disclosure_id
    assert "again" in dialog.heading.text()
    out = tmp_path / "again.pdf"
    assert dialog.start(out)
    qtbot.waitUntil(lambda: dialog.outcome == "done", timeout=10000)
    assert dialog.panel.isVisible() and not dialog.sent_button.isVisible()

    def words(path, password):
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        assert reader.decrypt(password)
        return [p.extract_text() for p in reader.pages]

    assert words(out, dialog.result.password) == words(tmp_path / "first.pdf", "open-sesame-2026")
    dialog.reject()


def test_locking_empties_the_managers_pages_and_closes_the_pack_dialog(qtbot, window):
    from tests.ui.conftest import unlock

    session = unlock(qtbot, window)
    parent, _kid, _case = casework(session)
    paper = overdue_file(session)
    request = ready_request(session, parent)
    sar_review.complete_review(session, request.id)
    workspace = window.workspace
    page = workspace.show_page("Access requests")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.select(request.id)
    dialog = page.act("generate")
    registers = workspace.show_page("Registers")
    qtbot.waitUntil(lambda: registers.paper_files.model.row_of(paper.id) >= 0, timeout=3000)
    dashboard = workspace.show_page("Dashboard")
    qtbot.waitUntil(lambda: dashboard.dashboard is not None and not window.ops.busy, timeout=5000)

    window.lock("manual")
    assert session.locked and not dialog.isVisible()
    assert page.model.rowCount() == 0 and registers.paper_files.model.rowCount() == 0
    assert dashboard.dashboard is None and dashboard.section_list("paper_files_overdue").count() == 0
    assert workspace.pages["Reports"].report is None


def test_a_parent_asking_about_a_17_year_old_records_the_young_persons_authority(qtbot, session, ops, data_dir):
    from app.services.casework import people
    from tests.unit.casework_helpers import adult, child

    today = date.today()
    teen = child(session, "Jordan", "Reeve", born=date(today.year - 17, 1, 1).isoformat())
    mum = adult(session, "Kerry", "Reeve")
    people.link_relationship(session, mum.id, teen.id, "mother", True)
    _workspace, page = sar_page(qtbot, session, ops, data_dir)
    dialog = page.register()
    qtbot.waitExposed(dialog)
    pick(qtbot, dialog.subject, "Jordan")
    dialog.kind.setCurrentIndex(dialog.kind.findData("parent"))
    pick(qtbot, dialog.requester, "Kerry")
    assert dialog.child.choice.isVisible() and dialog.child.note.isVisible()
    dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: "Jordan Reeve is 17" in dialog.errors._fields["child_authority"][1].text(), timeout=3000)
    assert dialog.isVisible() and sar.list_sars(session) == []
    dialog.child.choice.setCurrentIndex(dialog.child.choice.findData("young_person"))
    dialog.child.note.setPlainText("Jordan signed the request letter too.")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.selected() is not None, timeout=3000)
    assert page.selected().child_authority == "young_person"
    assert page.detail.buttons["authority"].isVisible()
    facts = [page.detail.facts.itemAt(i).widget().text() for i in range(page.detail.facts.count())
             if page.detail.facts.itemAt(i).widget() is not None]
    assert any("The young person's authority: Jordan signed" in f for f in facts)


def test_the_manager_states_transfers_outside_the_uk_in_settings(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    page = workspace.show_page("Settings")
    transfers = page.transfers
    assert transfers.none.isChecked() and not transfers.where.isEnabled()
    transfers.some.setChecked(True)
    assert transfers.where.isEnabled()
    transfers.where.setText("Email hosting in the United States")
    transfers.safeguard.setCurrentText("")
    transfers.save()
    wait_idle(qtbot, ops)
    assert transfers.error.isVisible() and "which safeguard" in transfers.error.text()
    transfers.safeguard.setCurrentIndex(1)
    transfers.save()
    wait_idle(qtbot, ops)
    assert transfers.status.isVisible() and "United States" in transfers.status.text()
    from app.services.sar import settings as sar_settings

    assert sar_settings.transfers(session).safeguard == "International Data Transfer Agreement (IDTA)"


def test_the_dashboard_opens_a_request_hidden_by_open_only_at_that_request(qtbot, session, ops, data_dir):
    """Unticking 'Open requests only' reloads the register at once; the request asked for must
    be the one selected by that reload (it was left for a later reload, so a withdrawn request
    opened from the dashboard showed another one)."""
    parent, _kid, _case = casework(session)
    closed = ready_request(session, parent)
    sar.withdraw(session, closed.id)
    still_open = ready_request(session, parent)
    _workspace, page = sar_page(qtbot, session, ops, data_dir)
    wait_idle(qtbot, ops)
    page.open_only.setChecked(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.select(still_open.id) and page.selected().id == still_open.id
    page.show_request(closed.id)
    wait_idle(qtbot, ops)
    assert not page.open_only.isChecked()
    assert page.selected() is not None and page.selected().id == closed.id


def test_clarification_records_what_was_asked_and_the_answer_and_due_says_the_clock_stopped(
        qtbot, session, ops, data_dir):
    """Asking for clarification recorded only a date, and while waiting Due said "Not started"
    although identity was confirmed and the clock had been running."""
    parent, _kid, _case = casework(session)
    request = ready_request(session, parent)
    due = date.fromisoformat(request.due_on)
    _workspace, page = sar_page(qtbot, session, ops, data_dir)
    assert page.select(request.id)
    dialog = page.act("ask_clarification")
    qtbot.waitExposed(dialog)
    dialog.ok_button.click()
    assert "what you asked" in dialog.errors._fields["clarification_question"][1].text().lower()
    dialog.words.setPlainText("Which school years do you mean: all of them, or only Year 9?")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.selected().status == "awaiting_clarification", timeout=3000)
    row = page.model.row_of(request.id)
    assert page.model.index(row, cols.DUE).data() == f"Clock stopped (was {due:%d/%m/%Y})"
    facts = " ".join(label.text() for label in page.detail.findChildren(type(dialog.heading)))
    assert "only Year 9?" in facts
    assert "Not started" not in facts

    dialog = page.act("clarification_received")
    qtbot.waitExposed(dialog)
    shown = " ".join(label.text() for label in dialog.findChildren(type(dialog.heading)))
    assert "only Year 9?" in shown  # the question, above the answer box
    dialog.words.setPlainText("Only Year 9, from September to July.")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: page.selected().status == "in_review", timeout=3000)
    kept = sar.get_sar(session, request.id).clarifications()
    assert [(c.question, c.answer) for c in kept] == [
        ("Which school years do you mean: all of them, or only Year 9?", "Only Year 9, from September to July.")]
    facts = " ".join(label.text() for label in page.detail.findChildren(type(dialog.heading)))
    assert "Only Year 9, from September to July." in facts
    assert date.fromisoformat(page.selected().due_on) > due  # the paused day is added on


def test_the_review_screen_is_built_when_a_review_is_first_opened(qtbot, session, ops, data_dir):
    """Building the review screen with the register held the window as the page opened."""
    from ui.views.sar_review_view import SarReviewView

    parent, _kid, _case = casework(session)
    request = ready_request(session, parent)
    _workspace, page = sar_page(qtbot, session, ops, data_dir)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert page.findChildren(SarReviewView) == []
    page.clear()            # a lock empties a page whose review was never opened
    page.set_busy(False)
    page.refresher.mark_stale()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    review = open_review(qtbot, page, ops, request)
    assert page.findChildren(SarReviewView) == [review] and page.stack.currentWidget() is review


def test_a_long_review_adds_its_rows_a_few_per_turn_of_the_event_loop(qtbot, session, ops, data_dir, monkeypatch):
    # Failed before: every row of the review was made and painted in the one turn that
    # received it (gui_day at 50,000 cases: 2,000 items, stalls of 130-330 ms, most of it the
    # window's own CPU). Now FILL_ROWS a turn; the buttons wait for the last one, and what
    # needs a decision is shown first once its row is there.
    parent, _kid, case = casework(session)
    safeguarding.raise_concern(session, case.id, date.today(), "Concern about home.")
    request = ready_request(session, parent)
    monkeypatch.setattr(sar_review_view, "FILL_ROWS", 2, raising=False)
    in_the_turn = []       # what the turn that received the review had built when it ended
    received = sar_review_view.SarReviewView._loaded

    def loaded(view, review):
        received(view, review)
        in_the_turn.append((len(view._rows), view.loading, view.complete_button.isEnabled()))
    monkeypatch.setattr(sar_review_view.SarReviewView, "_loaded", loaded)
    _workspace, page = sar_page(qtbot, session, ops, data_dir)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert page.select(request.id)
    review = page.act("review")
    qtbot.waitUntil(lambda: bool(in_the_turn), timeout=5000)
    items = len(review.review.items)
    assert items > 4
    assert in_the_turn == [(2, True, False)]
    qtbot.waitUntil(lambda: not review.loading, timeout=5000)
    assert len(review._rows) == items
    concern = next(i for i in review.review.items if i.kind == "safeguarding")
    assert review.current_item() is concern and review.next_button.isEnabled()
