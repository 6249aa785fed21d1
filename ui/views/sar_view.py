"""Subject access requests (managers, R13): the register with each request's deadline and
timeliness, the steps of a request, its review, and its response pack.

Two screens in one page: the list (with the selected request below it) and the review of
one request, which takes the whole page while the manager works through it.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStackedWidget, QWidget

from app.errors import ConfideError
from app.security.session import Session
from app.services.sar import pack as sar_pack
from app.services.sar import register as sar
from app.services.sar.register import Sar
from ui.clipboard import SecretClipboard
from ui.dialogs import messages
from ui.dialogs.opening import open_dialog
from ui.dialogs.sar_dialogs import (
    ChildAuthorityDialog,
    ClarificationDialog,
    ExtendDialog,
    IdentityDialog,
    MarkSentDialog,
    RegisterSarDialog,
)
from ui.dialogs.sar_pack_dialog import SarPackDialog
from ui.models import sar_table_model as cols
from ui.models.sar_table_model import SarTableModel
from ui.names import staff_names
from ui.operations import Operations
from ui.refresh import Refresher
from ui.views.register_page import RequestRegister
from ui.views.sar_review_view import SarReviewView
from ui.widgets.page import column
from ui.widgets.record_table import RecordTable
from ui.widgets.sar_detail import SarDetail


class SarView(RequestRegister):
    def __init__(self, session: Session, ops: Operations, clipboard: SecretClipboard, parent: QWidget | None = None):
        super().__init__(session, ops, parent)
        self.clipboard = clipboard
        self.model = SarTableModel(self)
        self.table = RecordTable(self.model, "Subject access requests", sort_column=cols.RECEIVED,
                                 order=Qt.SortOrder.DescendingOrder)
        self.table.setMinimumHeight(110)  # the selected request below is shown in full first
        self.detail = SarDetail()
        self.list_screen = QWidget()
        self.build(self.list_screen, "Subject access requests", "One calendar month from the later of receipt "
                   "and identity; clarification stops the clock until it arrives. Extendable by up to two "
                   "months.", "Register a reques&t…", "&Open requests only", self.detail)
        self._review: SarReviewView | None = None    # built when first opened (the property)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list_screen)
        column(self, (0, 0, 0, 0), None, self.stack)

        self.table.doubleClicked.connect(lambda _i: self.act("review"))
        self.detail.actionRequested.connect(self.act)
        self.refresher = Refresher(self.list_screen, session, ops, {"sars"}, self.reload,
                                   first_load_later=True)

    @property
    def review(self) -> SarReviewView:
        """The review screen, built the first time a review is opened: most visits to the
        register never open one, and building it held the window as the page was shown."""
        if self._review is None:
            self._review = SarReviewView(self.session, self.ops)
            self.stack.addWidget(self._review)
            self._review.backRequested.connect(self.show_list)
            self._review.generateRequested.connect(self.generate)
            self._review.set_busy(self.ops.busy)
        return self._review

    # --- the register ----------------------------------------------------------------------
    def list_records(self, open_only: bool):
        return sar.list_sars(self.session, open_only=open_only)

    def fill(self, found, today) -> None:
        self.model.set_requests(found)

    def show_request(self, sar_id: str) -> "SarView":
        """Open the register at this request (the dashboard does)."""
        self.show_list()
        self.show_record(sar_id)
        return self

    def selection_changed(self, *_args) -> None:
        request = self.selected()
        packs = []
        if request is not None and not self.ops.busy and not self.session.locked:
            try:
                packs = sar_pack.disclosures(self.session, request.id)
            except ConfideError as exc:
                self._show_error(exc)
        self.detail.show_request(request, packs, names=staff_names(self.session))
        self.detail.update_buttons(not self.ops.busy)

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_screen)

    # --- steps -------------------------------------------------------------------------------
    def register_dialog(self) -> RegisterSarDialog:
        return RegisterSarDialog(self.session, self.ops, self)

    def act(self, action: str):
        """Run one step on the selected request; returns the dialog or screen it opened."""
        request = self.selected()
        if request is None or self.ops.busy:
            return None
        self.select_after(request)
        dialogs = {"identity": lambda: IdentityDialog(self.session, self.ops, request, self),
                   "ask_clarification": lambda: ClarificationDialog(self.session, self.ops, request, False, self),
                   "clarification_received": lambda: ClarificationDialog(self.session, self.ops, request, True, self),
                   "extend": lambda: ExtendDialog(self.session, self.ops, request, self),
                   "authority": lambda: ChildAuthorityDialog(self.session, self.ops, request, self),
                   "sent": lambda: MarkSentDialog(self.session, self.ops, request, self)}
        if action in dialogs:
            return open_dialog(dialogs[action]())
        if action == "review":
            self.stack.setCurrentWidget(self.review)
            self.review.load(request)
            return self.review
        if action == "generate":
            if not request.review_completed_at:
                # No pack without a completed review: lead there, and say why.
                self.stack.setCurrentWidget(self.review)
                self.review.load(request, reason="A pack is made only from a completed review. Decide every "
                                                 "highlighted item, then choose 'Review complete'.")
                return self.review
            return self.generate(request)
        if action == "regenerate":
            return self.regenerate(request)
        if action == "young_person":
            return self._young_person(request)
        if action == "withdraw":
            return self._withdraw(request)
        return None

    def _young_person(self, request: Sar) -> bool:
        agreed = not request.young_person_agreed
        text = ("Record that the young person agreed to their own case being included in this request?"
                if agreed else "Record that the young person's agreement no longer stands? Their own case "
                "will be left out of the pack.")
        if not messages.ask(self, "Young person's agreement", text, confirm="Record"):
            return False
        self._run(lambda s: sar.record_young_person_agreement(s, request.id, agreed))
        return True

    def _withdraw(self, request: Sar) -> bool:
        if not messages.ask(self, "Withdraw request", f"Record that {request.reference} was withdrawn by the "
                            "requester? No pack can be made afterwards.", confirm="Withdraw", destructive=True):
            return False
        self._run(lambda s: sar.withdraw(s, request.id))
        return True

    def _run(self, step) -> None:
        session = self.session
        self.ops.run(lambda _p: step(session), on_error=self._show_error, changes={"sars"})

    def generate(self, request: Sar) -> SarPackDialog | None:
        if self.ops.busy:
            return None
        dialog = SarPackDialog(self.session, self.ops, self.clipboard, request, self)
        dialog.markSentRequested.connect(self._mark_sent_after_pack)
        self.pack_dialog = open_dialog(dialog, delete_when_closed=True)
        return dialog

    def regenerate(self, request: Sar) -> SarPackDialog | None:
        """The pack again from a record of disclosure: the same words as were sent."""
        if self.ops.busy or not self.detail.packs:
            return None
        self.pack_dialog = open_dialog(SarPackDialog(self.session, self.ops, self.clipboard, request, self,
                                                     packs=self.detail.packs), delete_when_closed=True)
        return self.pack_dialog

    def _mark_sent_after_pack(self, request: Sar) -> None:
        self.show_list()
        self.select_after(request)
        self.mark_sent_dialog = open_dialog(MarkSentDialog(self.session, self.ops, request, self))

    # --- state -------------------------------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        self.register_button.setEnabled(not busy)
        self.detail.update_buttons(not busy)
        if self._review is not None:
            self._review.set_busy(busy)

    def clear(self) -> None:
        self.model.clear()
        self.detail.show_request(None, [])
        if self._review is not None:
            self._review.clear()
        self.show_list()
        self.refresher.stale = True
