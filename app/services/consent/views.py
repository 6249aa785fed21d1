"""What the case screen and the manager see of consent: each case's consents with their state
(live, expiring within 30 days, expired, withdrawn, replaced) and its disclosure log; for the
manager, overrides awaiting review and consents about to lapse."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from app.domain.consent import EXPIRING_SOON_DAYS, IN_FORCE_SQL, Consent, ConsentState, Disclosure
from app.domain.dashboard import Item, Section
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.domain.text import uk_date
from app.security.session import Session
from app.services import access
from app.services.casework import cases
from app.services.consent import disclosures
from app.services.consent.records import (
    CONSENT_SELECT,
    consent_from_row,
    consents_for_case,
)

# In force first, then the rest; the newest first within each.
_ORDER = [ConsentState.EXPIRING, ConsentState.LIVE, ConsentState.EXPIRED, ConsentState.WITHDRAWN,
          ConsentState.REPLACED, ConsentState.NOT_YET_GIVEN]


@dataclass
class ConsentLine:
    consent: Consent
    state: ConsentState

    @property
    def text(self) -> str:
        c = self.consent
        status = {ConsentState.LIVE: f"until {uk_date(c.expires_on)}",
                  ConsentState.EXPIRING: f"review by {uk_date(c.expires_on)}",
                  ConsentState.EXPIRED: f"since {uk_date(c.expires_on)}",
                  ConsentState.WITHDRAWN: f"on {uk_date(c.withdrawn_on)}",
                  ConsentState.REPLACED: f"on {uk_date(c.replaced_on)}"}.get(self.state, "")
        return f"{c.scope_label}: {self.state.label.lower()} {status} (given by {c.given_by_name})".replace("  ", " ")


@dataclass
class CaseConsents:
    case_id: str
    reference: str
    today: date
    consents: list[ConsentLine] = field(default_factory=list)
    disclosures: list[Disclosure] = field(default_factory=list)

    @property
    def in_force(self) -> list[ConsentLine]:
        return [line for line in self.consents if line.state.in_force]


@grants(Scope.CASEWORK)
def case_consents(session: Session, case_id: str, today: date | None = None) -> CaseConsents:
    """A case's consents with their state on `today`, and its disclosure log."""
    today = today or date.today()
    case = cases.load_case(session, case_id)
    lines = [ConsentLine(c, c.state(today)) for c in consents_for_case(session, case.id)]
    lines.sort(key=lambda line: _ORDER.index(line.state))
    return CaseConsents(case.id, case.reference, today, lines, disclosures.disclosures_for_case(session, case.id))


@grants(Scope.CASEWORK, "caseworkers: their cases")
def expiring_consents(session: Session, today: date | None = None, within_days: int = EXPIRING_SOON_DAYS,
                      limit: int = 200) -> list[Consent]:
    """In-force consents whose review date falls within `within_days`, soonest first. A manager
    sees every case; a caseworker the cases they work."""
    today = today or date.today()
    params = {"day": today.isoformat(), "until": (today + timedelta(days=within_days)).isoformat(),
              "limit": int(limit), **access.visibility_params(session)}
    mine = "" if session.user.role == Role.MANAGER else "AND cf.worker = :me "
    rows = session.conn.execute(
        CONSENT_SELECT + f"WHERE c.expires_on BETWEEN :day AND :until AND {IN_FORCE_SQL} {mine}"
        f"AND (c.case_id IS NULL OR {access.case_visible_sql('cf')}) "
        "ORDER BY c.expires_on, cf.reference LIMIT :limit", params)
    return [consent_from_row(r) for r in rows]


@dataclass
class ManagerConsentView:
    today: date
    overrides: list[Disclosure]
    expiring: list[Consent]


@grants(Scope.MANAGER)
def manager_view(session: Session, today: date | None = None) -> ManagerConsentView:
    today = today or date.today()
    return ManagerConsentView(today, disclosures.unreviewed_overrides(session), expiring_consents(session, today))


# --- sections for the manager's dashboard (app.services.reports.dashboard.EXTRA_SECTIONS) -----------------
@grants(Scope.MANAGER, "dashboard")
def overrides_section(session: Session, today: date):
    section = Section("overrides_unreviewed", "Shared without consent: to review",
                      empty_text="No overrides waiting for review.")
    for d in disclosures.unreviewed_overrides(session):
        section.items.append(Item(f"{d.case_reference}: {d.basis_label}", "disclosure", d.id,
                                  detail=f"{d.created_by}, {uk_date(d.disclosed_on)}"))
    return section


@grants(Scope.MANAGER, "dashboard")
def self_reviewed_section(session: Session, today: date):
    """Overrides reviewed by the manager who made them (no other manager could): kept in view."""
    section = Section("overrides_self_reviewed", "Shared without consent: self-reviewed",
                      empty_text="No override was reviewed by the manager who made it.")
    for d in disclosures.self_reviewed_overrides(session, today):
        section.items.append(Item(f"{d.case_reference}: {d.basis_label} (self-reviewed)", "disclosure", d.id,
                                  severity="info", detail=f"{d.created_by}, {uk_date(d.disclosed_on)}; "
                                  f"reviewed {uk_date(d.reviewed_at)}"))
    return section


@grants(Scope.MANAGER, "dashboard")
def expiring_section(session: Session, today: date):
    section = Section("consents_expiring", f"Consents to review within {EXPIRING_SOON_DAYS} days",
                      empty_text="No consents are due for review.")
    for c in expiring_consents(session, today):
        section.items.append(Item(f"{c.case_reference or 'No case'}: {c.scope_label}", "consent", c.id,
                                  severity="due_soon", detail=f"review by {uk_date(c.expires_on)}"))
    return section
