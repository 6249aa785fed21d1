"""The search indexes are tidied while the window is idle (docs/security.md, "Search"): small
steps on the worker, quiet (the views do not grey their buttons at every step), and whoever
found the worker busy meanwhile still hears when it is free."""

import threading
from datetime import date

from app.services.casework import cases, notes, search_tidy
from tests.ui.conftest import unlock
from tests.unit.casework_helpers import family
from ui import search_tidy as tidy_ui
from ui.main_window import MainWindow


def test_an_idle_window_merges_the_search_segments_quietly(qtbot, ops, data_dir, vault, monkeypatch):
    # Failed before: nothing merged the segments that one note per save leaves behind.
    session = vault[0]
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    for i in range(40):
        notes.add_note(session, case.id, "phone_call", date.today(), 5, f"Tribunal call {i}")
    assert search_tidy.segment_counts(session)["note_search"] >= 3
    session.lock("test")
    monkeypatch.setattr(tidy_ui, "IDLE_MS", 300)
    monkeypatch.setattr(tidy_ui, "NEXT_MS", 10)
    monkeypatch.setattr(search_tidy.search_index, "TIDY_PAGES", 1)
    threads = []
    step = search_tidy.tidy_some

    def watched(s, pages=1):
        threads.append(threading.current_thread() is threading.main_thread())
        return step(s, pages)

    monkeypatch.setattr(search_tidy, "tidy_some", watched)
    main = MainWindow(data_dir, None, ops)
    qtbot.addWidget(main)
    main.show()
    s = unlock(qtbot, main)
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)
    announced = []
    ops.busyChanged.connect(announced.append)
    qtbot.waitUntil(lambda: bool(threads) and not main.workspace.search_tidy.more, timeout=20000)
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)
    assert len(threads) > 1 and not any(threads)          # several steps, none on the GUI thread
    assert True not in announced                           # quiet: no view greyed its buttons
    assert search_tidy.segment_counts(s)["note_search"] <= 2
    main.lock()


def test_a_quiet_task_tells_only_who_found_the_worker_busy(qtbot, ops):
    seen = []
    ops.busyChanged.connect(seen.append)
    gate = threading.Event()
    ops.run(lambda _p: gate.wait(5), quiet=True)
    gate.set()
    qtbot.waitUntil(lambda: not ops._running, timeout=5000)
    assert seen == []                     # nobody asked: nothing announced

    gate.clear()
    ops.run(lambda _p: gate.wait(5), quiet=True)
    assert ops.busy                       # the connection is taken: a caller must wait...
    gate.set()
    qtbot.waitUntil(lambda: seen == [False], timeout=5000)   # ...and hears when it is free

    seen.clear()
    gate.clear()
    ops.run(lambda _p: gate.wait(5), quiet=True)
    ops.run(lambda _p: None)              # a task the user started: the views show it
    assert seen == [True]
    gate.set()
    qtbot.waitUntil(lambda: seen == [True, False], timeout=5000)
