"""A computer stopped before an entry it cannot apply says so on screen, in words and in red
(docs/sync.md §4): the status bar of the stopped computer, and the Team page of a manager."""

from app.services.team import state
from app.services.team.sync import sync_now
from ui.operations import Operations
from ui.team.sync_status import BLOCKED_RED, SyncStatusItem
from ui.team.team_view import TeamView, status_words


def test_the_status_bar_turns_red_with_words_and_the_team_page_lists_the_block(qtbot, make_team):
    team = make_team(2)
    a, b = team.sessions
    sync_now(b, team.hub)
    n = team.hub.force("bundle", state.get(a.conn, "device_id"), b"CFB1" + b"\x00" * 300).seq
    assert sync_now(b, team.hub).blocked
    ops = Operations()
    item = SyncStatusItem(b, ops)
    qtbot.addWidget(item)
    item.refresh()
    assert item.label.text() == f"Sync stopped at hub entry {n}, written by computer 'Office computer 1'"
    assert f"hub entry {n}, written by computer 'Office computer 1'" in item.label.toolTip()
    assert BLOCKED_RED in item.label.styleSheet()

    # The manager's computer: stopped too, and its Team page says who is stopped by what.
    assert sync_now(a, team.hub).blocked
    page = TeamView(a, ops)
    qtbot.addWidget(page)
    words = {d.name: status_words(d) for d in page.devices}
    assert all(w.startswith(f"Sync stopped: stopped at hub entry {n}") for w in words.values()), words
    row = [d.name for d in page.devices].index("computer2")
    assert page.table.item(row, 2).foreground().color().name() == BLOCKED_RED
    ops.shutdown()
