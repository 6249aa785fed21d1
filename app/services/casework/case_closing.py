"""The check made before a case closes: open actions, no notes, no outcome (the rule is in
app/domain/case_closing.py; the question is the screen's)."""

from app.domain.case_closing import closing_gaps
from app.domain.role_matrix import Scope, grants
from app.security.session import Session
from app.services import access
from app.services.casework.cases import load_case


@grants(Scope.CASEWORK)
def gaps_before_closing(session: Session, case_id: str, outcomes: list[str]) -> list[str]:
    """What is missing if the case closes now with `outcomes` ticked.

    May raise: NotFound, PermissionDenied (outside the firewall, or a volunteer).
    """
    case = load_case(session, case_id)
    access.require_casework(session)
    conn = session.conn
    open_actions = conn.execute("SELECT count(*) FROM action_item WHERE case_id = ? AND done_at IS NULL "
                                "AND deleted_at IS NULL", (case.id,)).fetchone()[0]
    notes = conn.execute("SELECT count(*) FROM note WHERE case_id = ? AND deleted_at IS NULL",
                         (case.id,)).fetchone()[0]
    return closing_gaps(open_actions, notes, len(outcomes))
