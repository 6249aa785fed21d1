"""Registers (managers): the staff register, the paper file register and policy reviews, one
tab each."""

from collections.abc import Callable

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


def _on_office_of_a_team(session: Session) -> bool:
    """Whether the cases out on laptops are shown beside the paper file register."""
    try:
        return sync_status(session).in_team and not checkout.this_is_a_laptop(session)
    except ConfideError:
        return False


def _laptops_tab(session: Session, ops: Operations) -> OutOnLaptopsTab:
    tab = OutOnLaptopsTab(session, ops)
    Refresher(tab, session, ops, {"sync", "checkout", "team"}, tab.load)
    return tab


class RegistersView(QWidget):
    """The first tab is built with the page; the others the first time they are shown or
    asked for (`laptops`, `staff`, `policy`): building every register (and reading the cases
    out on laptops) held the window as the page opened, and most visits are to the paper files."""

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.paper_files = PaperFilesTab(session, ops)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Registers")
        self.tabs.addTab(self.paper_files, "&Paper files")
        self._later: dict[str, tuple[QWidget, Callable[[], QWidget]]] = {}   # name: (holder, maker)
        self._made: dict[str, QWidget] = {}
        later = [("staff", "&Staff register", lambda: StaffRegisterTab(session, ops)),
                 ("policy", "Policy re&views", lambda: PolicyReviewsTab(session, ops))]
        if _on_office_of_a_team(session):
            later.insert(0, ("laptops", "Cases on &laptops", lambda: _laptops_tab(session, ops)))
        for name, label, maker in later:
            holder = QWidget()
            self._later[name] = (holder, maker)
            self.tabs.addTab(holder, label)
        self.tabs.currentChanged.connect(self._build_shown)
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 24)
        column.setSpacing(8)
        column.addWidget(text_label("Registers", "heading"))
        column.addWidget(text_label("Where the paper files are, staff training and agreements, and "
                                    "reviews of the confidentiality policy.", "hint"))
        column.addWidget(self.tabs, 1)

    @property
    def laptops(self) -> OutOnLaptopsTab | None:
        """None on a computer that is not a team's office."""
        return self._tab("laptops") if "laptops" in self._later or "laptops" in self._made else None

    @property
    def staff(self) -> StaffRegisterTab:
        return self._tab("staff")

    @property
    def policy(self) -> PolicyReviewsTab:
        return self._tab("policy")

    def _tab(self, name: str) -> QWidget:
        if name in self._made:
            return self._made[name]
        holder, maker = self._later.pop(name)
        tab = self._made[name] = maker()
        index, shown = self.tabs.indexOf(holder), self.tabs.currentWidget() is holder
        label = self.tabs.tabText(index)
        self.tabs.blockSignals(True)     # the swap is no change of tab
        try:
            self.tabs.insertTab(index, tab, label)
            self.tabs.removeTab(index + 1)
            if shown:
                self.tabs.setCurrentIndex(index)
        finally:
            self.tabs.blockSignals(False)
        holder.deleteLater()
        if self.ops.busy:
            tab.set_busy(True)
        return tab

    def _build_shown(self, index: int) -> None:
        shown = self.tabs.widget(index)
        for name, (holder, _maker) in list(self._later.items()):
            if holder is shown:
                self._tab(name)

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
        """The tabs built so far (one not yet built holds nothing to clear)."""
        return (self.paper_files, *self._made.values())

    def clear(self) -> None:
        for tab in self.tab_views():
            tab.clear()

    def set_busy(self, busy: bool) -> None:
        for tab in self.tab_views():
            tab.set_busy(busy)
