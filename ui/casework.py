"""The casework pages of the workspace, and how a record gets opened.

Built by the Workspace for one session: Home, Enquiries, Cases (not for volunteers),
Search and Records, the shortcuts Ctrl+N (new enquiry) and Ctrl+F (search), the secret
clipboard, and `open_record(kind, id)`, which every list, search result and the manager's
dashboard use to open a case or a person in the Records page.
"""

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from app.domain.role_matrix import reads_casework
from app.errors import ConfideError
from app.security.session import Session
from app.services.casework import notes
from app.services.casework.enquiries import EnquiryResult
from app.services.consent import disclosures
from app.services.consent import records as consent
from ui.clipboard import SecretClipboard
from ui.dialogs import messages
from ui.dialogs.enquiry_form import EnquiryForm
from ui.formatting import describe_error
from ui.operations import Operations
from ui.views.case_list_view import CaseListView
from ui.views.enquiries_view import EnquiriesView
from ui.views.home_view import HomeView
from ui.views.records_view import RecordsView
from ui.views.search_view import SearchView

RECORDS_PAGE = "Records"
KINDS = ("case", "person", "note", "disclosure", "consent")


class Casework(QObject):
    showPage = Signal(str)  # the workspace switches to this page

    def __init__(self, session: Session, ops: Operations, host: QWidget):
        super().__init__(host)
        self.session, self.ops, self.host = session, ops, host
        self._pending: tuple[str, str] | None = None
        self.clipboard = SecretClipboard(parent=self)
        self._casework = reads_casework(session.user.role)
        self.home = HomeView(session, ops)
        # Enquiries and Cases are built when first wanted (their page shown, a saved enquiry
        # reported): a tenth of a second of the unlock's one event-loop turn between them.
        self._enquiries: EnquiriesView | None = None
        self._cases: CaseListView | None = None
        self.search = SearchView(session, ops)
        self.records = RecordsView(session, ops, self.clipboard)
        self.enquiry_form: EnquiryForm | None = None

        for view in (self.home, self.search, self.records):
            view.openRequested.connect(self.open_record)
        self.home.newEnquiryRequested.connect(self.new_enquiry)
        # Window-wide, so they work wherever the focus is (even nowhere, just after unlocking);
        # while locked the workspace is hidden and they do nothing.
        for keys, slot in (("Ctrl+N", self.new_enquiry), ("Ctrl+F", self.find)):
            QShortcut(QKeySequence(keys), host, slot).setContext(Qt.ShortcutContext.WindowShortcut)
        ops.busyChanged.connect(self._busy_changed)

    @property
    def enquiries(self) -> EnquiriesView:
        if self._enquiries is None:
            self._enquiries = EnquiriesView(self.session, self.ops)
            self._enquiries.openRequested.connect(self.open_record)
            self._enquiries.newEnquiryRequested.connect(self.new_enquiry)
        return self._enquiries

    @property
    def cases(self) -> CaseListView | None:
        """None for a role that does no casework."""
        if self._cases is None and self._casework:
            self._cases = CaseListView(self.session, self.ops)
            self._cases.openRequested.connect(self.open_record)
        return self._cases

    @property
    def pages(self) -> list[tuple[str, QWidget | Callable[[], QWidget] | None]]:
        """After Home, in this order: a page, or what builds it when first wanted (ui/lazy_pages.py);
        None where this role has no such page."""
        return [("Enquiries", lambda: self.enquiries), ("Cases", (lambda: self.cases) if self._casework else None),
                ("Search", self.search), (RECORDS_PAGE, self.records)]

    # --- actions -----------------------------------------------------------------------------
    def new_enquiry(self) -> EnquiryForm | None:
        if self.session.locked or self.ops.busy:
            return None
        if self.enquiry_form is not None and self.enquiry_form.isVisible():
            self.enquiry_form.activateWindow()
            return self.enquiry_form
        form = EnquiryForm(self.session, self.ops, self.host)
        form.saved.connect(self._enquiry_saved)
        form.finished.connect(lambda _r: self._form_closed(form))
        self.enquiry_form = form
        form.open()
        return form

    def _form_closed(self, form: EnquiryForm) -> None:
        # What was typed about a family should not linger in a hidden window.
        if self.enquiry_form is form:
            self.enquiry_form = None
        form.deleteLater()

    def _enquiry_saved(self, result: EnquiryResult) -> None:
        self.enquiries.show_saved(result)
        if result.case is not None:
            self.open_record("case", result.case.id)
        else:
            self.showPage.emit("Enquiries")

    def find(self) -> None:
        self.showPage.emit("Search")
        self.search.focus_box()

    def open_record(self, kind: str, record_id: str) -> QWidget | None:
        """Open a 'case' or a 'person' in the Records page; a 'note' opens its case at the note,
        a 'disclosure' or 'consent' its case at Consent & sharing. Returns the view, or None
        if it could not be opened (the reason is shown) or must wait for a running task."""
        if kind not in KINDS or not record_id or self.session.locked:
            return None
        if self.ops.busy:
            # The worker may be using the connection; open it the moment the task ends.
            self._pending = (kind, record_id)
            return None
        try:
            view = self._open(kind, record_id)
        except ConfideError as exc:
            messages.warn(self.host, "Cannot open this record", describe_error(exc))
            return None
        self.showPage.emit(RECORDS_PAGE)
        return view

    def _open(self, kind: str, record_id: str) -> QWidget:
        if kind == "person":
            return self.records.open_person(record_id)
        if kind == "case":
            return self.records.open_case(record_id)
        if kind == "note":
            note = notes.get_note(self.session, record_id)
            view = self.records.open_case(note.case_id)
            view.select_note(note.id)
            return view
        if kind == "disclosure":
            case_id = disclosures.get_disclosure(self.session, record_id).case_id
        else:
            found = consent.get_consent(self.session, record_id)
            if not found.case_id:
                return self.records.open_person(found.given_by_id)
            case_id = found.case_id
        view = self.records.open_case(case_id)
        view.show_tab("consent")
        return view

    def _busy_changed(self, busy: bool) -> None:
        if not busy and self._pending is not None:
            kind, record_id = self._pending
            self._pending = None
            self.open_record(kind, record_id)

    def clear(self) -> None:
        """On lock: personal data copied from Confide leaves the clipboard too."""
        self._pending = None
        self.clipboard.clear_if_ours()
