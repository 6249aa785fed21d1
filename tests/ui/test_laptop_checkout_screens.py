"""A laptop, through its screens: Home says the caseworker's cases are in the office and
offers check-out; the check-out lists their open cases with boxes to tick; one case is
checked in alone and the other stays. An office computer and a laptop meet through a folder
hub; the office's syncs are run by a timer here, as its own window's would."""

import pytest
from PySide6.QtCore import Qt, QTimer

from app.security.device import KeyringStore
from app.services.team import membership
from app.services.team.laptop import checkout
from tests.conftest import PASSPHRASE
from tests.team.laptop_world import family_case
from ui.dialogs import messages
from ui.team import laptop_view
from ui.team.laptop_view import LaptopView
from ui.views.home_view import HomeView


@pytest.fixture
def office_and_laptop(tmp_path, vault):
    office = vault[0]
    hub = tmp_path / "hub"
    hub.mkdir()
    membership.create(office, str(hub), "Northshire SENDIASS")
    code = membership.invite(office, "Laptop 1", tmp_path / "laptop.invite", laptop=True)
    laptop = membership.join(tmp_path / "laptop", tmp_path / "laptop.invite", code, "manager", PASSPHRASE,
                             KeyringStore())
    yield office, laptop
    for s in (office, laptop):
        if not s.locked:
            s.lock("test")


def _office_syncing(office):
    """The office computer's own sync timer, as its window would run it."""
    timer = QTimer()
    timer.setInterval(300)
    timer.timeout.connect(lambda: membership.sync(office))
    timer.start()
    return timer


def test_home_offers_check_out_the_list_is_ticked_and_one_case_checks_in_alone(qtbot, ops, office_and_laptop,
                                                                              monkeypatch):
    office, laptop = office_and_laptop
    refs = [family_case(office, name)[1] for name in ("Hartley", "Pryce", "Lowe")]
    membership.sync(office)
    assert next(d for d in membership.device_list(office) if d.name == "Laptop 1").laptop

    home = HomeView(laptop, ops)
    qtbot.addWidget(home)
    home.show()
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)   # shown: Home reads on the worker
    home.reload()
    assert home.office_row.isVisible() and home.checkout_button.isVisible()
    assert "stay in the office until you check them out" in home.office_cases.text()
    assert home.my_cases.empty.text().startswith("No case is checked out to this laptop")
    # The list asked for at Home travels at the laptop's sync; the office answers at its own.
    membership.sync(laptop)
    membership.sync(office)
    membership.sync(laptop)
    home.reload()
    assert home.office_cases.text().startswith("3 open cases of yours are in the office, not on this laptop")

    page = LaptopView(laptop, ops)
    qtbot.addWidget(page)
    page.show()
    dialog = page.choose()
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    labels = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert len(labels) == 3 and labels[0].startswith(f"{refs[0]} · Mabel Hartley for Owen Hartley")
    for i in (0, 1):
        dialog.list.item(i).setCheckState(Qt.CheckState.Checked)
    monkeypatch.setattr(laptop_view, "WAIT_SECONDS", 15.0)
    timer = _office_syncing(office)
    try:
        dialog.ok.click()
        qtbot.waitUntil(lambda: not ops.busy and page.table.rowCount() == 2, timeout=30000)
        assert {page.table.item(r, 0).text() for r in range(2)} == {refs[0], refs[1]}
        assert page.table.item(0, 1).text() == "On this laptop"

        home.reload()
        assert home.office_cases.text().startswith("1 open case of yours is in the office")
        assert home.my_cases.count() == 2

        row = next(r for r in range(2) if page.table.item(r, 0).text() == refs[0])
        page.table.selectRow(row)
        assert page.in_one_button.isEnabled()
        messages.set_next_answer(True)
        page.in_one_button.click()
        qtbot.waitUntil(lambda: not ops.busy and page.table.rowCount() == 1, timeout=90000)
    finally:
        timer.stop()
    assert page.table.item(0, 0).text() == refs[1]
    assert f"Checked in: {refs[0]}" in page.status.text()
    assert [c.ref for c in checkout.my_cases(laptop).cases if c.here] == [refs[1]]


def test_a_case_on_the_laptop_opens_from_its_row(qtbot, ops, office_and_laptop):
    """The page listed the cases here, but the only way into one was back through Cases."""
    office, laptop = office_and_laptop
    case_id, ref = family_case(office, "Hartley")
    membership.sync(office)

    def both(session):  # the office answers at its own sync, here in step with the laptop's
        membership.sync(office)
        return membership.sync(session)

    checkout.check_out(laptop, [ref], wait=30.0, sync=both)
    page = LaptopView(laptop, ops)
    qtbot.addWidget(page)
    page.show()
    page.load()
    assert page.table.item(0, 1).text() == "On this laptop"
    page.table.selectRow(0)
    with qtbot.waitSignal(page.openRequested, timeout=2000) as opened:
        page.table.itemActivated.emit(page.table.item(0, 0))
    assert opened.args == ["case", case_id]
