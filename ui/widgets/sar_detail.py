"""The selected subject access request: what has happened so far, and the buttons for the next
step. Which steps are offered follows the request's status; the services check again."""

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGridLayout, QHBoxLayout, QPushButton, QWidget

from app.domain.counting import plural
from app.domain.text import uk_date
from app.services.sar.pack import SarDisclosure
from app.services.sar.register import Sar
from ui.formatting import uk_datetime
from ui.models.sar_table_model import KIND_LABELS, STATUS_LABELS, due_words, timeliness_words
from ui.names import full_name
from ui.widgets.card import card
from ui.widgets.forms import text_label

OPEN = ("in_review", "extended")
# action -> (button text, statuses it is offered in)
ACTIONS = {
    "identity": ("Confirm &identity…", ("awaiting_id",)),
    "ask_clarification": ("Ask for c&larification…", ("awaiting_id", *OPEN)),
    "clarification_received": ("Clarification recei&ved…", ("awaiting_clarification",)),
    "extend": ("E&xtend…", ("in_review",)),
    "young_person": ("&Young person agreed…", OPEN),
    "authority": ("Young person's a&uthority…", ("awaiting_id", "awaiting_clarification", *OPEN)),
    "review": ("Re&view and redact", OPEN),
    "generate": ("Generate &pack…", OPEN),
    "sent": ("Record as &sent…", OPEN),
    "regenerate": ("&Make a pack again…", ("in_review", "extended", "sent")),
    "withdraw": ("&Withdraw…", ("awaiting_id", "awaiting_clarification", *OPEN)),
}

AUTHORITY_WORDS = {"young_person": "The young person's authority", "manager_decision": "A manager's decision"}

MAIN_STEPS = ("identity", "clarification_received", "review", "generate", "sent")


class SarDetail(QWidget):
    actionRequested = Signal(str)  # a key of ACTIONS

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.request: Sar | None = None
        self.packs: list[SarDisclosure] = []
        frame, column = card()
        self.title = text_label("Choose a request to see where it stands.", "subheading")
        column.addWidget(self.title)
        self.facts = QFormLayout()
        self.facts.setVerticalSpacing(4)
        column.addLayout(self.facts)
        self.buttons: dict[str, QPushButton] = {}
        # The next step first; the rest below. Hidden buttons take no room in a box layout.
        rows = (QHBoxLayout(), QHBoxLayout())
        for key, (text, _statuses) in ACTIONS.items():
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, k=key: self.actionRequested.emit(k))
            self.buttons[key] = button
            rows[0 if key in MAIN_STEPS else 1].addWidget(button)
        for row in rows:
            row.addStretch(1)
            column.addLayout(row)
        self.buttons["review"].setProperty("primary", True)
        outer = QGridLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self.show_request(None, [])

    def show_request(self, request: Sar | None, packs: list[SarDisclosure], today=None,
                     names: dict[str, str] | None = None) -> None:
        names = names or {}  # staff user name -> full name
        self.request, self.packs = request, packs
        while self.facts.rowCount():
            self.facts.removeRow(0)
        if request is None:
            self.title.setText("Choose a request to see where it stands.")
            self.update_buttons(False)
            return
        self.title.setText(f"{request.reference}: information about {request.subject_name}")
        requester = "The subject themselves" if request.requester_kind == "subject" else \
            f"{request.requester_name} ({KIND_LABELS.get(request.requester_kind, request.requester_kind)})"
        rows = [("Requester", requester), ("Authority", request.authority_note or ""),
                ("Received", uk_date(request.received_on)),
                ("Identity", f"{request.identity_method}, {uk_date(request.identity_received_on)}"
                 if request.identity_received_on else "Not yet confirmed: the clock has not started"),
                ("Clarification", self._clarification(request)),
                ("Extension", f"{plural(request.extension_months, 'month')}: {request.extension_reason}"
                 if request.extension_months else ""),
                ("Due", due_words(request) or "When the clock starts"),
                ("Status", f"{STATUS_LABELS.get(request.status, request.status)} · "
                           f"{timeliness_words(request.timeliness(today or date.today()))}")]
        if request.requester_kind == "parent" and request.child_authority:
            rows.append(("Young person's say", f"{AUTHORITY_WORDS[request.child_authority]}: "
                         f"{request.child_authority_note.rstrip('. ')} (recorded {uk_date(request.child_authority_on)} by "
                         f"{full_name(names, request.child_authority_by)})"))
        if request.review_completed_at:
            rows.append(("Review", f"Completed {uk_datetime(request.review_completed_at)} by "
                                   f"{full_name(names, request.review_completed_by)}"))
        if request.requester_kind == "parent":
            rows.append(("Young person's agreement", "Agreed: their own case is included" if request.young_person_agreed
                         else "Not recorded: their own case stays out of the pack unless they agree"))
        if request.sent_on:
            rows.append(("Sent", f"{uk_date(request.sent_on)} by {request.sent_method}"))
        tips = {}
        for pack in packs[:3]:
            line = (f"{uk_datetime(pack.generated_at)} by {full_name(names, pack.generated_by)}: "
                    f"{plural(pack.items, 'item')}, {plural(pack.redactions, 'redaction')}" + (" (sent)" if pack.sent_on else ""))
            rows.append(("Pack generated", line))
            tips[line] = f"SHA-256 {pack.sha256}"
        for label, value in rows:
            if value:
                fact = text_label(value)
                fact.setToolTip(tips.get(value, ""))
                self.facts.addRow(label, fact)
        self.update_buttons(True)

    @staticmethod
    def _clarification(request: Sar) -> str:
        if not request.clarification_requested_on:
            return ""
        lines = []
        for each in request.clarifications():
            line = f"Asked {uk_date(each.asked.isoformat())}" + (f": {each.question}" if each.question else "")
            if each.received:
                line += (f"\nAnswered {uk_date(each.received.isoformat())}"
                         + (f": {each.answer}" if each.answer else ""))
            lines.append(line)
        if not lines:  # recorded before the questions were kept
            lines.append(f"Asked {uk_date(request.clarification_requested_on)}")
        if request.status == "awaiting_clarification":
            lines.append("The clock is stopped until the answer arrives.")
        else:
            days = request.paused_days()
            lines.append(f"The clock stood still for {days} day{'' if days == 1 else 's'} in all.")
        return "\n".join(lines)

    def update_buttons(self, enabled: bool) -> None:
        request = self.request
        for key, button in self.buttons.items():
            statuses = ACTIONS[key][1]
            offered = request is not None and request.status in statuses
            if key == "young_person":
                offered = offered and request.requester_kind == "parent"
                button.setText("Young person's agreement &withdrawn…" if request and request.young_person_agreed
                               else "&Young person agreed…")
            if key == "authority":
                offered = offered and request.requester_kind == "parent"
            if key in ("sent", "regenerate"):
                offered = offered and bool(self.packs)
            button.setVisible(offered)
            button.setEnabled(offered and enabled)
