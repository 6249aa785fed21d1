"""`confide hub repair`: put back, from this computer's own copies, every entry the check
found missing, rolled back, damaged or forged, and write a new snapshot when the hub lost
the one this computer wrote (docs/sync.md §15).

Never replaced: a whole, well-signed entry (an acknowledged entry stays, whatever a copy
says), so two computers repairing at once, or a repair from a stale copy, cannot undo
anyone's work. Where a copy is put back, what the hub held at that number is kept aside
(the folder's damaged/, PostgreSQL's confide.entries_replaced). Entries go back in order,
so a rolled-back hub gets its lost end again before anyone appends after it. Afterwards
every computer's next sync reads on from where it stopped, and all converge.
"""

from dataclasses import dataclass, field

from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.errors import ConfideError
from app.services.team import copies, snapshot
from app.services.team.hub_care.check import Finding, Report, check
from app.storage.hub.base import Hub, HubError, SequenceTaken

ENTRY_PROBLEMS = ("missing", "rolled_back", "damaged", "altered")


@dataclass
class RepairResult:
    restored: list[int] = field(default_factory=list)
    snapshot_written: int | None = None
    left: list[Finding] = field(default_factory=list)   # what this computer could not put right
    after: Report | None = None


def repair(conn, hub: Hub) -> RepairResult:
    """May raise: NotInTeam, HubUnavailable, HubError."""
    found = check(conn, hub)
    result = RepairResult()
    for finding in sorted(found.findings, key=lambda f: f.seq):
        if finding.what in ENTRY_PROBLEMS and finding.repairable:
            mine = copies.get(conn, finding.seq)
            try:
                hub.restore_entry(mine.seq, mine.device_id, mine.kind, mine.payload,
                                  replace=finding.what == "altered")
            except SequenceTaken:
                # Another computer put it back first, or wrote there: the check after says.
                continue
            except HubError as exc:
                result.left.append(Finding(finding.seq, finding.what, f"{finding.words} It could not be put "
                                           f"back: {exc.message}", False))
                continue
            result.restored.append(finding.seq)
        elif finding.what == "snapshot" and finding.repairable:
            try:
                result.snapshot_written = snapshot.put_snapshot(conn, hub)
            except ConfideError as exc:
                result.left.append(Finding(finding.seq, "snapshot", f"{finding.words} A new one could not be "
                                           f"written now: {exc.message}", False))
    result.after = check(conn, hub)
    seen = {f.seq for f in result.left}
    result.left += [f for f in result.after.findings if f.seq not in seen]
    return result


@grants(Scope.CASEWORK, "puts back hub entries from this computer's own copies")
def repair_session(session, hub: Hub) -> RepairResult:
    """May raise: Locked, PermissionDenied (a volunteer), NotInTeam, HubUnavailable, HubError."""
    session.require(Role.MANAGER, Role.CASEWORKER)
    return repair(session.conn, hub)


@grants(Scope.CASEWORK, "compares the hub with this computer's copies: no family's data shown")
def check_session(session, hub: Hub) -> Report:
    """May raise: Locked, PermissionDenied (a volunteer), NotInTeam, HubUnavailable, HubError."""
    session.require(Role.MANAGER, Role.CASEWORKER)
    return check(session.conn, hub)
