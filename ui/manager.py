"""The manager's pages of the workspace, and where a dashboard item leads.

Built by the Workspace for one session; a colleague who is not a manager gets no pages at
all (the services refuse them too). The dashboard's items name the record behind them:
cases and people open through the workspace's `open_record` (signal `openRecord`), paper
files, requests and the staff register open on the manager's own pages, and an override
to review opens its review here.
"""

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.errors import ConfideError
from app.security.session import Session
from app.services.consent import disclosures
from ui.clipboard import SecretClipboard
from ui.dialogs import messages
from ui.dialogs.override_review_dialog import OverrideReviewDialog
from ui.formatting import describe_error
from ui.operations import Operations
from ui.views.complaints_view import ComplaintsView
from ui.views.dashboard_view import DashboardView
from ui.views.import_view import ImportView
from ui.views.registers_view import RegistersView
from ui.views.reports_view import ReportsView
from ui.views.retention_view import RetentionView
from ui.views.sar_view import SarView

# "Access requests" fits the navigation; the page itself says "Subject access requests".
DASHBOARD, REPORTS, SARS, REGISTERS = "Dashboard", "Reports", "Access requests", "Registers"
COMPLAINTS = "Complaints"  # data protection complaints, beside the access requests
RETENTION = "Retention"    # the schedule, the review, erasures (docs/lifecycle.md)
IMPORT = "Import"          # a previous system's CSV export


class Manager(QObject):
    showPage = Signal(str)          # the workspace switches to this page
    openRecord = Signal(str, str)   # a case or person: the workspace's open_record

    def __init__(self, session: Session, ops: Operations, host: QWidget, clipboard: SecretClipboard):
        super().__init__(host)
        self.session, self.ops, self.host = session, ops, host
        self.enabled = session.user.is_manager
        # Each page is built when first wanted (ui/lazy_pages.py), not at unlock.
        self._makers: dict[str, Callable[[], QWidget]] = {} if not self.enabled else {
            DASHBOARD: self._dashboard,
            REPORTS: lambda: ReportsView(session, ops, clipboard),
            SARS: lambda: SarView(session, ops, clipboard),
            COMPLAINTS: lambda: ComplaintsView(session, ops),
            REGISTERS: lambda: RegistersView(session, ops),
            RETENTION: lambda: RetentionView(session, ops),
            IMPORT: lambda: ImportView(session, ops),
        }
        self._built: dict[str, QWidget] = {}

    def page(self, name: str) -> QWidget | None:
        """The page, built the first time it is asked for; None for a colleague who is not a manager."""
        if name not in self._built:
            maker = self._makers.get(name)
            if maker is None:
                return None
            self._built[name] = maker()
        return self._built[name]

    def _dashboard(self) -> DashboardView:
        view = DashboardView(self.session, self.ops)
        view.openRecord.connect(self.open_item)
        return view

    dashboard = property(lambda self: self.page(DASHBOARD))
    reports = property(lambda self: self.page(REPORTS))
    sars = property(lambda self: self.page(SARS))
    complaints = property(lambda self: self.page(COMPLAINTS))
    registers = property(lambda self: self.page(REGISTERS))
    retention = property(lambda self: self.page(RETENTION))
    importer = property(lambda self: self.page(IMPORT))

    @property
    def lead_pages(self) -> list[tuple[str, Callable[[], QWidget]]]:
        """Straight after Home: (name, how to build it)."""
        return [(DASHBOARD, lambda: self.page(DASHBOARD))] if self.enabled else []

    @property
    def pages(self) -> list[tuple[str, Callable[[], QWidget]]]:
        """After the casework pages, before Staff: (name, how to build it)."""
        if not self.enabled:
            return []
        return [(name, lambda name=name: self.page(name))
                for name in (REPORTS, SARS, COMPLAINTS, REGISTERS, RETENTION, IMPORT)]

    def open_item(self, kind: str, record_id: str) -> QWidget | None:
        """Open what a dashboard item is about. Returns the page or dialog shown (None when
        the workspace opens it)."""
        if self.session.locked:
            return None
        if kind == "paper_file":
            self.showPage.emit(REGISTERS)
            return self.registers.show_paper_file(record_id)
        if kind in ("staff", "policy_review"):
            self.showPage.emit(REGISTERS)
            if kind == "staff":
                return self.registers.show_staff(record_id)
            return self.registers.show_policy_reviews()
        if kind == "sar":
            self.showPage.emit(SARS)
            return self.sars.show_request(record_id)
        if kind == "complaint":
            self.showPage.emit(COMPLAINTS)
            return self.complaints.show_complaint(record_id)
        if kind == "disclosure":
            return self.review_override(record_id)
        if kind in ("retention", "erasure", "erasure_request"):
            self.showPage.emit(RETENTION)
            if kind == "retention":
                record_kind, _, record = record_id.partition(":")
                return self.retention.show_record(record_kind, record)
            if kind == "erasure_request":
                return self.retention.show_request(record_id)
            return self.retention
        if kind == "device":
            return None     # a computer whose records differ: the item's text says it all

        self.openRecord.emit(kind, record_id)  # case, person, consent: the casework pages
        return None

    def review_override(self, disclosure_id: str) -> OverrideReviewDialog | None:
        if self.ops.busy:
            return None  # the worker has the connection; the item can be opened again in a moment
        try:
            record = disclosures.get_disclosure(self.session, disclosure_id)
        except ConfideError as exc:
            messages.warn(self.host, "Cannot open this override", describe_error(exc))
            return None
        dialog = OverrideReviewDialog(self.session, self.ops, record, self.host)
        dialog.openCase.connect(lambda case_id: self.openRecord.emit("disclosure", disclosure_id))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def clear(self) -> None:
        """On lock the pages clear themselves (they are workspace pages); nothing else is held."""
