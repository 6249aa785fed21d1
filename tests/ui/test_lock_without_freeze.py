"""Locking never freezes the window (docs/architecture.md, "Locking without a freeze"): the
screen is cleared at once on the window's thread, the database is closed on the worker, and
no unlock is taken until it is closed. Held open here by a slow step at lock (a colleague's
compartments being written, a checkpoint on a busy disk), what an onlooker could read or do
meanwhile is attacked."""

import threading

import pytest

from app.errors import Locked
from tests.ui.conftest import unlock


def test_the_database_closes_on_the_worker_with_the_screen_already_cleared(qtbot, window):
    session = unlock(qtbot, window)
    staff_view = window.workspace.show_page("Staff")
    assert staff_view.model.rowCount() == 1
    release, closing_on = threading.Event(), []
    # Runs while the connection is still open, on the thread that closes it.
    session.before_lock(lambda: (closing_on.append(threading.get_ident()), release.wait(10)))

    window.lock("manual")      # returns at once: the slow close waits on the worker

    assert window.ops.busy and not release.is_set()
    assert session.locked and window.locked
    with pytest.raises(Locked):
        _ = session.conn      # nothing on the window's thread reads through it any more
    assert window.stack.currentWidget() is window.unlock_view and not window.workspace.isVisible()
    assert staff_view.model.rowCount() == 0
    assert window.user_label.text() == "Locked"
    view = window.unlock_view
    assert not view.unlock_button.isEnabled() and view.unlock_button.text() == "Locking…"
    view.passphrase.setEnabled(True)     # even forced open, an unlock is not started meanwhile
    view.username.setText("manager")
    view.passphrase.setText("anything at all")
    view.unlock()
    assert window.session is session

    release.set()
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=5000)
    assert closing_on and closing_on[0] != threading.get_ident()
    assert session._conn is None and not any(session._data_key)
    assert view.unlock_button.isEnabled() and view.unlock_button.text() == "Unlock"
    assert view.username.text() == "manager" and view.passphrase.text() == ""

    again = unlock(qtbot, window)
    assert again is not session and not again.locked
    assert window.workspace.show_page("Staff").model.rowCount() == 1
