"""What the menu bar offers, as data: each entry names the service function whose role rule
(app/domain/role_matrix.py) decides whether the signed-in person may use it, so the menus
never keep a second table of who may do what. The Go menu's sections are listed here too,
each with a shortcut of its own that never changes with the role or the computer.

Plain Python (no Qt): tests read it without a window.
"""

import importlib
from dataclasses import dataclass

from app.domain import role_matrix
from app.domain.staff import Role


@dataclass(frozen=True)
class MenuEntry:
    menu: str              # the menu's title, with its mnemonic
    key: str               # the window's handler for it (MenuHandlers.run)
    label: str
    shortcut: str = ""
    function: str | None = None  # "module.function" in app.services; None: anyone signed in
    while_locked: bool = False   # usable with the unlock screen showing (Quit, Help)
    help: str = ""               # one line for the help window's shortcut list
    # The workspace binds these keys itself (ui/casework.py) so they work in it alone; the
    # menu only shows them, since two bindings of one key would cancel each other out.
    keys_in_workspace: bool = False

    def allowed(self, role: Role) -> bool:
        return self.function is None or allows(role, self.function)


FILE, RECORD, GO, HELP = "&File", "&Record", "&Go", "&Help"
SEPARATOR = "-"

ENTRIES: tuple[MenuEntry, ...] = (
    MenuEntry(FILE, "print", "&Print…", "Ctrl+P", help="Print what the page shows (reports)"),
    MenuEntry(FILE, "backup", "&Back up…", function="vault.backup.create_backup",
              help="Open Backup & restore to make an encrypted backup"),
    MenuEntry(FILE, "sync", "S&ync now", "Ctrl+Shift+S", function="team.sync.sync_now",
              help="Send and receive changes (a computer in a team)"),
    MenuEntry(FILE, "hub_location", "&Hub location…", function="team.membership.change_location",
              help="The team's hub moved or its password changed: tell this computer"),
    MenuEntry(FILE, SEPARATOR, ""),
    MenuEntry(FILE, "change_passphrase", "&Change my passphrase…", function="vault.staff.change_own_passphrase"),
    MenuEntry(FILE, "lock", "&Lock", "Ctrl+L", help="Lock Confide now (it also locks when left idle)"),
    MenuEntry(FILE, SEPARATOR, ""),
    MenuEntry(FILE, "quit", "&Quit", "Ctrl+Q", while_locked=True, help="Lock and close Confide"),
    MenuEntry(RECORD, "new_enquiry", "New &enquiry…", "Ctrl+N", function="casework.enquiries.record_enquiry",
              keys_in_workspace=True, help="Record a phone call, email or visit"),
    MenuEntry(RECORD, "new_note", "New &note…", "Ctrl+Shift+N", function="casework.notes.add_note",
              help="Add a note to the case open in Records"),
    MenuEntry(RECORD, "new_action", "New &action…", "Ctrl+Shift+A", function="casework.actions.add_action",
              help="Add an action to the case open in Records"),
    MenuEntry(RECORD, "record_consent", "Record &consent…", "Ctrl+Shift+C", function="consent.records.record_consent",
              help="Record consent in the case open in Records"),
    MenuEntry(RECORD, SEPARATOR, ""),
    MenuEntry(RECORD, "find", "&Find…", "Ctrl+F", function="casework.search.search",
              keys_in_workspace=True, help="Search people, cases and notes; Down moves into the results"),
    MenuEntry(HELP, "help", "Confide &help", "F1", while_locked=True, help="This help"),
    MenuEntry(HELP, "about", "&About Confide", while_locked=True),
)

# The function behind each section of the Go menu: the section is offered to a role exactly
# when the role may call it. None: every signed-in person has the section.
SECTIONS: dict[str, str | None] = {
    "Home": None, "Dashboard": "reports.dashboard.build_dashboard", "Enquiries": "casework.enquiries.recent_enquiries",
    "Cases": "casework.cases.list_cases", "Search": "casework.search.search", "Records": None,
    "Reports": "reports.figures.build_report", "Access requests": "sar.register.list_sars",
    "Complaints": "reports.complaints.register.list_complaints", "Registers": "vault.registers.staff_register",
    "Retention": "lifecycle.review.list_due", "Import": "lifecycle.importer.run.dry_run",
    "Conflicts": "team.conflicts.list_conflicts", "Team": "team.membership.device_list",
    "This laptop": "team.laptop.checkout.check_out",
    "Staff": "vault.staff.add_staff", "Settings": None, "Backup & restore": None,
}


# One key per section, whoever is signed in and whichever computer this is: numbered by
# position, Ctrl+3 was Cases for a caseworker and Enquiries for a manager. The ten used most
# take Ctrl+digit; the rest Alt+digit (letters after Alt are the menus' mnemonics).
SECTION_KEYS: dict[str, str] = {
    "Home": "Ctrl+1", "Enquiries": "Ctrl+2", "Cases": "Ctrl+3", "Search": "Ctrl+4", "Records": "Ctrl+5",
    "Dashboard": "Ctrl+6", "Reports": "Ctrl+7", "Access requests": "Ctrl+8", "Conflicts": "Ctrl+9",
    "Settings": "Ctrl+0",
    "Complaints": "Alt+1", "Registers": "Alt+2", "Team": "Alt+3", "This laptop": "Alt+4", "Staff": "Alt+5",
    "Backup & restore": "Alt+6", "Retention": "Alt+7", "Import": "Alt+8",
}


def section_shortcut(name: str) -> str:
    """The section's own key ("" for a section with none)."""
    return SECTION_KEYS.get(name, "")


def section_allowed(name: str, role: Role) -> bool:
    """May raise: KeyError for a section missing from SECTIONS (its test names it)."""
    function = SECTIONS[name]
    return function is None or allows(role, function)


def allows(role: Role, function: str) -> bool:
    """The role matrix's answer for "module.function". A service's row is declared where the
    function is defined, so its module is imported first (screens import it anyway)."""
    importlib.import_module(role_matrix.PREFIX + function.rpartition(".")[0])
    return role_matrix.allows(role, function)
