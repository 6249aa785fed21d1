"""Demo subject access requests in every state: awaiting identity, awaiting clarification, in
review, extended, sent (on time and late, with real packs recorded), overdue, withdrawn."""

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from app.domain.role_matrix import Scope, grants
from app.security.session import Session
from app.services.sar import pack as sar_pack
from app.services.sar import register as sar
from app.services.sar import review as sar_review
from app.storage import records
from app.storage.db import transaction


@grants(Scope.MANAGER)
def populate_sars(session: Session, count: int, seed: int, today: date | None = None) -> dict:
    """May raise: PermissionDenied (the manager's action)."""
    today = today or date.today()
    rng = random.Random(seed * 131 + 7)
    clients = [r[0] for r in session.conn.execute(
        "SELECT DISTINCT client_id FROM casefile WHERE client_id != child_id ORDER BY client_id LIMIT ?", (count * 3,))]
    rng.shuffle(clients)
    states = {}
    with tempfile.TemporaryDirectory(prefix="confide-demo-") as tmp:
        for n, subject_id in enumerate(clients[:count]):
            kind = ["awaiting_id", "clarification", "in_review", "extended", "overdue", "withdrawn",
                    "sent", "sent", "sent", "sent"][n % 10] if n >= 7 else \
                ["awaiting_id", "clarification", "in_review", "extended", "overdue", "withdrawn", "sent"][n]
            age = {"awaiting_id": 3, "clarification": 12, "in_review": 10, "extended": 45, "overdue": 40,
                   "withdrawn": 90}.get(kind, rng.randrange(60, 3000))
            received = today - timedelta(days=age)
            request = sar.register(session, received, subject_id, "subject", today=today)
            states[kind] = states.get(kind, 0) + 1
            if kind == "awaiting_id":
                continue
            sar.confirm_identity(session, request.id, rng.choice(["Passport seen", "Known to the caseworker",
                                                                  "Utility bill and photo ID"]), received, today=today)
            if kind == "clarification":
                sar.request_clarification(session, request.id, received + timedelta(days=2), today=today)
            elif kind == "extended":
                sar.extend(session, request.id, 2, "Large volume of records to review", today=received + timedelta(days=10))
            elif kind == "withdrawn":
                sar.withdraw(session, request.id)
            elif kind == "sent":
                _send(session, request.id, Path(tmp), rng, today)
    return states


def _send(session: Session, sar_id: str, folder: Path, rng: random.Random, today: date) -> None:
    """A real pack, decided and recorded; the file itself is thrown away (demo only)."""
    review = sar_review.load_review(session, sar_id, suggestions=False)
    for item in review.items:
        if item.needs_decision:
            sar_review.decide(session, sar_id, item.key, False, "Demo: exempt")
    sar_review.complete_review(session, sar_id)
    sar_pack.generate_pack(session, sar_id, folder / "pack.pdf", password="demo-pack-password")
    due = date.fromisoformat(sar.get_sar(session, sar_id).due_on)
    sent_on = min(due + timedelta(days=rng.choice([-20, -10, -5, -1, 0, 3])), today)
    with transaction(session.conn):
        session.conn.execute("UPDATE sar_disclosure SET sent_on = ?, sent_method = 'Secure email' WHERE sar_id = ?",
                             (sent_on.isoformat(), sar_id))
        records.update(session.conn, "subject_access_request", sar_id,
                       {"status": "sent", "sent_on": sent_on.isoformat(), "sent_method": "Secure email"},
                       session.user.username)


