"""Safeguarding concerns of a case (R16). The case view adds this tab only for the manager
and the case's worker; the service checks again on every read and write."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from app.domain.records import Case, SafeguardingConcern
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.casework import safeguarding
from ui.dialogs.case_dialogs import ConcernDialog
from ui.operations import Operations
from ui.views.case_tab import CaseTab

ConcernRole = Qt.ItemDataRole.UserRole + 1


def concern_text(c: SafeguardingConcern) -> str:
    referred = f" · referred to {c.referred_to}" if c.referred_to else ""
    outcome = f"\nOutcome: {c.outcome}" if c.outcome else ""
    return f"Raised {uk_date(c.raised_on)} · {c.status}{referred}\n{c.description}{outcome}"


class CaseSafeguardingTab(CaseTab):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(session, ops, "No safeguarding concerns recorded.",
                         notice="Restricted: only the manager and the case's worker see this tab.", parent=parent)
        self.raise_button = self.button("R&aise a concern…", primary=True)
        self.update_button = self.button("&Update…")
        self.list = QListWidget()
        self.list.setAccessibleName("Safeguarding concerns")
        self.list.setWordWrap(True)
        self.set_list(self.list)
        self.raise_button.clicked.connect(self.raise_concern)
        self.update_button.clicked.connect(self.update_concern)
        self.list.itemActivated.connect(lambda _i: self.update_concern())

    def show_case(self, case: Case) -> None:
        self.fill(case, self.read(self.session, case))

    @staticmethod
    def read(session: Session, case: Case) -> list[SafeguardingConcern] | ConfideError:
        try:
            return safeguarding.concerns_for_case(session, case.id)
        except ConfideError as exc:
            return exc

    def fill(self, case: Case, found: list[SafeguardingConcern] | ConfideError) -> None:
        self.case = case
        if isinstance(found, ConfideError):
            self.show_error(found)
            return
        self.list.clear()
        for concern in found:
            item = QListWidgetItem(concern_text(concern))
            item.setData(ConcernRole, concern)
            self.list.addItem(item)
        self.show_rows(len(found))

    def selected(self) -> SafeguardingConcern | None:
        item = self.list.currentItem()
        return item.data(ConcernRole) if item is not None else None

    def raise_concern(self) -> ConcernDialog | None:
        if self.case is None:
            return None
        dialog = ConcernDialog(self.session, self.ops, self.case, parent=self)
        dialog.open()
        return dialog

    def update_concern(self) -> ConcernDialog | None:
        concern = self.selected()
        if self.case is None or concern is None:
            return None
        dialog = ConcernDialog(self.session, self.ops, self.case, concern, parent=self)
        dialog.open()
        return dialog

    def clear(self) -> None:
        super().clear()
        self.list.clear()
