"""The other side of a consent or a disclosure: a named professional (at their organisation)
or an organisation as a whole. Both consent and the disclosure log use these rules."""

from dataclasses import dataclass

from app.domain.choices import PersonKind
from app.domain.role_matrix import Scope, grants
from app.errors import ValidationError
from app.security.session import Session
from app.services.casework import people


@dataclass(frozen=True)
class Counterparty:
    person_id: str | None
    organisation_id: str | None
    label: str


def label(first: str | None, last: str | None, job_title: str | None, organisation: str | None) -> str:
    """'Priya Okafor (SENCo, Hillside Primary School)', or just the organisation's name."""
    name = " ".join(p for p in (first, last) if p)
    if not name:
        return organisation or ""
    detail = ", ".join(p for p in (job_title, organisation) if p)
    return f"{name} ({detail})" if detail else name


@grants(Scope.CASEWORK)
def resolve(session: Session, person_id: str | None, organisation_id: str | None) -> Counterparty:
    """Check what a form named. A professional brings their current organisation with them.

    May raise: ValidationError (field 'counterparty'), PermissionDenied.
    """
    conn = session.conn
    if person_id:
        row = conn.execute(
            "SELECT p.kind, p.first_name, p.last_name, p.job_title, p.organisation_id, o.name AS org "
            "FROM person p LEFT JOIN organisation o ON o.id = p.organisation_id "
            "WHERE p.id = ? AND p.deleted_at IS NULL", (person_id,)).fetchone()
        if row is None:
            raise ValidationError("That professional is not on record.", field="counterparty")
        if row["kind"] != PersonKind.PROFESSIONAL:
            raise ValidationError("Consent and the disclosure log name a professional or an organisation; "
                                  "this person is not recorded as a professional.", field="counterparty")
        if organisation_id and organisation_id != row["organisation_id"]:
            raise ValidationError("That professional is not recorded as working at that organisation.",
                                  field="counterparty")
        return Counterparty(person_id, row["organisation_id"],
                            label(row["first_name"], row["last_name"], row["job_title"], row["org"]))
    if organisation_id:
        row = conn.execute("SELECT name FROM organisation WHERE id = ? AND deleted_at IS NULL",
                           (organisation_id,)).fetchone()
        if row is None:
            raise ValidationError("That organisation is not on record.", field="counterparty")
        return Counterparty(None, organisation_id, row["name"])
    raise ValidationError("Choose the professional or organisation.", field="counterparty")


@grants(Scope.CASEWORK)
def choices(session: Session, limit: int = 500) -> list[Counterparty]:
    """Every professional and organisation, for a form's pick list: organisations first."""
    conn = session.conn
    orgs = [Counterparty(None, r["id"], r["name"]) for r in conn.execute(
        "SELECT id, name FROM organisation WHERE deleted_at IS NULL ORDER BY name COLLATE NOCASE LIMIT ?",
        (int(limit),))]
    people = [Counterparty(r["id"], r["organisation_id"], label(r["first_name"], r["last_name"],
                                                               r["job_title"], r["org"]))
              for r in conn.execute(
                  "SELECT p.id, p.first_name, p.last_name, p.job_title, p.organisation_id, o.name AS org "
                  "FROM person p LEFT JOIN organisation o ON o.id = p.organisation_id "
                  "WHERE p.kind = 'professional' AND p.deleted_at IS NULL "
                  "ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE LIMIT ?", (int(limit),))]
    return orgs + people


@grants(Scope.CASEWORK, "a professional the family names while giving consent (R5, R6)")
def add_professional(session: Session, first_name: str, last_name: str, job_title: str | None = None,
                     organisation: str | None = None, phone: str | None = None,
                     email: str | None = None) -> Counterparty:
    """Record a professional who is not yet on record (the SENCo the family names at the
    meeting) and return them as a counterparty a consent can name. Their organisation is
    found by name or recorded. May raise: ValidationError (with the field at fault),
    PermissionDenied."""
    if not (organisation or "").strip() and not (job_title or "").strip():
        raise ValidationError("Give their role or their organisation, so the family and colleagues know "
                              "which professional this is.", field="job_title")
    person = people.create_person(session, people.PersonInput(
        kind=PersonKind.PROFESSIONAL.value, first_name=first_name or "", last_name=last_name or "",
        job_title=job_title, organisation_name=organisation, phone_work=phone, email=email))
    return resolve(session, person.id, None)
