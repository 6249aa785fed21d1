"""Who may call each public service function, and with what scope: the role matrix.

Each service function that takes a session declares its scope once, at its definition, with
`@grants(Scope.X)`; the decorator both enforces the role and registers the row. The menus ask
`allows(role, "module.function")`; tests/security/test_role_matrix.py walks every public
function in app.services that takes a session, fails when one is not declared, and calls each
restricted one as the manager, the case's worker, a colleague and a volunteer to prove the
service itself refuses or allows it. Helpers that take no session are not rows.
"""

import functools
from dataclasses import dataclass
from enum import StrEnum

from app.domain.staff import Role


class Scope(StrEnum):
    NO_SESSION = "no session: a pure helper, or works before sign-in with the credentials it is given"
    HELPER = "a check or query helper other services call; it reads no family's records by itself"
    ANY = "any signed-in member of staff"
    GENERAL = "everyone; volunteers only what general-information enquiries need, casework staff within the firewall"
    CASEWORK = "caseworkers and the manager, in the cases the firewall lets them see"
    RESTRICTED = "the manager and the case's own worker"
    MANAGER = "the manager only"


ROLES = {
    Scope.NO_SESSION: frozenset(), Scope.HELPER: frozenset(),
    Scope.ANY: frozenset(Role), Scope.GENERAL: frozenset(Role),
    Scope.CASEWORK: frozenset({Role.MANAGER, Role.CASEWORKER}),
    Scope.RESTRICTED: frozenset({Role.MANAGER, Role.CASEWORKER}),
    Scope.MANAGER: frozenset({Role.MANAGER}),
}


@dataclass(frozen=True)
class Grant:
    scope: Scope
    note: str = ""

    @property
    def roles(self) -> frozenset[Role]:
        return ROLES[self.scope]

    @property
    def restricted(self) -> bool:
        """A volunteer or a caseworker can be refused: the test calls it as each role."""
        return self.scope in (Scope.CASEWORK, Scope.RESTRICTED, Scope.MANAGER)


# What each scope checks before the function runs; None: registered only (the function
# checks what it needs itself, or reads nothing of a family's by itself).
ENFORCED: dict[Scope, tuple[Role, ...] | None] = {
    Scope.NO_SESSION: None, Scope.HELPER: None,
    Scope.ANY: (), Scope.GENERAL: (),
    Scope.CASEWORK: (Role.MANAGER, Role.CASEWORKER), Scope.RESTRICTED: (Role.MANAGER, Role.CASEWORKER),
    Scope.MANAGER: (Role.MANAGER,),
}
PREFIX = "app.services."

# "module.function" (the module's path below app.services) -> its grant, filled in by @grants
# as each service module is imported.
MATRIX: dict[str, Grant] = {}


def grants(scope: Scope, note: str = "", *, before_forced_change: bool = False):
    """Declare who may call a service function, at its definition, and enforce it: the
    session's role is checked before the body runs (session.require refuses a locked session,
    a passphrase that must change first, and a role outside the scope). The declaration is also
    the function's row in MATRIX, which the menus and tests/security/test_role_matrix.py read.

    Finer rules (the R4 firewall, the case's own worker for RESTRICTED, the author of a note)
    stay in the body: they depend on the record, not only on the role.

    `before_forced_change`: callable while a manager-reset passphrase still has to be changed
    (changing it is the one thing such a session may do); the body checks the session itself."""
    roles = None if before_forced_change else ENFORCED[scope]

    def mark(fn):
        module = fn.__module__.removeprefix(PREFIX)
        MATRIX[f"{module}.{fn.__qualname__}"] = Grant(scope, note)
        if roles is None:
            return fn

        @functools.wraps(fn)
        def checked(session, *args, **kwargs):
            with session.service_call(*roles):
                return fn(session, *args, **kwargs)

        return checked

    return mark


def reads_casework(role: Role) -> bool:
    """Casework (cases, notes, consent, people beyond an enquiry) is for managers and
    caseworkers; volunteers handle general-information enquiries only."""
    return role in ROLES[Scope.CASEWORK]


def may_work_cases(role: Role, active: bool) -> bool:
    """May be a case's worker, or have cases checked out to them: active, and reads casework."""
    return bool(active) and reads_casework(role)


def manages(role: Role) -> bool:
    """The manager's rights: the link between separate cases, staff, reports, SARs."""
    return role in ROLES[Scope.MANAGER]


def grant(function: str) -> Grant | None:
    """The entry for "module.function" (the module's path below app.services)."""
    return MATRIX.get(function)


def allows(role: Role, function: str) -> bool:
    """Whether `role` may call "module.function": the one rule the menus and the services share.
    Helpers and functions needing no session are open to every role.

    May raise: KeyError when the function has no entry (a menu naming a function that does not
    exist must fail its test, not quietly show the item)."""
    entry = MATRIX[function]
    return not entry.roles or role in entry.roles
