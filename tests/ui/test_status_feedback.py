"""The status bar says what matters: "saved" after every save (every topic any screen saves
under has words), the last backup, and why Confide locked."""

import re
from datetime import date
from pathlib import Path

from app.services.casework import cases, notes
from app.services.vault import backup
from tests.ui.conftest import unlock
from tests.unit.casework_helpers import family
from ui.status_feedback import QUIET, saved_words

UI = Path(__file__).resolve().parents[2] / "ui"
TOPICS = re.compile(r"changes=[{(]([^})]*)[})]")


def test_every_topic_a_screen_saves_under_gets_a_saved_message():
    topics = set()
    for path in UI.rglob("*.py"):
        for found in TOPICS.findall(path.read_text(encoding="utf-8")):
            topics |= set(re.findall(r'"(\w+)"', found))
    assert {"notes", "actions", "consent"} <= topics  # the scan sees the forms
    assert [t for t in sorted(topics - QUIET) if saved_words({t}) is None] == []
    assert saved_words({"enquiries", "cases", "people"}) == "Enquiry saved"
    assert saved_words({"sync", "checkout", "checkin"}) == "Cases checked in"   # not "check-out saved"
    assert saved_words({"retention", "retention_schedule"}) == "Retention schedule saved"   # not "review"


def test_status_bar_confirms_a_note_shows_the_last_backup_and_says_why_it_locked(qtbot, window, tmp_path):
    session = unlock(qtbot, window)
    bar = window.statusBar()
    assert window.feedback.backup_label.text() == "No backup yet"

    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    window.ops.run(lambda _p: notes.add_note(session, case.id, "phone_call", date.today(), 5, "Called back."),
                   changes={"notes"})
    qtbot.waitUntil(lambda: bar.currentMessage().startswith("Note saved at "), timeout=5000)

    window.ops.run(lambda p: backup.create_backup(session, tmp_path / "one.confide-backup", p), changes={"backup"})
    qtbot.waitUntil(lambda: window.feedback.backup_label.text().startswith("Last backup: "), timeout=10000)
    assert "Backup saved at" in bar.currentMessage()

    window.lock("idle")
    assert window.locked
    assert bar.currentMessage() == "Confide locked itself after 5 minutes without use."
    assert not window.feedback.backup_label.isVisible()


def test_a_message_is_never_cut_and_earlier_ones_can_be_read_again(qtbot, window):
    """At 1366 px the permanent items (signed in, key-file notice, backup) left "Note saved a";
    a message now wraps and the bar grows, and the Messages button lists what was said."""
    import re

    unlock(qtbot, window)
    window.resize(1366, 740)
    bar = window.statusBar()
    long = ("The laptop 'Field laptop 2' was removed from the team: it can read nothing written from now "
            "on, and the hub refuses what it sends. Its checked-out cases are released.")
    bar.showMessage("Note saved at 10:31.")
    bar.showMessage(long, 10_000)

    def whole(label) -> bool:
        return label.isVisible() and label.width() > 0 and label.heightForWidth(label.width()) <= label.height()

    qtbot.waitUntil(lambda: whole(bar.label), timeout=3000)
    assert bar.currentMessage() == long
    assert bar.label.height() > bar.label.fontMetrics().lineSpacing() * 1.5  # it wrapped, and has the room
    history = bar.open_history()
    qtbot.addWidget(history)
    lines = [history.list.item(i).text() for i in range(history.list.count())]
    assert lines[0].endswith(long) and re.fullmatch(r"\d\d:\d\d:\d\d  Note saved at 10:31\.", lines[1])
    window.lock("manual")
    assert not any("Note saved" in m.text for m in bar.history)  # a lock empties it
