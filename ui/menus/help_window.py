"""F1: the help window. Short how-tos from resources/help.md and the list of shortcuts,
made from the same entries as the menus so the two never disagree. A window of its own (not
a web page, nothing fetched) that does not block the main window."""

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app import resources
from ui.menus.entries import ENTRIES, SEPARATOR, section_shortcut

HELP_TEXT = resources.path("help.md")


def shortcut_lines(sections: list[str]) -> list[tuple[str, str]]:
    """(keys, what they do), in the order of the menus, then the sections."""
    lines = [(QKeySequence(e.shortcut).toString(QKeySequence.SequenceFormat.NativeText), e.help)
             for e in ENTRIES if e.key != SEPARATOR and e.shortcut and e.help]
    lines += [(section_shortcut(name), f"Go to {name}") for name in sections if section_shortcut(name)]
    return lines


def help_markdown(sections: list[str]) -> str:
    """May raise: OSError when the help text is missing from the installation."""
    table = "\n".join(f"| **{keys}** | {what} |" for keys, what in shortcut_lines(sections))
    return (HELP_TEXT.read_text(encoding="utf-8")
            + "\n\n## Keyboard shortcuts\n\n| Keys | What they do |\n|---|---|\n" + table + "\n")


class HelpWindow(QDialog):
    def __init__(self, sections: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Confide help")
        self.setModal(False)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Help")
        self.browser.setOpenExternalLinks(False)
        try:
            self.browser.setMarkdown(help_markdown(sections))
        except OSError:
            self.browser.setPlainText("The help text is missing from this installation of Confide.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.browser, 1)
        column.addWidget(buttons)
        # Fits a 1366x768 screen with the task bar: the text scrolls inside.
        self.resize(720, 600)
