"""Registers (managers): the staff register, the paper file register and policy reviews, one
tab each."""

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.errors import ConfideError
from app.security.session import Session
from app.services.team.laptop import checkout
from app.services.team.membership import sync_status
from ui.operations import Operations
from ui.refresh import Refresher
from ui.team.out_on_laptops import OutOnLaptopsTab
from ui.views.paper_files_tab import PaperFilesTab
from ui.views.policy_reviews_tab import PolicyReviewsTab
from ui.views.staff_register_tab import StaffRegisterTab
from ui.widgets.forms import text_label


def _laptops_tab(session: Session, ops: Operations):
    """Beside the paper file register, on a team's office computer: cases out on laptops."""
    try:
        if not sync_status(session).in_team or checkout.this_is_a_laptop(session):
            return None
    except ConfideError:
        return None
    tab = OutOnLaptopsTab(session, ops)
    Refresher(tab, session, ops, {"sync", "checkout", "team"}, tab.load)
    return tab


class RegistersView(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.paper_files = PaperFilesTab(session, ops)
        self.staff = StaffRegisterTab(session, ops)
        self.policy = PolicyReviewsTab(session, ops)
        self.laptops = _laptops_tab(session, ops)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Registers")
        self.tabs.addTab(self.paper_files, "&Paper files")
        if self.laptops is not None:
            self.tabs.addTab(self.laptops, "Cases on &laptops")
        self.tabs.addTab(self.staff, "&Staff register")
        self.tabs.addTab(self.policy, "Policy re&views")
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 24)
        column.setSpacing(8)
        column.addWidget(text_label("Registers", "heading"))
        column.addWidget(text_label("Where the paper files are, staff training and agreements, and "
                                    "reviews of the confidentiality policy.", "hint"))
        column.addWidget(self.tabs, 1)

    def show_paper_file(self, file_id: str) -> PaperFilesTab:
        self.tabs.setCurrentWidget(self.paper_files)
        self.paper_files.show_file(file_id)
        return self.paper_files

    def show_staff(self, staff_id: str) -> StaffRegisterTab:
        self.tabs.setCurrentWidget(self.staff)
        if staff_id:
            self.staff.show_staff(staff_id)
        return self.staff

    def show_policy_reviews(self) -> PolicyReviewsTab:
        self.tabs.setCurrentWidget(self.policy)
        return self.policy

    def tab_views(self):
        return tuple(t for t in (self.paper_files, self.laptops, self.staff, self.policy) if t is not None)

    def clear(self) -> None:
        for tab in self.tab_views():
            tab.clear()

    def set_busy(self, busy: bool) -> None:
        for tab in self.tab_views():
            tab.set_busy(busy)
