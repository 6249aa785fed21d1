"""The enquiries list as a RowTableModel: received, reference, caller, channel, route, type.
No "case" column: an enquiry is casework only if a case was opened from it. The caller's
name comes from a map filled by the view (peek_person: a list does not count as viewing)."""

from app.domain.choices import CallerRole, Channel, EnquiryType
from app.domain.records import Enquiry
from ui.formatting import uk_datetime
from ui.models.row_table_model import Column, RowTableModel

RECEIVED, REFERENCE, CALLER, CHANNEL, ROUTE, TYPE = range(6)
ROUTE_SHORT = {"self": "Self", "professional": "Professional"}
# The service's sort key (enquiry_list.SORTABLE) for each column; the caller is not sortable
# (names live in the people table, behind the firewall).
SORT_KEYS = {RECEIVED: "received", REFERENCE: "reference", CHANNEL: "channel", ROUTE: "route", TYPE: "type"}


def caller_text(enquiry: Enquiry, names: dict[str, str]) -> str:
    if enquiry.is_anonymous:
        offered = ", ".join(p for p in (enquiry.anonymous_first_name, enquiry.anonymous_area) if p)
        return f"Anonymous ({offered})" if offered else "Anonymous"
    name = names.get(enquiry.caller_id, "")
    role = CallerRole(enquiry.caller_role).label.lower()
    return f"{name} ({role})" if name else role.capitalize()


class EnquiryTableModel(RowTableModel):
    def __init__(self, parent=None):
        self.names: dict[str, str] = {}
        super().__init__([
            Column("Received", lambda e: uk_datetime(e.received_at), sort=lambda e: e.received_at),
            Column("Reference", lambda e: e.reference),
            Column("Caller", lambda e: caller_text(e, self.names), stretch=True),
            Column("Channel", lambda e: Channel(e.channel).label),
            Column("Route", lambda e: ROUTE_SHORT.get(e.route, e.route)),
            Column("Type", lambda e: EnquiryType(e.enquiry_type).label),
        ], parent=parent)

    def set_enquiries(self, enquiries: list[Enquiry], names: dict[str, str]) -> None:
        self.names = dict(names)
        self.set_rows(enquiries)

    def clear(self) -> None:
        self.names = {}
        super().clear()
