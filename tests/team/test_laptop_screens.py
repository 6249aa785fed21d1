"""The laptop's page and the office's "Cases on laptops" tab, offscreen."""

from datetime import date, timedelta

from app.services.reports import dashboard
from app.services.team import state
from app.storage.db import transaction
from tests.team.laptop_world import add_laptop, family_case, sync_all
from ui.operations import Operations
from ui.team.laptop_view import LaptopView
from ui.team.out_on_laptops import OutOnLaptopsTab
from ui.views.registers_view import RegistersView


def _late(session, ref):
    with transaction(session.conn):
        state.set_capture(session.conn, False)
        session.conn.execute("UPDATE case_checkout SET due_back = ? WHERE case_ref = ?",
                             ((date.today() - timedelta(days=1)).isoformat(), ref))
        state.set_capture(session.conn, True)


def test_laptop_page_and_office_tab(qtbot, make_team):
    from app.services.team.laptop import checkout

    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    (_, ref), (_, ref2) = family_case(office, "Hartley"), family_case(office, "Pryce")
    checkout.request(laptop, [ref, ref2])
    sync_all(team.hub, laptop, office, laptop)
    ops = Operations()
    page = LaptopView(laptop, ops)
    qtbot.addWidget(page)
    assert page.table.rowCount() == 2 and page.banner.isHidden() and page.in_button.isEnabled()
    # A check-in that stops (a conflict, the hub gone) leaves the cases here: the button comes
    # back when the task ends (seen greyed out for good in the two-window trial).
    page.set_busy(True)
    assert not page.in_button.isEnabled()
    page._failed(checkout.CheckoutError("Some changes clashed with the office's."))
    page.set_busy(False)
    assert page.in_button.isEnabled() and not page.error.isHidden()
    _late(laptop, ref)
    page.load()
    assert not page.banner.isHidden() and ref in page.banner.text()

    _late(office, ref)
    registers = RegistersView(office, ops)
    qtbot.addWidget(registers)
    # Failed before: built (and read on the window's thread) with the Registers page, which
    # most visits open for the paper files; now when its tab is first shown or asked for.
    assert registers.findChildren(OutOnLaptopsTab) == []
    labels = [registers.tabs.tabText(i) for i in range(registers.tabs.count())]
    assert labels[:2] == ["&Paper files", "Cases on &laptops"]
    registers.tabs.setCurrentIndex(1)
    tab = registers.tabs.currentWidget()
    assert tab is registers.laptops
    assert isinstance(tab, OutOnLaptopsTab)
    texts = [tab.table.item(r, 1).text() for r in range(tab.table.rowCount())]
    assert any(t.startswith("out on Laptop 1 with manager since") for t in texts)
    assert [tab.table.item(r, 2).text() for r in range(2)].count("Overdue") == 1
    sections = {s.key: s for s in dashboard.build_dashboard(office).sections}
    assert [i.severity for i in sections["cases_on_laptops"].items] == ["overdue", "info"]
    ops.shutdown()


def test_a_laptop_unlocks_into_its_page_with_the_sync_item(qtbot, make_team):
    """Seen in the two-window trial: unlocking a laptop raised KeyError ('This laptop' was not
    a menu section), so the sync item and the draft restorer never started there."""
    from ui.main_window import MainWindow

    team = make_team(1)
    laptop = add_laptop(team)
    ops = Operations()
    window = MainWindow(team.root / "Laptop_1", None, ops)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_session(laptop)
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)
    assert "This laptop" in window.menus.sections and window.menus.sections["This laptop"].isEnabled()
    # The item starts once the worker is idle (a page reading on the worker holds the connection).
    qtbot.waitUntil(lambda: window.sync_item is not None and window.sync_item.isVisible(), timeout=5000)
    window.menus.sections["This laptop"].trigger()
    assert window.workspace.stack.currentWidget() is window.workspace.pages["This laptop"]


def test_the_page_says_what_it_waits_for_and_when_it_arrived(qtbot, make_team):
    """Seen in the two-window trial: nothing was said during the wait for an office computer,
    and "Asked for …" stayed on screen after the case had arrived with a later sync."""
    from app.services.team.laptop import checkout

    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    _, ref = family_case(office, "Hartley")
    ops = Operations()
    page = LaptopView(laptop, ops)
    qtbot.addWidget(page)
    page.refs.setText(ref)
    # No office computer answers within the wait: the laptop only pushes its request.
    page._ask = lambda refs: (page.status.setText("Asking…"), page._out(checkout.check_out(
        laptop, refs, wait=0, sync=lambda s: sync_all(team.hub, s))))
    page.check_out()
    assert f"Asked for {ref}" in page.status.text() and page.refs.text() == ""
    sync_all(team.hub, office, laptop)            # the office answers; the laptop's next sync
    page.load()
    assert page.status.text() == f"On this laptop now: {ref}." and page.in_button.isEnabled()
    page._failed(checkout.CheckoutError("The hub cannot be reached."))
    assert page.status.isHidden() and not page.error.isHidden()
    ops.shutdown()


def test_a_check_in_closes_the_records_it_erased(qtbot, make_team):
    """Seen in the two-window trial: after check-in the case's tab still showed the family's
    names, consents and disclosures from memory, though the rows had left the laptop."""
    from app.services.team.laptop import checkout
    from ui.clipboard import SecretClipboard
    from ui.views.records_view import RecordsView

    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    case_id, ref = family_case(office, "Hartley")
    checkout.request(laptop, [ref])
    sync_all(team.hub, laptop, office, laptop)
    ops = Operations()
    records = RecordsView(laptop, ops, SecretClipboard())
    qtbot.addWidget(records)
    records.open_case(case_id)
    assert records.tabs.count() == 1
    ops.run(lambda _p: checkout.check_in(laptop, sync=lambda s: sync_all(team.hub, s, office, s)),
            changes=("sync", "checkout", "checkin"))
    qtbot.waitUntil(lambda: not ops.busy, timeout=10000)
    assert laptop.conn.execute("SELECT count(*) FROM casefile").fetchone()[0] == 0
    assert records.tabs.count() == 0 and not records.empty_holder.isHidden()
    ops.shutdown()


def test_the_office_case_says_it_is_out_on_a_laptop(qtbot, make_team):
    """Seen in the two-window trial: the office edited a case that was out on the laptop with
    nothing on its page to say so, and a conflict followed at check-in."""
    from app.services.team.laptop import checkout
    from ui.clipboard import SecretClipboard
    from ui.views.case_view import CaseView

    team = make_team(1)
    office = team.sessions[0]
    laptop = add_laptop(team)
    case_id, ref = family_case(office, "Hartley")
    other_id, _ = family_case(office, "Pryce")
    checkout.request(laptop, [ref])
    sync_all(team.hub, laptop, office, laptop)
    ops = Operations()
    shown = {}
    for name, session, cid in (("office", office, case_id), ("other", office, other_id), ("laptop", laptop, case_id)):
        view = CaseView(session, ops, SecretClipboard(), cid)
        qtbot.addWidget(view)
        view.open()
        qtbot.waitUntil(lambda: not ops.busy, timeout=10000)   # the case is read on the worker
        shown[name] = None if view.out_on_laptop.isHidden() else view.out_on_laptop.text()
    assert shown["office"].startswith("This case is out on Laptop 1 with manager since ")
    assert "conflict" in shown["office"]
    assert shown["other"] is None and shown["laptop"] is None
    ops.shutdown()
