"""Consent capture for the laptop at a family meeting: who is giving consent, the things they
may agree to in plain words (the exact wording that will be stored, in large type), how it
was given, a signature pad, the name and the dates. Works with no network at all.

The service decides everything (who may consent, the wording, the dates); this dialog shows
its refusals beside the field at fault and saves nothing until the service accepts.
"""

from datetime import date

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.consent import ConsentMethod, ConsentScope
from app.errors import ConfideError, ValidationError
from app.security.session import Session
from app.services.casework import cases
from app.services.consent import counterparties
from app.services.consent import records as consent
from ui import theme
from ui.dialogs.form_dialog import FormDialog, narrow_combo
from ui.dialogs.professional_dialog import AddProfessionalDialog
from ui.operations import Operations
from ui.widgets.forms import FieldErrors, line_edit, text_label
from ui.widgets.signature_pad import SignaturePad

# What a family is asked, in their words; the stored wording comes from the service.
CHOICES = [
    (ConsentScope.SHARE_WITH, "Share information with a professional"),
    (ConsentScope.OBTAIN_RECORDS, "Ask a professional for records"),
    (ConsentScope.CONTACT_AT_WORK, "Contact me at work"),
    (ConsentScope.VOICEMAIL, "Leave voicemail messages"),
    (ConsentScope.MESSAGES_VIA_FAMILY, "Leave messages with my family"),
    (ConsentScope.MAILING_LIST, "Put me on the mailing list"),
]

LOCAL_STYLE = """
QWidget#consentBody { background: transparent; }
QLabel[kind="section"] { font-size: 15pt; font-weight: 600; color: #102a43; padding-top: 8px; }
QLabel[kind="wording"] { font-size: 14pt; color: #102a43; background: #ffffff; border: 1px solid #c5d1dc;
                         border-radius: 6px; padding: 10px 14px; }
QCheckBox[kind="scope"], QRadioButton[kind="method"] { font-size: 13pt; spacing: 10px; }
QCheckBox[kind="scope"]::indicator, QRadioButton[kind="method"]::indicator { width: 22px; height: 22px; }
"""


def _to_date(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


class ScopeRow(QWidget):
    """One thing the family may agree to: a large tick box, a professional to name where the
    scope needs one, and the words that will be stored, shown once it is ticked."""

    addRequested = Signal(object)    # this row: a professional not yet on record is to be added

    def __init__(self, scope: ConsentScope, label: str, parties: list, errors: FieldErrors):
        super().__init__()
        self.scope = scope
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 4)
        column.setSpacing(6)
        self.check = QCheckBox(label)
        self.check.setProperty("kind", "scope")
        self.check.setAccessibleName(label)
        column.addWidget(self.check)
        self.party = None
        self.purpose = None
        if scope.needs_counterparty:
            self.party = narrow_combo(QComboBox())  # the longest name must not widen the form
            self.party.setAccessibleName(f"{label}: who")
            self.party.addItem("Choose the professional or organisation…", None)
            for party in parties:
                self.party.addItem(party.label, party)
            self.add_button = QPushButton("Add a professional…")
            self.add_button.setAccessibleName(f"{label}: add a professional not yet on record")
            self.add_button.clicked.connect(lambda: self.addRequested.emit(self))
            who = QWidget()
            who_row = QHBoxLayout(who)
            who_row.setContentsMargins(0, 0, 0, 0)
            who_row.addWidget(self.party, 1)
            who_row.addWidget(self.add_button)
            row = QFormLayout()
            row.setContentsMargins(34, 0, 0, 0)
            errors.row(row, "Who", f"counterparty_{scope.value}", who)
            if scope == ConsentScope.SHARE_WITH:
                self.purpose = line_edit("What for", placeholder="for example, to plan support at school")
                errors.row(row, "What for", "purpose", self.purpose)
            self.details = QWidget()
            self.details.setLayout(row)
            column.addWidget(self.details)
        self.wording = text_label("", "wording")
        self.wording.setAccessibleName(f"{label}: wording")
        column.addWidget(self.wording)
        self.check.toggled.connect(self._show_details)
        self._show_details(False)

    def add_party(self, party, choose: bool) -> None:
        """A professional added from the form: offered here, and chosen in the row that asked."""
        if self.party is None:
            return
        self.party.addItem(party.label, party)
        if choose:
            self.party.setCurrentIndex(self.party.count() - 1)

    def _show_details(self, on: bool) -> None:
        if self.party is not None:
            self.details.setVisible(on)
        self.wording.setVisible(on)

    @property
    def chosen(self):
        return self.party.currentData() if self.party is not None else None

    def item(self) -> consent.ScopeItem:
        party = self.chosen
        if self.party is not None and party is None:
            raise ValidationError("Choose who the family agrees to this for.", field=f"counterparty_{self.scope.value}")
        return consent.ScopeItem(self.scope.value, party.person_id if party else None,
                                 None if party is None or party.person_id else party.organisation_id,
                                 self.purpose.text() if self.purpose is not None else None)


class ConsentCaptureDialog(FormDialog):
    """A long form filled in with a family: Enter moves on and never records or cancels;
    Ctrl+S or the button records; Escape asks before a signature and ticks are thrown away."""

    recorded = Signal(object)  # list of Consent
    enter_saves = False
    draft_kind = "consent"

    def __init__(self, session: Session, case_id: str, ops: Operations | None = None,
                 parent: QWidget | None = None, today: date | None = None):
        case = cases.load_case(session, case_id)
        # Names stay out of the window title (taskbars, screen sharing); they go in the heading.
        super().__init__(ops, "Record consent", f"Case {case.reference}. Read each part with the family. Tick "
                         "only what they agree to; they can agree to some things and not others. Enter moves "
                         "to the next part; Ctrl+S records.", ok_text="Record consent",
                         heading=f"Consent for {case.child_name}", heading_kind="heading",
                         discard_what="this consent, its ticks and the signature", parent=parent)
        self.session, self.case_id, self.child_id = session, case_id, case.child_id
        self.today = today or date.today()
        self.consents: list = []
        self.givers = consent.possible_givers(session, case_id, self.today)
        parties = counterparties.choices(session)
        self.setMinimumSize(760, 520)
        self.preferred_size = QSize(900, 860)  # the whole form; fitted to the screen when shown
        self.setStyleSheet(theme.local(LOCAL_STYLE))
        self.body.setObjectName("consentBody")
        self.column = self.body_column

        self._section("Who is giving consent")
        self.giver = QComboBox()
        self.giver.setAccessibleName("Who is giving consent")
        for giver in self.givers:
            self.giver.addItem(giver.name if giver.allowed else f"{giver.name} (cannot consent to sharing)", giver)
        self.on_behalf = line_edit("Why they act for the young person",
                                   placeholder="for example: lacks capacity to decide; lasting power of attorney")
        form = self._form()
        self.errors.row(form, "&Name", "given_by", self.giver)
        self.on_behalf_row = self.errors.block("on_behalf_reason", self.on_behalf)
        form.addRow("", self.on_behalf_row)
        # Easy read: short sentences, one idea each; ticked for the child or young person.
        self.easy_read = QCheckBox("Use the &easy-read words")
        self.easy_read.setToolTip("Short sentences, one idea each")
        self.easy_read.setAccessibleName("Use the easy-read words")
        self.easy_read.setAccessibleDescription("The easy-read words are shown, stored with the consent and "
                                                "printed in the family's record.")
        form.addRow("", self.easy_read)
        self.easy_read.toggled.connect(lambda _on: self._refresh_wording())

        self._section("What they agree to")
        self.rows = [ScopeRow(scope, label, parties, self.errors) for scope, label in CHOICES]
        holder = QWidget()
        rows_column = QVBoxLayout(holder)
        rows_column.setContentsMargins(0, 0, 0, 0)
        for row in self.rows:
            rows_column.addWidget(row)
            row.check.toggled.connect(self._refresh_wording)
            if row.party is not None:
                row.party.currentIndexChanged.connect(self._refresh_wording)
                row.addRequested.connect(self.add_professional)
        self.column.addWidget(self.errors.block("scopes", holder))

        self._section("How they gave it")
        self.methods = QButtonGroup(self)
        method_box = QWidget()
        method_column = QVBoxLayout(method_box)
        method_column.setContentsMargins(0, 0, 0, 0)
        for method in ConsentMethod:
            button = QRadioButton(method.label)
            button.setProperty("kind", "method")
            button.setProperty("method", method.value)
            self.methods.addButton(button)
            method_column.addWidget(button)
            if method == ConsentMethod.SIGNED_ON_SCREEN:
                button.setChecked(True)
        self.column.addWidget(self.errors.block("method", method_box))
        self.methods.buttonToggled.connect(lambda *_: self._method_changed())

        self._section("Signature")
        self.pad = SignaturePad()
        self.clear_button = QPushButton("Clear the signature")
        self.clear_button.setProperty("noEnter", True)  # Enter never wipes a signature
        self.clear_button.clicked.connect(self.pad.clear)
        pad_box = QWidget()
        pad_row = QHBoxLayout(pad_box)
        pad_row.setContentsMargins(0, 0, 0, 0)
        pad_row.addWidget(self.pad, 1)
        pad_row.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.column.addWidget(self.errors.block("signature", pad_box))
        self.pad.changed.connect(self._signed)
        form = self._form()
        self.signed_name = line_edit("Name of the person giving consent")
        self.errors.row(form, "Their na&me", "signed_name", self.signed_name)
        self.given_on = self._date_edit("Date consent was given", self.today)
        # No maximum here: Qt checks a maximum part by part as it is typed, and a past day later
        # than today's became another date. The service refuses a future one in words.
        self.errors.row(form, "&Date", "given_on", self.given_on)
        self.expires_on = self._date_edit("Review date", self.today)
        self.errors.row(form, "&Review date", "expires_on", self.expires_on)
        form.addRow("", text_label("Confide suggests the review date; change it only for a reason.", "hint"))
        self.initial_focus = self.giver
        self.giver.currentIndexChanged.connect(self._giver_changed)
        self.given_on.dateChanged.connect(lambda _d: self._suggest_review_date())
        self._giver_changed()

    # --- building ------------------------------------------------------------------------
    def _section(self, title: str) -> None:
        self.column.addWidget(text_label(title, "section"))

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.column.addLayout(form)
        return form

    @staticmethod
    def _date_edit(name: str, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day))
        edit.setAccessibleName(name)
        edit.setDisplayFormat("dd/MM/yyyy")
        edit.setCalendarPopup(True)
        return edit

    # --- reacting ------------------------------------------------------------------------
    @property
    def method(self) -> str:
        button = self.methods.checkedButton()
        return button.property("method") if button else ""

    def _giver_changed(self) -> None:
        giver = self.giver.currentData()
        self.errors.clear()
        self.on_behalf_row.setVisible(bool(giver and giver.can_represent))
        if giver is not None:
            self.signed_name.setText(giver.name)
            self.easy_read.setChecked(giver.person_id == self.child_id)
            if not giver.allowed:
                # Say at once why this person cannot consent, before anyone signs.
                self.errors.set("given_by", giver.reason)
                self.giver.setFocus()
        self._suggest_review_date()
        self._refresh_wording()

    def _suggest_review_date(self) -> None:
        giver = self.giver.currentData()
        if giver is None:
            return
        given = _to_date(self.given_on.date())
        try:
            review = consent.suggested_review_date(self.session, self.case_id, giver.person_id, given)
        except ConfideError:
            return
        self.expires_on.setDate(QDate(review.year, review.month, review.day))

    def _refresh_wording(self) -> None:
        giver = self.giver.currentData()
        for row in self.rows:
            if not row.check.isChecked() or giver is None:
                continue
            party = row.chosen
            try:
                words = consent.preview_wording(self.session, self.case_id, giver.person_id, row.scope.value,
                                                party.person_id if party else None,
                                                party.organisation_id if party else None,
                                                easy_read=self.easy_read.isChecked())
            except ConfideError as exc:
                row.wording.setText(exc.message)
                continue
            row.wording.setText("\n\n".join(words.paragraphs))

    def add_professional(self, asking: ScopeRow) -> AddProfessionalDialog:
        """Over this form, which keeps its ticks, typing and signature meanwhile."""
        dialog = AddProfessionalDialog(self.session, self.ops, self)

        def added(party) -> None:
            for row in self.rows:
                row.add_party(party, choose=row is asking)
            self.errors.clear_field(f"counterparty_{asking.scope.value}")
            asking.party.setFocus()

        dialog.added.connect(added)
        dialog.open()
        self.professional_dialog = dialog
        return dialog

    def _signed(self) -> None:
        if not self.pad.is_empty():  # "the box is empty" no longer holds
            self.pad.set_invalid(False)
            self.errors.clear_field("signature")

    def _method_changed(self) -> None:
        on_screen = self.method == ConsentMethod.SIGNED_ON_SCREEN
        self.pad.setEnabled(on_screen)
        self.clear_button.setEnabled(on_screen)

    # --- saving --------------------------------------------------------------------------
    def batch(self) -> consent.ConsentBatch:
        """What the form holds, as the service takes it. May raise: ValidationError."""
        giver = self.giver.currentData()
        if giver is None:
            raise ValidationError("Choose who is giving consent.", field="given_by")
        items = [row.item() for row in self.rows if row.check.isChecked()]
        on_screen = self.method == ConsentMethod.SIGNED_ON_SCREEN
        return consent.ConsentBatch(
            given_by_id=giver.person_id, method=self.method, items=items, case_id=self.case_id,
            given_on=_to_date(self.given_on.date()), expires_on=_to_date(self.expires_on.date()),
            signed_name=self.signed_name.text(), signature=self.pad.signature() if on_screen else None,
            on_behalf_reason=self.on_behalf.text() if self.on_behalf_row.isVisible() else None,
            easy_read=self.easy_read.isChecked())

    def draft_context(self) -> dict:
        return {"case_id": self.case_id}

    def submit(self) -> None:
        self.pad.set_invalid(False)
        batch = self.batch()
        session, today = self.session, self.today
        if self.ops is None:
            self._done(consent.record_consents(session, batch, today))
            return
        self.run(lambda _p: consent.record_consents(session, batch, today), self._done, changes={"consent"})

    def _done(self, consents: list) -> None:
        self.consents = consents
        self.recorded.emit(consents)
        self.finish()

    def failed(self, exc: Exception) -> None:
        self._set_busy(False)
        field = exc.field if isinstance(exc, ValidationError) else None
        if field == "signature":
            self.pad.set_invalid(True)
        if field == "counterparty":
            # The service cannot tell which "who" it meant; the list of choices holds both.
            self.errors.set("scopes", exc.message)
            return
        self.errors.show(exc)
