"""A person's phone numbers, email and address, always under the contact-preference banner
(R9): before anyone dials, they see whether calling at work or leaving a message is
acceptable. Each detail can be copied; the copy is secret and short-lived (ui/clipboard.py).
"""

from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.records import Person
from ui.clipboard import SecretClipboard
from ui.widgets.forms import restyle, text_label

# Each detail with the contact preference that governs it.
DETAILS = [("phone_mobile", "Mobile", "ok_mobile"), ("phone_home", "Home phone", "ok_home"),
           ("phone_work", "Work phone", "ok_work"), ("email", "Email", "ok_email"),
           ("address", "Address", "ok_post")]


def banner_text(person: Person) -> str:
    return f"Contact preferences: {person.contact_banner()}"


class ContactCard(QWidget):
    def __init__(self, clipboard: SecretClipboard, parent: QWidget | None = None):
        super().__init__(parent)
        self.clipboard = clipboard
        self.banner = text_label("", "notice")
        self.banner.setAccessibleName("Contact preferences")
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setColumnStretch(1, 1)
        self.none = text_label("No contact details recorded.", "hint")
        self.copy_buttons: dict[str, QPushButton] = {}
        self.values: dict[str, QLabel] = {}
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(self.banner)
        column.addLayout(self.grid)
        column.addWidget(self.none)

    def show_person(self, person: Person) -> None:
        self.clear()
        perms = person.contact_permissions()
        self.banner.setText(banner_text(person))
        # A refusal is the thing not to miss: show it in the warning colour.
        self.banner.setProperty("kind", "warning" if perms["not_allowed"] else "notice")
        restyle(self.banner)
        self.banner.show()
        row = 0
        for attr, label, pref in DETAILS:
            value = getattr(person, attr)
            if attr == "address" and person.postcode:
                value = "\n".join(p for p in (value, person.postcode) if p)
            if not value:
                continue
            allowed = getattr(person, pref)
            caution = {0: "do not use", None: "not yet asked"}.get(allowed, "")
            name = text_label(label + (f" ({caution})" if caution else ""), "hint")
            shown = text_label(value)
            shown.setAccessibleName(label)
            copy = QPushButton("Copy")
            copy.setAutoDefault(False)
            copy.setAccessibleName(f"Copy {label.lower()}")
            copy.setToolTip("Copies it for 30 seconds, marked as private for clipboard managers.")
            copy.clicked.connect(lambda _c=False, text=value: self.clipboard.copy(text))
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(shown, row, 1)
            self.grid.addWidget(copy, row, 2)
            self.copy_buttons[attr] = copy
            self.values[attr] = shown
            row += 1
        self.none.setVisible(row == 0)

    def clear(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.copy_buttons, self.values = {}, {}
        self.banner.clear()
