"""The audit checkpoint: the head of the audit trail (sequence and hash), written down
outside this computer by the manager (printed, or kept by the team vault's hub later), so
that a rewrite of the trail by someone holding the data key can be shown later."""

from dataclasses import dataclass

from app import clock
from app.domain.role_matrix import Scope, grants
from app.security import audit
from app.security.session import Session
from app.storage import db


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    taken_at: str
    service_name: str

    @property
    def text(self) -> str:
        return audit.format_checkpoint({"seq": self.seq, "hash": self.hash})


@grants(Scope.MANAGER, "audited")
def current_checkpoint(session: Session) -> Checkpoint:
    """The head now, after recording that it was taken (so the checkpoint covers that too).

    May raise: Locked, PermissionDenied.
    """
    with db.transaction(session.conn):
        head = session.audit("audit_checkpoint_taken", "vault", session.vault.vault_id)
    session.save_audit_head()
    return Checkpoint(head["seq"], head["hash"], clock.now().strftime("%d/%m/%Y %H:%M"),
                      session.vault.service_name)
