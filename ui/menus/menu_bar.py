"""The menu bar built from ui/menus/entries.py. Every action is also added to the window, so
its shortcut works wherever the focus is. Whether an action is enabled follows the signed-in
person's role (the role matrix, through MenuEntry.allowed) and whether Confide is locked."""

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from app.domain.staff import Role
from ui.menus.entries import ENTRIES, GO, SEPARATOR, MenuEntry, section_allowed, section_shortcut


class AppMenus:
    def __init__(self, window: QMainWindow, run: Callable[[str], None]):
        self.window = window
        self.actions: dict[str, QAction] = {}
        self.entries: dict[str, MenuEntry] = {}
        self.menus: dict[str, QMenu] = {}
        self.sections: dict[str, QAction] = {}
        self.role: Role | None = None
        for entry in ENTRIES:
            menu = self._menu(entry.menu)
            if entry.key == SEPARATOR:
                menu.addSeparator()
                continue
            action = QAction(entry.label, window)
            if entry.keys_in_workspace:
                action.setText(f"{entry.label}\t{entry.shortcut}")
            elif entry.shortcut:
                action.setShortcut(QKeySequence(entry.shortcut))
            action.triggered.connect(lambda _checked=False, key=entry.key: run(key))
            menu.addAction(action)
            window.addAction(action)
            self.actions[entry.key], self.entries[entry.key] = action, entry
        self.update(None)

    def _menu(self, title: str) -> QMenu:
        if title not in self.menus:
            if title == "&Help":  # Go sits before Help, as in most desktop apps
                self._menu(GO)
            self.menus[title] = self.window.menuBar().addMenu(title)
        return self.menus[title]

    def set_sections(self, names: list[str], role: Role, show: Callable[[str], None]) -> None:
        """The Go menu: one action per section the workspace built, each with its own key."""
        self.clear_sections()
        go = self._menu(GO)
        for name in names:
            action = QAction(name.replace("&", "&&"), self.window)  # "Backup & restore": no mnemonic
            shortcut = section_shortcut(name)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.setEnabled(section_allowed(name, role))
            action.triggered.connect(lambda _checked=False, page=name: show(page))
            go.addAction(action)
            self.window.addAction(action)
            self.sections[name] = action

    def clear_sections(self) -> None:
        for action in self.sections.values():
            self._menu(GO).removeAction(action)
            self.window.removeAction(action)
            action.deleteLater()
        self.sections = {}

    def update(self, role: Role | None) -> None:
        """role None: locked. Only Quit, Help and About work then."""
        self.role = role
        for key, action in self.actions.items():
            entry = self.entries[key]
            if role is None:
                enabled = entry.while_locked
            else:
                enabled = entry.allowed(role)
            action.setEnabled(enabled)
