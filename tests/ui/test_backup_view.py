"""Backup on the worker thread (the event loop keeps turning), restore after locking, verify."""

import threading

from PySide6.QtCore import QTimer

from app.services.vault import backup
from tests.conftest import PASSPHRASE
from ui.dialogs import files
from ui.views.backup_view import suggested_backup_name


def backup_view(window):
    return window.workspace.show_page("Backup & restore")


def test_backup_runs_on_a_worker_while_the_event_loop_keeps_turning(qtbot, unlocked, tmp_path, monkeypatch):
    real = backup.create_backup
    ticks = []
    release = threading.Event()
    seen_threads = []

    def slow_backup(session, path, progress):
        seen_threads.append(threading.current_thread() is threading.main_thread())
        manifest = real(session, path, progress)
        # Hold the worker until the GUI thread has handled several timer ticks.
        assert release.wait(5), "the GUI thread never ticked while the backup ran"
        return manifest

    monkeypatch.setattr(backup, "create_backup", slow_backup)
    ticker = QTimer()
    ticker.timeout.connect(lambda: (ticks.append(1), len(ticks) >= 5 and release.set()))
    ticker.start(10)

    view = backup_view(unlocked)
    target = tmp_path / "out" / "weekly"
    target.parent.mkdir()
    files.set_next_path(target)
    view.backup_button.click()
    assert view.progress.isVisible()
    assert not view.backup_button.isEnabled() and not unlocked.workspace.nav.isEnabled()
    qtbot.waitUntil(lambda: view.backup_status.isVisible(), timeout=5000)
    ticker.stop()

    assert seen_threads == [False]
    assert len(ticks) >= 5
    saved = target.with_name("weekly.confide-backup")
    assert saved.exists() and "Backup saved" in view.backup_status.text()
    assert str(saved) in view.backup_status.text()
    assert view.backup_button.isEnabled() and not view.progress.isVisible()


def test_the_suggested_file_name(qtbot):
    import datetime

    assert suggested_backup_name(datetime.date(2025, 3, 4)) == "confide-backup-2025-03-04.confide-backup"


def test_a_failed_backup_says_why(qtbot, unlocked, tmp_path):
    view = backup_view(unlocked)
    files.set_next_path(tmp_path / "no such folder" / "b.confide-backup")
    view.backup_button.click()
    qtbot.waitUntil(lambda: view.backup_status.isVisible(), timeout=5000)
    assert "The backup was not made" in view.backup_status.text()
    assert "does not exist" in view.backup_status.text()


def test_cancelling_the_file_chooser_does_nothing(qtbot, unlocked):
    view = backup_view(unlocked)
    files.set_next_path(None)
    view.backup_button.click()
    assert not unlocked.ops.busy and not view.progress.isVisible()


def test_restore_locks_first_then_returns_to_the_unlock_screen(qtbot, unlocked, tmp_path, data_dir):
    session = unlocked.session
    saved = tmp_path / "b.confide-backup"
    backup.create_backup(session, saved)
    view = backup_view(unlocked)
    files.set_next_path(saved)
    dialog = view.restore()
    assert dialog.username.text() == "manager"
    dialog.passphrase.setText(PASSPHRASE)
    dialog.ok_button.click()
    assert session.locked  # locked before anything is replaced
    qtbot.waitUntil(lambda: unlocked.unlock_view.notice.isVisible(), timeout=5000)
    assert unlocked.stack.currentWidget() is unlocked.unlock_view
    assert "Restored b.confide-backup" in unlocked.unlock_view.notice.text()
    assert list(data_dir.glob("replaced-*"))
    assert not unlocked.restore_progress.isVisible()


def test_restore_with_a_wrong_passphrase_keeps_everything(qtbot, unlocked, tmp_path, data_dir):
    saved = tmp_path / "b.confide-backup"
    backup.create_backup(unlocked.session, saved)
    files.set_next_path(saved)
    dialog = backup_view(unlocked).restore()
    dialog.passphrase.setText("not the passphrase at all")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: unlocked.unlock_view.error.isVisible(), timeout=5000)
    assert "was not restored" in unlocked.unlock_view.error.text()
    assert not list(data_dir.glob("replaced-*"))


def test_verify_shows_its_report(qtbot, unlocked):
    view = backup_view(unlocked)
    dialog = view.verify()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: view.report.isVisible(), timeout=5000)
    assert view.report.toPlainText().startswith("All checks passed.")
    unlocked.lock()
    assert view.report.toPlainText() == ""


def test_the_manager_takes_a_checkpoint_and_changes_the_key(qtbot, unlocked, data_dir):
    from app.security import audit
    from app.security.keyslots import VaultFile
    from ui.dialogs import messages

    view = backup_view(unlocked)
    view.checkpoint_button.click()
    assert view.checkpoint_text.isVisible()
    taken = audit.parse_checkpoint(view.checkpoint_text.text())
    row = unlocked.session.conn.execute("SELECT hash FROM audit_event WHERE seq = ?", (taken["seq"],)).fetchone()
    assert row[0] == taken["hash"]

    before = VaultFile.load(data_dir / "vault.json").key_id
    messages.set_next_answer(True)
    view.rekey_button.click()
    qtbot.waitUntil(lambda: "new key" in view.keys_status.text(), timeout=10000)
    assert VaultFile.load(data_dir / "vault.json").key_id != before
    assert unlocked.session.conn.execute("SELECT count(*) FROM staff").fetchone()[0] >= 1


def test_a_checkpoint_is_checked_from_the_verify_button_not_the_command_line(qtbot, unlocked):
    """The page told people at the window to run 'confide verify --checkpoint' beside its own
    Verify button: the checkpoint is now typed into Verify."""
    view = backup_view(unlocked)
    words = " ".join(label.text() for label in view.findChildren(type(view.checkpoint_text)))
    assert "confide " not in words and "--" not in words
    view.checkpoint_button.click()
    taken = view.checkpoint_text.text()
    dialog = view.verify()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.checkpoint.setText(taken)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: view.report.isVisible(), timeout=5000)
    assert "Matches the checkpoint" in view.report.toPlainText()
    dialog = view.verify()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.checkpoint.setText("not a checkpoint")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.errors._fields["checkpoint"][1].isVisible(), timeout=5000)
    dialog.guard.mark_clean()
    dialog.reject()


def test_the_consent_record_names_its_wording_in_words(session):
    """"consent_mailing_list v1" was shown: a file name, not something a person reads."""
    from tests.unit.consent_helpers import TODAY, family_case, verbal
    from ui.dialogs.consent_dialogs import record_facts

    consent = verbal(session, family_case(session), "mailing_list")
    facts = dict(record_facts(consent, TODAY))
    assert facts["Wording"] == 'Version 1 of the service\'s wording for "Mailing list"'
    assert "consent_" not in " ".join(v for v in facts.values() if v)


def test_on_a_short_window_the_backup_cards_scroll_rather_than_squash(qtbot, unlocked):
    from PySide6.QtWidgets import QFrame, QScrollArea

    view = backup_view(unlocked)
    unlocked.resize(1000, 560)
    scroll = view.findChild(QScrollArea)
    assert scroll is not None
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0, timeout=3000)
    for card in view.findChildren(QFrame, "card"):
        if card.isVisible():
            assert card.height() >= card.minimumSizeHint().height(), card
