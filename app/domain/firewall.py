"""The separate-enquiry firewall (R4), written once.

A young person who comes to us themselves has their own case, and nothing from it reaches
anyone outside it (a parent, the parent's caseworker, the parent's subject access pack)
unless the young person agreed. Everything held in a case follows the case: the case, its
notes, actions, consents, disclosures, safeguarding concerns, paper files and incidents, and
the enquiry that opened it. A young person's own enquiry with no case yet is their own too.

The rule is data (RULE below), so that the check on a record in Python and the condition in
SQL are both generated from it and cannot drift apart; a test compares the two on every
combination of inputs. Services reach it through app.services.access.
"""

from collections.abc import Mapping
from dataclasses import dataclass

# What the rule may read about the case a record belongs to.
CASE_COLUMNS = ("worker", "own_case", "shared_with_family", "client_id")


@dataclass(frozen=True)
class Viewer:
    """Who is reading. Staff read as themselves; a subject access pack is read by the
    requester, so gathering one reads as them (see access.sar_viewer)."""

    reads_casework: bool  # managers and caseworkers; volunteers see no casework at all
    manager: bool = False
    username: str = ""  # the member of staff; "" for a family member
    person_id: str = ""  # the person reading about themselves (a SAR by the subject)
    young_person_agreed: bool = False  # recorded on the subject access request


# A record in a case may be read when every part of "all" holds and at least one part of "any".
# Operands: "viewer.<field>", "case.<column>" or a literal integer.
RULE = ("all", [
    ("eq", "viewer.reads_casework", 1),
    ("any", [
        ("eq", "viewer.manager", 1),  # the manager monitors the policy (R17) and sees the link
        ("eq", "case.worker", "viewer.username"),  # the case's own caseworker
        ("eq", "case.own_case", 0),  # a parent's case about their child is not firewalled
        ("eq", "case.shared_with_family", 1),  # the young person agreed, on the case
        ("eq", "case.client_id", "viewer.person_id"),  # the young person reading their own
        ("eq", "viewer.young_person_agreed", 1),  # the young person agreed, on the request
    ]),
])

# Someone outside the case with no agreement: who a firewalled case is closed to.
OUTSIDER = Viewer(reads_casework=True)


def _normal(value):
    if isinstance(value, bool):
        return int(value)
    return "" if value is None else value


def _value(operand, viewer: Viewer, scope):
    if isinstance(operand, int):
        return operand
    side, name = operand.split(".", 1)
    if side == "viewer":
        return _normal(getattr(viewer, name))
    if isinstance(scope, Mapping) or hasattr(scope, "keys"):
        return _normal(scope[name])
    return _normal(getattr(scope, name))


def _holds(node, viewer: Viewer, scope) -> bool:
    op = node[0]
    if op == "all":
        return all(_holds(n, viewer, scope) for n in node[1])
    if op == "any":
        return any(_holds(n, viewer, scope) for n in node[1])
    return _value(node[1], viewer, scope) == _value(node[2], viewer, scope)


def allows(viewer: Viewer, scope) -> bool:
    """May `viewer` read what is held in the case `scope` (a Case, a row, or a mapping with
    CASE_COLUMNS)?"""
    return _holds(RULE, viewer, scope)


def is_firewalled(scope) -> bool:
    """A young person's own case that they have not agreed to share with their family."""
    return not allows(OUTSIDER, scope)


def _operand_sql(operand, columns: Mapping[str, str]) -> str:
    if isinstance(operand, int):
        return str(operand)
    side, name = operand.split(".", 1)
    return f":fw_{name}" if side == "viewer" else columns[name]


def _node_sql(node, columns: Mapping[str, str]) -> str:
    op = node[0]
    if op in ("all", "any"):
        joiner = " AND " if op == "all" else " OR "
        return "(" + joiner.join(_node_sql(n, columns) for n in node[1]) + ")"
    return f"{_operand_sql(node[1], columns)} = {_operand_sql(node[2], columns)}"


def sql(columns: Mapping[str, str] | str = "c") -> str:
    """The rule as an SQL condition. `columns` is a table alias for casefile, or a mapping
    from each of CASE_COLUMNS to an SQL expression. Bind params(viewer). Every operand is
    bound to a non-NULL value, so NULL logic never enters (a test checks this)."""
    if isinstance(columns, str):
        columns = {c: f"{columns}.{c}" for c in CASE_COLUMNS}
    return _node_sql(RULE, columns)


def params(viewer: Viewer) -> dict:
    return {f"fw_{k}": _normal(v) for k, v in viewer.__dict__.items()}


# --- enquiries: their case, or, for a young person's own contact with no case, themselves ---

def enquiry_scope(enquiry, case=None) -> dict:
    """The case an enquiry counts as, for the rule. `enquiry` needs caller_id, child_id and
    handled_by; `case` is its case (row or Case) when it has one."""
    if case is not None:
        return {c: _value(f"case.{c}", OUTSIDER, case) for c in CASE_COLUMNS}
    get = enquiry.__getitem__ if hasattr(enquiry, "keys") else lambda k: getattr(enquiry, k)
    caller = get("caller_id")
    return {"worker": get("handled_by"), "own_case": int(bool(caller) and caller == get("child_id")),
            "shared_with_family": 0, "client_id": caller or ""}


def enquiry_sql(alias: str = "e") -> str:
    """SQL: the rule holds for the enquiry `alias` (same scope as enquiry_scope)."""
    own = f"({alias}.caller_id IS NOT NULL AND coalesce({alias}.caller_id = {alias}.child_id, 0))"
    alone = sql({"worker": f"{alias}.handled_by", "own_case": own, "shared_with_family": "0",
                 "client_id": f"coalesce({alias}.caller_id, '')"})
    return (f"(CASE WHEN {alias}.case_id IS NULL THEN {alone} ELSE EXISTS (SELECT 1 FROM casefile fwc "
            f"WHERE fwc.id = {alias}.case_id AND {sql('fwc')}) END)")
