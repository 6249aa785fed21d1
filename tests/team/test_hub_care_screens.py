"""Check, repair and void from the screens (docs/sync.md §15): the stopped computer's status
bar offers Repair, the computer holding the copy puts the entry back through the dialog,
and a manager voids an entry nobody holds, with no terminal anywhere."""

from app.services.team import membership, state
from app.services.team import team as team_service
from app.services.team.sync import sync_now
from app.storage.hub import folder as folder_mod
from app.storage.hub.folder import FolderHub
from tests.team.conftest import new_vault
from tests.team.replica import rows_of, seed_case
from tests.team.test_hub_repair import HUB_TEAM, _note, age, entry_file
from ui.dialogs import messages
from ui.operations import Operations
from ui.team.sync_status import SyncStatusItem
from ui.team.team_view import TeamView


def _two_offices(tmp_path, template_root):
    hub = FolderHub(tmp_path / "hub", HUB_TEAM, create=True)
    a = new_vault(template_root, tmp_path / "office1")
    team_service.create_team(a, hub, "Northshire SENDIASS", team_id=HUB_TEAM)
    b = new_vault(template_root, tmp_path / "office2")
    team_service.join_team(b, hub, team_service.invite_device(a, hub, "office2"))
    for s in (a, b):
        membership.save_location(s, HUB_TEAM, str(hub.root))
    return hub, a, b


def _status(qtbot, session, ops) -> SyncStatusItem:
    item = SyncStatusItem(session, ops)
    qtbot.addWidget(item)
    item.show()
    item.refresh()
    return item


def test_a_damaged_entry_is_repaired_from_the_writers_screen(qtbot, tmp_path, template_root):
    hub, a, b = _two_offices(tmp_path, template_root)
    case_id = seed_case(a)
    _note(a, case_id, "Visit with the SENCo")
    sync_now(a, FolderHub(hub.root, HUB_TEAM))
    n = hub.head()
    path = entry_file(hub, n)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10
    path.write_bytes(bytes(data))
    age(path, folder_mod.TORN_GRACE_SECONDS + 60)
    ops = Operations()

    assert sync_now(b, FolderHub(hub.root, HUB_TEAM)).blocked
    stopped = _status(qtbot, b, ops)
    assert stopped.repair_button.isVisible() and stopped.label.text().startswith("Sync stopped")
    dialog = stopped.open_repair()
    qtbot.waitUntil(lambda: "problem" in dialog.summary.text(), timeout=10_000)
    assert "holds no copy" in dialog.findings.item(0).text()

    # The writer finds its own entry damaged at its next sync and repairs from its screen.
    told = sync_now(a, FolderHub(hub.root, HUB_TEAM)).blocked
    assert told and "This computer holds its own copy of that entry" in told
    writer = _status(qtbot, a, ops)
    assert writer.repair_button.isVisible() and writer.label.text().startswith("Sync stopped")
    fixing = writer.open_repair()
    qtbot.waitUntil(lambda: fixing.repair_button.isEnabled() and "problem" in fixing.summary.text(),
                    timeout=10_000)
    fixing.repair_button.click()
    qtbot.waitUntil(lambda: "Put back 1 entry" in fixing.summary.text(), timeout=10_000)
    assert "The hub is whole" in fixing.summary.text()

    assert sync_now(b, FolderHub(hub.root, HUB_TEAM)).blocked is None
    stopped.refresh()
    assert not stopped.repair_button.isVisible()
    assert "Visit with the SENCo" in {r[0] for r in b.conn.execute("SELECT body FROM note")}
    assert rows_of(a) == rows_of(b)
    ops.shutdown()


def test_a_manager_voids_an_entry_nobody_holds_from_the_team_page(qtbot, tmp_path, template_root, monkeypatch):
    hub, a, b = _two_offices(tmp_path, template_root)
    n = hub.append(hub.head() + 1, "not-a-computer-of-ours", "bundle", b"CFB1" + b"\x02" * 200).seq
    for s in (a, b):
        assert sync_now(s, FolderHub(hub.root, HUB_TEAM)).blocked
    ops = Operations()
    page = TeamView(a, ops)
    qtbot.addWidget(page)
    dialog = page.check_hub()
    qtbot.waitUntil(lambda: "problem" in dialog.summary.text(), timeout=10_000)
    assert dialog.void_box.isVisibleTo(dialog) and dialog.entry.value() == n

    before = hub.head()
    dialog.void_button.click()          # no reason: refused in words, nothing written
    assert "Say why" in dialog.error.text() and hub.head() == before
    dialog.reason.setText("Not written by any computer of ours")
    monkeypatch.setattr(messages, "ask", lambda *a, **k: True)
    dialog.void_button.click()
    qtbot.waitUntil(lambda: "is voided" in dialog.summary.text(), timeout=10_000)
    for s in (a, b, a):     # b says it is no longer stopped; a reads that too
        assert sync_now(s, FolderHub(hub.root, HUB_TEAM)).blocked is None
    assert state.last_applied(a.conn) == state.last_applied(b.conn) > n
    page.load()
    assert not any(d.blocked for d in page.devices)
    ops.shutdown()


def test_a_caseworker_sees_no_void(qtbot, tmp_path, template_root):
    hub, a, b = _two_offices(tmp_path, template_root)
    ops = Operations()
    item = _status(qtbot, b, ops)
    b.user = b.user.__class__(**{**b.user.__dict__, "role": b.user.role.__class__("caseworker")})
    dialog = item.open_repair()
    assert not dialog.void_box.isVisibleTo(dialog)
    ops.shutdown()
