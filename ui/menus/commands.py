"""What each menu entry does, in the main window: the menus name a key (ui/menus/entries.py),
this runs it. Actions on a case (note, action, consent) go to the case open in Records; with
none open the status bar says how to open one."""

from PySide6.QtWidgets import QMainWindow

from app import __version__
from ui.dialogs import messages
from ui.menus.help_window import HelpWindow

STATUS_MS = 8000
CASE_TABS = {"new_note": ("notes", "add"), "new_action": ("actions", "add"),
             "record_consent": ("consent", "record_consent")}


class MenuCommands:
    def __init__(self, window: QMainWindow):
        self.window = window
        self.help_window: HelpWindow | None = None

    def run(self, key: str):
        """Returns what the command opened (a dialog or a page), for tests; None otherwise."""
        window = self.window
        if key == "quit":
            return window.close()
        if key == "help":
            return self.show_help()
        if key == "about":
            return messages.inform(window, "About Confide", f"Confide {__version__}\nOffline, encrypted "
                                   "casework for SEND Information, Advice and Support Services.")
        if window.locked or window.workspace is None:
            return None
        workspace = window.workspace
        if key == "lock":
            return window.lock("manual")
        if key == "change_passphrase":
            return window.change_passphrase()
        if key == "new_enquiry":
            return workspace.casework.new_enquiry()
        if key == "find":
            return workspace.casework.find()
        if key == "backup":
            return workspace.show_page("Backup & restore")
        if key == "sync":
            if window.sync_item is None or not window.sync_item.active:
                window.statusBar().showMessage("This computer is not part of a team: there is nothing to sync.",
                                               STATUS_MS)
                return None
            return window.sync_item.sync()
        if key == "hub_location":
            if window.sync_item is None or not window.sync_item.active:
                window.statusBar().showMessage("This computer is not part of a team: it has no hub.", STATUS_MS)
                return None
            return window.change_hub_location()
        if key == "print":
            return self.print_page()
        if key in CASE_TABS:
            return self.on_open_case(*CASE_TABS[key])
        raise KeyError(key)

    def show_help(self) -> HelpWindow:
        if self.help_window is None:
            workspace = self.window.workspace
            sections = list(workspace.pages) if workspace is not None and not self.window.locked else []
            self.help_window = HelpWindow(sections, self.window)
            self.help_window.finished.connect(self._help_closed)
        self.help_window.show()
        self.help_window.raise_()
        return self.help_window

    def _help_closed(self) -> None:
        if self.help_window is not None:
            self.help_window.deleteLater()
            self.help_window = None

    def print_page(self):
        page = self.window.workspace.stack.currentWidget()
        printer = getattr(page, "print", None)
        if printer is None:
            self.window.statusBar().showMessage(
                "Nothing on this page prints. Reports print from Reports; a consent record from its case.",
                STATUS_MS)
            return None
        return printer()

    def on_open_case(self, tab_name: str, method: str):
        casework = self.window.workspace.casework
        view = casework.records.tabs.currentWidget()
        if view is None or getattr(view, "kind", None) != "case" or view.case is None:
            self.window.statusBar().showMessage(
                "Open a case first: from Home, Cases or Search (Ctrl+F).", STATUS_MS)
            return None
        if view.loading:
            self.window.statusBar().showMessage("The case is still being read: try again in a moment.", STATUS_MS)
            return None
        casework.showPage.emit("Records")
        return getattr(view.show_tab(tab_name), method)()
