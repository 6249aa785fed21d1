"""The menu bar, walked as each role: every entry is reachable from a menu, enabled exactly
when the role matrix lets the role call its function, and the Go menu offers the sections the
workspace built for that role, each with its own fixed key. Locked, only Quit and Help work."""

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTabWidget

from app.domain.staff import Role
from tests.unit.casework_helpers import add_worker, family
from tests.unit.consent_helpers import family_case
from ui.main_window import MainWindow
from ui.menus.entries import ENTRIES, SECTION_KEYS, SECTIONS, SEPARATOR, allows, section_allowed
from ui.menus.help_window import HelpWindow

TEAM_ONLY = {"Conflicts", "Team", "This laptop"}  # built only on a computer in a team (a laptop)


def _reachable(window) -> dict[str, object]:
    """Every action a person can reach by opening the menus, by its text."""
    found = {}
    for top in window.menuBar().actions():
        for action in top.menu().actions():
            if not action.isSeparator():
                found[action.text()] = action
    return found


def _session_as(role, session, data_dir):
    if role == Role.MANAGER:
        return session
    other = add_worker(session, data_dir, f"{role.value[:3]}x", role=role.value)
    session.lock("test")
    return other


@pytest.fixture
def open_window(qtbot, ops, data_dir):
    def make(session):
        window = MainWindow(data_dir, None, ops)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.open_session(session)
        qtbot.waitUntil(lambda: not ops.busy, timeout=5000)
        return window
    return make


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASEWORKER, Role.VOLUNTEER])
def test_every_action_is_in_a_menu_and_enabled_by_the_role_matrix(qtbot, open_window, session, data_dir, role):
    window = open_window(_session_as(role, session, data_dir))
    reachable = _reachable(window)
    for entry in ENTRIES:
        if entry.key == SEPARATOR:
            continue
        action = window.menus.actions[entry.key]
        assert action in reachable.values(), entry.label
        expected = entry.function is None or allows(role, entry.function)
        assert action.isEnabled() == expected, (role, entry.key)
    # The role decides: the manager alone backs up; a volunteer records no note or consent.
    assert window.menus.actions["backup"].isEnabled() == (role == Role.MANAGER)
    assert window.menus.actions["new_note"].isEnabled() == (role != Role.VOLUNTEER)
    assert window.menus.actions["new_enquiry"].isEnabled()

    pages = list(window.workspace.pages)
    assert list(window.menus.sections) == pages
    assert all(section_allowed(name, role) for name in pages)
    offered = {name for name in SECTIONS if section_allowed(name, role)} - TEAM_ONLY
    assert offered <= set(pages), f"sections the role may use but cannot reach: {offered - set(pages)}"
    # "&" in a section's name is shown, not taken for a mnemonic ("Backup _restore").
    assert window.menus.sections["Backup & restore"].text() == "Backup && restore"
    for name in pages:
        assert window.menus.sections[name].shortcut().toString() == SECTION_KEYS[name]


def test_locked_only_quit_and_help_work(qtbot, open_window, session):
    window = open_window(session)
    window.lock("manual")
    enabled = {key for key, action in window.menus.actions.items() if action.isEnabled()}
    assert enabled == {"quit", "help", "about"}
    assert window.menus.sections == {}


def test_keyboard_reaches_sections_help_and_the_case_menu(qtbot, open_window, session):
    window = open_window(session)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    pages = list(window.workspace.pages)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.stack.currentWidget() is window.workspace.pages["Cases"]

    qtbot.keyClick(window, Qt.Key.Key_F1)
    helper = window.commands.help_window
    assert isinstance(helper, HelpWindow) and helper.isVisible()
    text = helper.browser.toPlainText()
    assert "Ctrl+Shift+N" in text and f"Go to {pages[1]}" in text and "Record a phone call" in text
    assert "Alt+6" in text and "Go to Backup & restore" in text
    helper.close()

    # New note with no case open says how to open one; with a case open it opens the note form.
    window.menus.actions["new_note"].trigger()
    assert "Open a case first" in window.statusBar().currentMessage()
    parent, kid = family(session)
    from app.services.casework import cases

    case = cases.open_case(session, parent.id, kid.id)
    window.workspace.open_record("case", case.id)
    window.commands.run("new_note")          # while the case is read on the worker: says so
    assert "still being read" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=5000)
    dialog = window.commands.run("new_note")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert QApplication.activeModalWidget() is dialog or dialog.isVisible()
    dialog.reject()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CASEWORKER])
def test_each_section_keeps_its_key_whatever_the_role(qtbot, open_window, session, data_dir, role):
    """Ctrl+1…0 went by position, so Ctrl+3 was Cases for a caseworker and Enquiries for a
    manager. Every section has one key of its own, never shared, whoever is signed in."""
    assert len(set(SECTION_KEYS.values())) == len(SECTION_KEYS) and set(SECTION_KEYS) == set(SECTIONS)
    window = open_window(_session_as(role, session, data_dir))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    for name, action in window.menus.sections.items():
        assert action.shortcut().toString() == SECTION_KEYS[name]
    for key, name in ((Qt.Key.Key_3, "Cases"), (Qt.Key.Key_2, "Enquiries"), (Qt.Key.Key_1, "Home")):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.workspace.stack.currentWidget() is window.workspace.pages[name], name
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.AltModifier)
    assert window.workspace.stack.currentWidget() is window.workspace.pages["Backup & restore"]


def test_help_lists_the_same_section_keys():
    """resources/help.md names the Alt keys in words: the list agrees with SECTION_KEYS, so a
    section added on one branch and a key added on another cannot drift apart."""
    import re

    from app import resources

    text = " ".join(resources.path("help.md").read_text(encoding="utf-8").split())
    named = re.findall(r"\b((?:Ctrl|Alt)\+\d) ([^,;(]+)", text)
    assert named
    for key, words in named:
        assert any(words.startswith(name) for name, bound in SECTION_KEYS.items() if bound == key), (key, words)
    for name, key in SECTION_KEYS.items():
        if key.startswith("Alt+"):
            assert f"{key} {name}" in text, (key, name)


def test_help_explains_working_as_a_team(qtbot):
    """F1 said one line about teams: it now says how to start one, invite, join, sync, resolve
    a conflict, check out and check in, in the words the screens use."""
    helper = HelpWindow(["Home", "Team", "Conflicts", "This laptop"])
    qtbot.addWidget(helper)
    text = helper.browser.toPlainText()
    for words in ("Working as a team", "Start a team", "Invite a computer", "Join a team", "one-time code",
                  "Ctrl+Shift+S", "Conflicts", "mine", "theirs", "Resolve", "Check out", "Check in",
                  "This laptop", "Go to Team"):
        assert words in text, words


def _mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&\s])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def test_no_button_or_field_on_a_page_takes_a_menu_bar_key(qtbot, open_window, session):
    """Alt+R on the Retention page opened the Record menu instead of pressing "E&rase
    everywhere…", and what the manager typed next went to the menu's own keys. Every page, and
    an open case with all its tabs, is checked."""
    fam = family_case(session)
    window = open_window(session)
    taken = {_mnemonic(a.text()) for a in window.menuBar().actions()} - {None}
    assert taken, "the menu bar has keys"
    clashes = []
    for name in list(window.workspace.pages):
        page = window.workspace.show_page(name)
        qtbot.waitUntil(lambda: not window.ops.busy, timeout=5000)
        if name == "Records":
            window.workspace.open_record("case", fam.case.id)
            qtbot.waitUntil(lambda: not window.ops.busy, timeout=5000)
        for widget in page.findChildren(QAbstractButton) + page.findChildren(QLabel):
            key = _mnemonic(widget.text())
            if key in taken:
                clashes.append(f"{name}: {widget.text()!r}")
        if name == "Records":
            tabs = page.findChildren(QTabWidget)
            clashes += [f"{name}: tab {t.tabText(i)!r}" for t in tabs for i in range(t.count())
                        if _mnemonic(t.tabText(i)) in taken]
    assert clashes == [], "\n".join(clashes)
