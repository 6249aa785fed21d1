"""The team from the screens: the manager's Team page exists before the computer is in a
team and starts one (the hub's self-test first: a hub that fails gets nothing written);
inviting a laptop from the page and listing it as a laptop; joining with the device secret
in a file (no credential store here) and with another path to the hub."""

import shutil

from app.errors import CredentialStoreUnavailable
from app.services.team import membership, state
from ui.widgets import device_store_chooser


def _team_page(main):
    return main.workspace.pages["Team"]


def test_a_team_is_started_from_the_team_page_and_a_laptop_invited(qtbot, unlocked, tmp_path):
    main, ops = unlocked, unlocked.ops
    assert "Team" in main.workspace.pages and "Conflicts" not in main.workspace.pages
    page = main.workspace.show_page("Team")
    assert page.start_button.isVisible() and not page.table.isVisible()

    # A hub that fails its check (a server that does not answer): nothing is written.
    dialog = page.start_team()
    dialog.server.setChecked(True)
    dialog.location.setText("postgresql://confide@127.0.0.1:1/nohub")
    dialog.start_button.click()
    qtbot.waitUntil(lambda: not ops.busy and dialog.start_button.isEnabled(), timeout=30000)
    assert dialog.checks.isVisible() and "FAILED: server" in dialog.checks.text()
    assert "nothing was written" in dialog.errors._fields["hub"][1].text()
    assert not state.in_team(main.session.conn)

    hub = tmp_path / "hub"
    hub.mkdir()
    dialog.folder.setChecked(True)
    dialog.location.setText(str(hub))
    dialog.device.setText("Office computer 1")
    old = main.workspace
    dialog.start_button.click()
    qtbot.waitUntil(lambda: main.workspace is not old, timeout=120000)
    assert dialog.result_checks and all(c.ok for c in dialog.result_checks)
    assert state.in_team(main.session.conn) and (hub / "confide-hub.json").exists()
    assert "Conflicts" in main.workspace.pages and main.sync_item is not None
    page = _team_page(main)
    assert main.workspace.stack.currentWidget() is page
    assert page.table.isVisible() and not page.start_button.isVisible()
    assert page.table.item(0, 0).text() == "Office computer 1"

    invite = page.invite()
    qtbot.waitUntil(invite.isVisible, timeout=5000)
    invite.laptop.setChecked(True)
    invite.name.setText("Laptop 1")
    invite.path.setText(str(tmp_path / "laptop.invite"))
    invite.invite_button.click()
    qtbot.waitUntil(lambda: not ops.busy and invite.code.isVisible(), timeout=30000)
    invite.reject()
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=5000)
    kinds = {page.table.item(r, 0).text(): page.table.item(r, 1).text() for r in range(2)}
    assert kinds == {"Office computer 1": "Manager's computer", "Laptop 1": "Laptop"}


def test_joining_keeps_the_device_secret_in_a_file_and_takes_another_path_to_the_hub(
        qtbot, ops, session, tmp_path, monkeypatch):
    from tests.conftest import PASSPHRASE
    from ui.team.join_dialog import JoinDialog

    hub = tmp_path / "hub"
    hub.mkdir()
    membership.create(session, str(hub), "Northshire SENDIASS")
    code = membership.invite(session, "Office computer 2", tmp_path / "two.invite")
    # This computer reaches the same hub by another path (a share mounted elsewhere).
    elsewhere = tmp_path / "mounted" / "hub"
    elsewhere.parent.mkdir()
    shutil.copytree(hub, elsewhere)

    def no_store(self):
        raise CredentialStoreUnavailable("No credential store is available on this computer. If this computer "
                                         "cannot have one, use --device-key-file.")

    monkeypatch.setattr(device_store_chooser.KeyringStore, "check_available", no_store)
    dialog = JoinDialog(tmp_path / "two", None, ops)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.store.opt_in.isVisible() and "tick the box below" in dialog.store.status.text()
    joined = []
    dialog.joined.connect(joined.append)
    dialog.file.setText(str(tmp_path / "two.invite"))
    dialog.code.setText(code)
    dialog.username.setText("manager")
    dialog.passphrase.edit.setText(PASSPHRASE)
    dialog.join_button.click()     # nothing chosen for the device secret: said, nothing made
    assert "tick the box" in dialog.errors._fields["store"][1].text()
    assert not (tmp_path / "two").exists() or not any((tmp_path / "two").iterdir())

    key_file = tmp_path / "keys" / "device.key"
    key_file.parent.mkdir()
    dialog.store.opt_in.setChecked(True)
    dialog.store.path.setText(str(key_file))
    dialog.hub.setText(str(elsewhere))
    dialog.join_button.click()
    qtbot.waitUntil(lambda: bool(joined), timeout=60000)
    two = joined[0]
    try:
        assert two.vault.device_store == "file" and two.vault.device_key_file == str(key_file)
        assert key_file.exists() and two.device_store.weaker
        assert membership.hub_location(two) == str(elsewhere)
        assert two.vault.service_name == session.vault.service_name
    finally:
        two.lock("test")
