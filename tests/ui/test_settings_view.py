"""Settings: a manager changes the auto-lock delay; the idle timer follows at once."""

import threading

from app.services import settings
from app.services.vault import staff
from tests.conftest import OTHER_PASSPHRASE
from tests.ui.conftest import unlock


def test_a_manager_changes_auto_lock(qtbot, unlocked):
    view = unlocked.workspace.show_page("Settings")
    assert view.minutes.value() == 5
    view.minutes.setValue(12)
    view.save_button.click()
    qtbot.waitUntil(lambda: view.status.isVisible(), timeout=3000)
    assert settings.auto_lock_minutes(unlocked.session) == 12
    assert unlocked.inactivity.timeout() == 12 * 60_000


def test_a_manager_turns_off_reading_received_pdfs_from_the_settings_page(qtbot, unlocked):
    """The setting existed only as a function: no screen could change it."""
    view = unlocked.workspace.show_page("Settings")
    card = view.document_text
    assert card.read_words.isChecked() and card.save_button.isVisible()
    card.read_words.setChecked(False)
    card.save_button.click()
    qtbot.waitUntil(lambda: card.status.isVisible(), timeout=3000)
    assert settings.document_text_search(unlocked.session) is False
    assert "title and source only" in card.status.text()


def test_others_see_it_but_cannot_change_it(qtbot, unlocked):
    staff.add_staff(unlocked.session, "cworker", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    unlocked.lock()
    unlock(qtbot, unlocked, "cworker", OTHER_PASSPHRASE)
    dialog = unlocked.forced_dialog
    dialog.current.setText(OTHER_PASSPHRASE)
    dialog.new.edit.setText("casey picks a new sentence")
    dialog.new.confirm.setText("casey picks a new sentence")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: unlocked.workspace.session.user.username == "cworker", timeout=5000)
    view = unlocked.workspace.show_page("Settings")
    assert not view.minutes.isEnabled() and not view.save_button.isVisible()
    assert view.manager_only.isVisible()
    assert "Staff" not in unlocked.workspace.pages
    assert not unlocked.workspace.backup_view.restore_button.isEnabled()
    # Each control they cannot change is disabled, says why, and looks disabled.
    transfers = view.transfers
    for widget in (view.minutes, view.document_text.read_words, transfers.none, transfers.some, transfers.where, transfers.safeguard,
                   unlocked.workspace.backup_view.backup_button, unlocked.workspace.backup_view.restore_button):
        assert not widget.isEnabled() and "manager" in widget.toolTip(), widget.accessibleName()
        assert "manager" in widget.accessibleDescription()
    assert transfers.manager_only.isVisible() and view.document_text.manager_only.isVisible()
    assert not view.document_text.save_button.isVisible()


def test_a_disabled_choice_looks_disabled_under_the_style_sheet(qtbot):
    """The base colour of every widget kept a disabled radio button or check box as dark as an
    enabled one: it looked usable and ignored clicks."""
    from PySide6.QtWidgets import QCheckBox, QRadioButton, QVBoxLayout, QWidget

    from ui.application import load_style_sheet

    holder = QWidget()
    holder.setStyleSheet(load_style_sheet())
    column = QVBoxLayout(holder)
    shown = {}
    for kind in (QRadioButton, QCheckBox):
        for enabled in (True, False):
            widget = kind("Transfers outside the UK")
            widget.setEnabled(enabled)
            column.addWidget(widget)
            shown[kind, enabled] = widget
    qtbot.addWidget(holder)
    holder.show()
    qtbot.waitExposed(holder)

    def darkest(widget) -> int:
        image = widget.grab().toImage()
        return min(image.pixelColor(x, y).lightness() for x in range(40, image.width(), 2)
                   for y in range(image.height()))

    for kind in (QRadioButton, QCheckBox):
        assert darkest(shown[kind, False]) > darkest(shown[kind, True]) + 40, kind.__name__


def test_a_scroll_bar_handle_is_darker_than_its_track(qtbot):
    """The white handle in a grey groove read upside down."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QScrollBar

    from ui.application import load_style_sheet

    bar = QScrollBar(Qt.Orientation.Vertical)
    bar.setStyleSheet(load_style_sheet())
    bar.setRange(0, 100)
    bar.setPageStep(20)
    bar.setValue(0)
    bar.resize(14, 300)
    qtbot.addWidget(bar)
    bar.show()
    qtbot.waitExposed(bar)
    image = bar.grab().toImage()
    handle = image.pixelColor(7, 20).lightness()      # the handle sits at the top (value 0)
    track = image.pixelColor(7, 280).lightness()      # the empty track at the bottom
    assert handle < track - 40, (handle, track)



def test_a_selected_list_row_is_light_so_its_marks_stay_readable(qtbot):
    """A dark mark on Fusion's dark-blue selection could not be seen."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QListWidget, QListWidgetItem

    from ui.application import load_style_sheet

    listing = QListWidget()
    listing.setStyleSheet(load_style_sheet())
    item = QListWidgetItem("Annual review")
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Checked)
    listing.addItem(item)
    listing.resize(300, 80)
    qtbot.addWidget(listing)
    listing.show()
    listing.setCurrentRow(0)
    listing.setFocus()
    qtbot.waitExposed(listing)
    image = listing.viewport().grab().toImage()
    rect = listing.visualItemRect(item)
    background = image.pixelColor(rect.right() - 4, rect.center().y())
    assert background.lightness() > 180, background.name()


def test_a_manager_saves_a_letter_template_as_a_new_version(qtbot, unlocked):
    from app.services.documents import letters

    view = unlocked.workspace.show_page("Settings")
    cards = view.templates
    cards.choice.setCurrentIndex(cards.choice.findData("case_closure"))
    assert cards.version.text().startswith("Version 1") and "{recipient_name}" in cards.body.toPlainText()
    cards.body.setPlainText("Dear {recipient_name},\n\nWe have closed case {case_reference}.\n\n{worker_name}")
    cards.save_button.click()
    qtbot.waitUntil(lambda: cards.status.isVisible(), timeout=5000)
    assert letters.current_template(unlocked.session, "case_closure").version == 2
    assert cards.version.text().startswith("Version 2, saved by")


def test_the_cards_below_the_fold_come_a_turn_after_the_page_and_wait_for_the_worker(qtbot, unlocked):
    """The page in one turn held the window; its lower cards (read on this thread) are built in
    a later turn, never while a task holds the connection, and then take the busy state."""
    ops = unlocked.ops
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)
    release = threading.Event()
    ops.run(lambda _p: release.wait(5))
    view = unlocked.workspace.show_page("Settings")
    assert view.minutes.isVisible() and view._lower is None
    qtbot.wait(50)
    assert view._lower is None              # the worker still holds the connection
    release.set()
    qtbot.waitUntil(lambda: view._lower is not None, timeout=3000)
    qtbot.waitUntil(lambda: view.templates.save_button.isEnabled() or not view.templates.save_button.isVisible(),
                    timeout=3000)
    assert view.transfers.isVisible() and view.templates.isVisible() and view.appearance.isVisible()
