"""The Retention page (manager): the dashboard item opens it at the record; a record under a
legal hold cannot be erased from it (buttons off, and the service refuses); keep one longer
and erase one through the forms, as a manager would."""

from app.services.lifecycle import decisions
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
