"""Who may see what (R4, R16, roles). Every service asks here before it reads or writes.

The separate-enquiry firewall itself is app.domain.firewall (one rule, with its SQL form);
this module applies it to the signed-in member of staff, adds the role scopes (volunteers
handle general information only), and writes the audit event of a bulk read. Which role may
call which service function is the table in app.domain.role_matrix.
"""

from app.domain import firewall
from app.domain.records import Case, Person
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.errors import NotFound, PermissionDenied
from app.security.session import Session
from app.storage.db import transaction

RESTRICTED_CASE = "This case is restricted: only its caseworker and the manager can open it."
RESTRICTED_PERSON = "This person's record is restricted: only the manager and the worker of their own case can open it."


@grants(Scope.HELPER)
def viewer(session: Session) -> firewall.Viewer:
    role = session.user.role
    return firewall.Viewer(reads_casework=role in (Role.MANAGER, Role.CASEWORKER), manager=role == Role.MANAGER,
                           username=session.user.username)


def sar_viewer(subject_id: str, requester_kind: str, young_person_agreed) -> firewall.Viewer:
    """A subject access pack is read by its requester. The subject (or their representative,
    who holds their written authority) reads their own case; a parent reads a young person's
    own records only with the young person's agreement."""
    return firewall.Viewer(reads_casework=True, person_id=subject_id if requester_kind != "parent" else "",
                           young_person_agreed=bool(young_person_agreed))


# SQL: cases `c` the current user may see. Bind visibility_params(session).
VISIBLE_CASE_SQL = firewall.sql("c")


def case_visible_sql(alias: str) -> str:
    """SQL: the casefile row `alias` may be seen (same rule, another alias)."""
    return firewall.sql(alias)


def in_visible_case_sql(case_id: str, nullable: bool = False) -> str:
    """SQL: a record whose case is `case_id` (an SQL expression) may be seen. With `nullable`,
    a record in no case passes (contact consents, incidents with no case)."""
    inner = (f"EXISTS (SELECT 1 FROM casefile fwv WHERE fwv.id = {case_id} AND fwv.deleted_at IS NULL "
             f"AND {firewall.sql('fwv')})")
    return f"({case_id} IS NULL OR {inner})" if nullable else inner


def person_hidden_sql(person_id: str) -> str:
    """SQL: the person `person_id` is known to this viewer only through a young person's own
    case they may not see (they are its young person, and in no case the viewer may see). The
    young person's name, contact details and the fact of their case stay inside it (R4)."""
    return (f"(EXISTS (SELECT 1 FROM casefile fwh WHERE fwh.client_id = {person_id} AND fwh.own_case = 1 "
            f"AND fwh.deleted_at IS NULL AND NOT {firewall.sql('fwh')}) AND NOT EXISTS (SELECT 1 FROM casefile fwo "
            f"WHERE (fwo.client_id = {person_id} OR fwo.child_id = {person_id}) AND fwo.deleted_at IS NULL "
            f"AND {firewall.sql('fwo')}))")


def enquiry_visible_sql(alias: str = "e") -> str:
    """SQL: the enquiry `alias` may be seen. Volunteers: the general-information enquiries
    they handled. Caseworkers and the manager: the ones they handled, and the rest unless the
    firewall closes them (a young person's own contact, or one that opened a firewalled case)."""
    return (f"((:fw_reads_casework = 1 AND ({alias}.handled_by = :fw_username OR {firewall.enquiry_sql(alias)})) "
            f"OR (:fw_reads_casework = 0 AND {alias}.enquiry_type = 'general' AND {alias}.handled_by = :fw_username))")


@grants(Scope.HELPER)
def visibility_params(session: Session) -> dict:
    """Parameters for every SQL form above (:me and :manager kept for older queries)."""
    return {**firewall.params(viewer(session)), "me": session.user.username,
            "manager": int(session.user.role == Role.MANAGER)}


@grants(Scope.HELPER)
def require_casework(session: Session) -> None:
    """Volunteers handle general-information enquiries only."""
    session.require(Role.MANAGER, Role.CASEWORKER)


@grants(Scope.HELPER)
def can_view_case(session: Session, case: Case) -> bool:
    return firewall.allows(viewer(session), case)


@grants(Scope.HELPER)
def check_case(session: Session, case: Case | None) -> Case:
    if case is None:
        raise NotFound("That case does not exist or has been removed.")
    if not can_view_case(session, case):
        raise PermissionDenied(RESTRICTED_CASE)
    return case


@grants(Scope.HELPER)
def check_person_visible(session: Session, person_id: str) -> None:
    """May raise: PermissionDenied (the person is known only through a firewalled case)."""
    hidden = session.conn.execute(f"SELECT {person_hidden_sql(':pid')}",
                                  {**visibility_params(session), "pid": person_id}).fetchone()[0]
    if hidden:
        raise PermissionDenied(RESTRICTED_PERSON)


# What a volunteer taking a general-information enquiry sees of a person: enough to recognise a
# caller, nothing of a child's needs, a family's phones and addresses, or staff-safety notes.
VOLUNTEER_PERSON_FIELDS = ("id", "kind", "first_name", "last_name", "known_as", "area", "version")


@grants(Scope.HELPER)
def person_as_seen(session: Session, person: Person) -> Person:
    """The person as this member of staff may see them (volunteers: VOLUNTEER_PERSON_FIELDS)."""
    if session.user.role != Role.VOLUNTEER:
        return person
    return Person(**{name: getattr(person, name) for name in VOLUNTEER_PERSON_FIELDS})


@grants(Scope.HELPER)
def can_see_restricted(session: Session, case: Case) -> bool:
    """Safeguarding concerns and incidents (R16): the manager and the case's worker only."""
    return session.user.role == Role.MANAGER or case.worker == session.user.username


@grants(Scope.HELPER)
def audit_bulk_read(session: Session, what: str, rows: int, **asked) -> None:
    """A list or search that returns people is an audit event: what was asked and how many
    rows came back, never who (no names typed, no ids returned)."""
    detail = {"rows": int(rows), **{k: v for k, v in asked.items() if v is not None}}
    if session.conn.in_transaction:
        session.audit("bulk_read", what, None, detail)
        return
    with transaction(session.conn):
        session.audit("bulk_read", what, None, detail)
