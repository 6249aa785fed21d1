"""Adding a document to a case or a person (docs/documents.md).

A document from a professional shows the records request it answers (R6). With none, the
service is asked whether a consent covers asking that professional; if none does its refusal
is shown as written, with the one way on: an override with a lawful reason and a
justification, which the manager reviews (the disclosure log's own rule)."""

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from app.domain.consent import DisclosureKind
from app.domain.documents import KIND_LABELS, DocumentKind
from app.errors import ConsentMissing, ValidationError
from app.security.session import Session
from app.services.consent import counterparties, disclosures
from app.services.documents import documents as docs
from app.services.documents.documents import DocumentInput
from ui.dialogs.form_dialog import FormDialog, narrow_combo
from ui.dialogs.override_rows import OverrideRows
from ui.operations import Operations
from ui.widgets.choices import date_edit, date_of
from ui.widgets.forms import line_edit, text_label

NEW_REQUEST = "new"


def guess_kind(name: str) -> str:
    lower = name.lower()
    for words, kind in ((("ehc", "plan"), DocumentKind.EHC_PLAN), (("report", "assessment"), DocumentKind.REPORT),
                        (("letter",), DocumentKind.LETTER_RECEIVED)):
        if any(w in lower for w in words):
            return kind.value
    return DocumentKind.OTHER.value


class AddDocumentDialog(FormDialog, OverrideRows):
    def __init__(self, session: Session, ops: Operations, path: Path, *, case_id: str | None = None,
                 case_reference: str = "", person_id: str | None = None, person_name: str = "",
                 parent: QWidget | None = None):
        where = f"case {case_reference}" if case_id else person_name
        super().__init__(ops, "Add a document", "The file is kept inside Confide's encrypted vault. The copy you "
                         "chose stays where it is: delete it once it is added, if it holds a family's details.",
                         ok_text="Add document", heading=f"Document for {where}", parent=parent)
        self.setMinimumWidth(760)
        self.session, self.path, self.case_id, self.person_id = session, Path(path), case_id, person_id
        self.saved = None
        self.file = text_label(f"{self.path.name} ({_size(self.path)})", "")
        self.title = line_edit("Title")
        stem = " ".join(self.path.stem.replace("_", " ").replace("-", " ").split())
        self.title.setText(stem[:1].upper() + stem[1:])
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind")
        for kind in DocumentKind:
            self.kind.addItem(KIND_LABELS[kind.value], kind.value)
        self.kind.setCurrentIndex(self.kind.findData(guess_kind(self.path.name)))
        self.day = date_edit("Date of the document")
        self.source = line_edit("Where it came from", placeholder="e.g. the school, the parent, the local authority")
        self.errors.row(self.form, "File", "file", self.file)
        self.errors.row(self.form, "&Title", "title", self.title)
        self.errors.row(self.form, "&Kind", "kind", self.kind)
        self.errors.row(self.form, "&Date", "document_date", self.day)
        self.errors.row(self.form, "&Source", "source", self.source)

        # A short check box and a wrapped hint: at 200% text a long label pushed the form wider
        # than a laptop.
        self.professional = QCheckBox("Received from a professional")
        self.professional.setAccessibleDescription("Records we asked them for")
        self.professional.setEnabled(case_id is not None)
        self.form.addRow(self.professional)
        self.form.addRow(text_label("Tick it for records we asked a professional for, then choose the request it answers.",
                                    "hint"))
        self.request = narrow_combo(QComboBox())
        self.request.setAccessibleName("Records request it answers")
        self.party = narrow_combo(QComboBox())
        self.party.setAccessibleName("Professional or organisation")
        self.party.addItem("Choose the professional or organisation…", None)
        if case_id is not None:
            for request in docs.records_requests(session, case_id):
                self.request.addItem(f"Request to {request.counterparty_name} ({request.basis_label})", request.id)
            for party in counterparties.choices(session):
                self.party.addItem(party.label, party)
        self.request.addItem("A new records request, recorded now", NEW_REQUEST)
        self.request_row = self.errors.row(self.form, "&Answers", "records_request_id", self.request)
        self.party_row = self.errors.row(self.form, "&From", "counterparty", self.party)
        self.add_override_rows()
        self.professional.toggled.connect(lambda _on: self._show_rows())
        self.request.currentIndexChanged.connect(lambda _i: self._show_rows())
        # The refusal answered this professional on this date: a change of either asks again.
        self.party.currentIndexChanged.connect(lambda _i: self._show_override(False))
        self.day.dateChanged.connect(lambda _d: self._show_override(False))
        self._show_override(False)
        self._show_rows()

    @property
    def overriding(self) -> bool:
        return not self.refusal.isHidden()

    def _show_rows(self) -> None:
        on = self.professional.isChecked()
        for widget in self._rows(self.request_row):
            widget.setVisible(on)
        new = on and self.request.currentData() == NEW_REQUEST
        for widget in self._rows(self.party_row):
            widget.setVisible(new)
        if not new:
            self._show_override(False)
        if self.isVisible():
            QTimer.singleShot(0, self, lambda: self.fit_to_screen(grow_only=True))

    def _show_override(self, on: bool, message: str = "") -> None:
        self.show_override_rows(on, message, "keep", "Add under an override", "Add document")
        if self.isVisible():  # the refusal and its rows need room: grow rather than scroll
            QTimer.singleShot(0, self, lambda: self.fit_to_screen(grow_only=True))

    def data(self) -> DocumentInput:
        data = DocumentInput(self.title.text(), self.kind.currentData(), date_of(self.day), self.source.text(),
                             self.path.name, case_id=self.case_id, person_id=self.person_id)
        if not self.professional.isChecked():
            return data
        data.from_professional = True
        if self.request.currentData() != NEW_REQUEST:
            data.records_request_id = self.request.currentData()
            return data
        party = self.party.currentData()
        if party is None:
            raise ValidationError("Choose the professional or organisation who sent it.", field="counterparty")
        data.counterparty_person_id = party.person_id
        data.counterparty_organisation_id = None if party.person_id else party.organisation_id
        if self.overriding:
            data.lawful_reason = self.reason.currentData() or ""
            data.justification = self.justification.toPlainText()
            if not data.lawful_reason:
                raise ValidationError("Choose the lawful reason for keeping it without consent.", field="lawful_reason")
        return data

    def submit(self) -> None:
        data = self.data()
        if data.from_professional and not data.records_request_id and not self.overriding:
            try:
                disclosures.matching_consent(self.session, data.case_id, DisclosureKind.RECORDS_REQUEST.value,
                                             data.counterparty_person_id, data.counterparty_organisation_id,
                                             on=data.document_date)
            except ConsentMissing as exc:
                self._show_override(True, exc.message)
                self.reason.setFocus()
                return
        session, path = self.session, self.path

        def work(_progress):
            with open(path, "rb") as stream:
                return docs.add_document(session, data, stream)

        self.run(work, self._done, changes={"documents", "disclosures"})

    def _done(self, document) -> None:
        self.saved = document
        self.finish()


def _size(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError:
        return "cannot be read"
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"
