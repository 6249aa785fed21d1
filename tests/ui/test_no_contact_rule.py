"""The no-contact rule runs by itself (docs/national.md, "Open, inactive and closed"): when the
manager or a caseworker signs in, on the worker thread, and again when the day changes while
Confide stays open; the status bar says which cases became inactive."""

import threading
from datetime import UTC, date, datetime

from app import clock
from app.services.casework import cases
from app.services.national import states
from tests.ui.conftest import unlock
from tests.unit.casework_helpers import family
from ui.main_window import MainWindow
from ui.no_contact_rule import NoContactRule


def _case(session, opened):
    parent, kid = family(session)
    return cases.open_case(session, parent.id, kid.id, level="level_2", opened_on=opened).id


def _status(session, case_id):
    return session.conn.execute("SELECT status FROM casefile WHERE id = ?", (case_id,)).fetchone()[0]


def test_signing_in_makes_old_cases_inactive_off_the_gui_thread_and_again_the_next_day(qtbot, ops, data_dir,
                                                                                      vault, monkeypatch):
    session = vault[0]
    old = _case(session, date(2026, 1, 5))
    later = _case(session, date(2026, 3, 1))
    threads = []
    sweep = states.sweep_automatically

    def watched(s, today=None):
        threads.append(threading.current_thread() is threading.main_thread())
        return sweep(s, today)

    monkeypatch.setattr(states, "sweep_automatically", watched)
    session.lock("test")
    main = MainWindow(data_dir, None, ops)
    qtbot.addWidget(main)
    main.show()
    with clock.frozen(datetime(2026, 5, 1, 9, tzinfo=UTC)):
        s = unlock(qtbot, main)
        qtbot.waitUntil(lambda: _status(s, old) == "inactive", timeout=5000)
        assert _status(s, later) == "open"                      # 61 days: not yet
        assert "1 case had no contact for 90 days and became inactive" in main.statusBar().currentMessage()
        main.workspace.no_contact_rule.run_if_new_day()          # the timer, later the same day
        qtbot.waitUntil(lambda: not ops.busy, timeout=5000)
    assert threads == [False]                                    # once, and never on the GUI thread
    main.workspace.no_contact_rule.today = lambda: clock.now().date()
    with clock.frozen(datetime(2026, 6, 2, 9, tzinfo=UTC)):
        main.workspace.no_contact_rule.run_if_new_day()          # the timer, a month on
        qtbot.waitUntil(lambda: _status(s, later) == "inactive", timeout=5000)
    assert threads == [False, False]
    assert [h.changed_on for h in states.state_history(s, later)][-1] == "2026-05-30"
    main.lock()


def test_the_workspace_is_shown_before_the_rule_starts_on_the_worker(qtbot, ops, data_dir, vault, monkeypatch):
    """The workspace's first show calls into Python hundreds of times; with the rule's loop
    running on the worker each call waited for Python's lock (a stall over 100 ms at 50,000
    cases with almost none of the window's CPU). So the rule starts once the workspace shows."""
    session = vault[0]
    session.lock("test")
    main = MainWindow(data_dir, None, ops)
    qtbot.addWidget(main)
    main.show()
    shown_at_start = []
    start = NoContactRule.start

    def watched(rule):
        shown_at_start.append(main.stack.currentWidget() is main.workspace and main.workspace.isVisible())
        start(rule)

    monkeypatch.setattr(NoContactRule, "start", watched)
    unlock(qtbot, main)
    assert shown_at_start == [True]
