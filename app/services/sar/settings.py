"""The service's statement of transfers outside the UK (Article 15(2) UK GDPR), given in every
subject access pack's supplementary information. A manager setting, kept in the encrypted
database like the others.

Confide keeps everything on the computer, so the default is "none"; a service that sends
personal data abroad (an email or cloud provider outside the UK) says where, and under which
safeguard (UK adequacy regulations, an International Data Transfer Agreement, the UK
Addendum to the EU standard contractual clauses, binding corporate rules).
"""

import json
from dataclasses import dataclass

from app.domain.role_matrix import Scope, grants
from app.domain.text import clean
from app.errors import ValidationError
from app.security.session import Session
from app.services import settings_change

KEY = "sar_transfers_outside_uk"
SAFEGUARDS = ("UK adequacy regulations", "International Data Transfer Agreement (IDTA)",
              "UK Addendum to the EU standard contractual clauses", "Binding corporate rules")


@dataclass(frozen=True)
class Transfers:
    none: bool = True
    destinations: str = ""
    safeguard: str = ""

    def statement(self) -> str:
        """The sentence the pack prints."""
        if self.none:
            return "We do not transfer your personal information to any country outside the UK."
        return (f"We transfer personal information outside the UK: {self.destinations}. These transfers are "
                f"protected by: {self.safeguard}. Ask us if you would like a copy of the safeguard.")


@grants(Scope.ANY, "the service's settings")
def transfers(session: Session) -> Transfers:
    row = session.conn.execute("SELECT value FROM setting WHERE key = ?", (KEY,)).fetchone()
    return Transfers(**json.loads(row[0])) if row else Transfers()


@grants(Scope.MANAGER)
def set_transfers(session: Session, none: bool, destinations: str | None = None,
                  safeguard: str | None = None) -> Transfers:
    """May raise: PermissionDenied (managers only), ValidationError (transfers without where or
    without their safeguard)."""
    if none:
        value = Transfers()
    else:
        where = clean(destinations, "destinations", "Where the information goes", max_len=500, multiline=True)
        how = clean(safeguard, "safeguard", "The safeguard", max_len=300)
        if not where:
            raise ValidationError("Say which countries or organisations outside the UK receive personal "
                                  "information, or choose 'none'.", field="destinations")
        if not how:
            raise ValidationError("Say which safeguard protects the transfers (for example an International "
                                  "Data Transfer Agreement).", field="safeguard")
        value = Transfers(False, where, how)
    # The team's on a team computer: every computer's packs say the same (settings.put).
    settings_change.put(session, KEY, dict(value.__dict__))
    return value
