"""Demo register entries: the staff register (some training lapsed, a volunteer without an
agreement), policy reviews over the years, and paper files moving in and out (some overdue)."""

import random
from datetime import date, timedelta

from app.domain.role_matrix import Scope, grants
from app.security.session import Session
from app.services.casework import paper_files
from app.services.vault import registers
from app.storage import records
from app.storage.db import transaction


@grants(Scope.MANAGER)
def populate_registers(session: Session, seed: int, today: date | None = None) -> dict:
    """May raise: PermissionDenied (the manager's action)."""
    today = today or date.today()
    rng = random.Random(seed * 31 + 5)
    staff = session.conn.execute("SELECT username, role FROM staff WHERE active = 1 ORDER BY username").fetchall()
    for i, (username, role) in enumerate(staff):
        start = today - timedelta(days=rng.randrange(200, 3000))
        lapsed = i % 4 == 1
        training = today - timedelta(days=rng.randrange(380, 500) if lapsed else rng.randrange(20, 340))
        registers.update_staff_record(
            session, username, start_date=start, induction_on=start + timedelta(days=rng.randrange(1, 20)),
            dp_training_on=max(training, start),
            agreement_signed_on=None if (role == "volunteer" and i % 2 == 0) else start, today=today)
    for years_ago in (4, 3, 2, 1):
        registers.record_policy_review(session, today - timedelta(days=365 * years_ago + rng.randrange(-20, 20)),
                                       "Steering group", f"SG-{today.year - years_ago}-{rng.randrange(1, 12):02d}",
                                       today=today)
    cases = session.conn.execute("SELECT id, reference, worker FROM casefile WHERE status = 'open' "
                                 "ORDER BY opened_on DESC LIMIT 40").fetchall()
    moved = overdue = 0
    for n, (case_id, reference, worker) in enumerate(cases):
        paper = paper_files.add_file(session, f"PF-{reference}", rng.choice(["Cabinet A", "Cabinet B", "Archive room"]),
                                     case_id)
        if n % 3 == 0:
            taken = today - timedelta(days=rng.randrange(1, 15))
            back = taken + timedelta(days=rng.randrange(1, 10))
            overdue += back < today
            with transaction(session.conn):
                records.insert(session.conn, "paper_file_movement", {
                    "file_id": paper.id, "checked_out_by": worker, "checked_out_on": taken.isoformat(),
                    "taken_to": rng.choice(["Family meeting", "School annual review", "Mediation meeting"]),
                    "expected_back": back.isoformat()}, session.user.username)
            moved += 1
    return {"paper_files": len(cases), "files_out": moved, "files_overdue": overdue}
