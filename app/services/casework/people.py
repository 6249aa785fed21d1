"""People and their relationships: children and young people, parents and carers, other
family members, professionals; contact preferences (R9); parental responsibility (R3)."""

from dataclasses import dataclass, fields
from datetime import date

from app.domain.choices import EhcpStatus, PersonKind, PrimaryNeed, Relationship, SchoolPhase
from app.domain.records import Person, RelationshipLink
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.domain.text import NAME_MAX, SHORT_MAX, age_on, clean, clean_name, parse_date
from app.errors import NotFound, PermissionDenied, StaleEdit, ValidationError
from app.security.session import Session
from app.services import access
from app.storage import records, search_index
from app.storage.db import transaction

MAX_AGE_CHILD = 25


@dataclass
class PersonInput:
    kind: str
    first_name: str = ""
    last_name: str = ""
    known_as: str | None = None
    date_of_birth: object = None
    school_name: str | None = None
    school_phase: str | None = None
    primary_need: str | None = None
    ehcp_status: str | None = None
    organisation_name: str | None = None
    job_title: str | None = None
    address: str | None = None
    postcode: str | None = None
    area: str | None = None
    phone_home: str | None = None
    phone_mobile: str | None = None
    phone_work: str | None = None
    email: str | None = None
    ok_home: int | None = None
    ok_mobile: int | None = None
    ok_work: int | None = None
    ok_voicemail: int | None = None
    ok_message_family: int | None = None
    ok_message_colleague: int | None = None
    ok_email: int | None = None
    ok_post: int | None = None
    contact_note: str | None = None


_PREFS = [f.name for f in fields(PersonInput) if f.name.startswith("ok_")]


def _validate(data: PersonInput, today: date) -> dict:
    kind = PersonKind.parse(data.kind, "kind")
    values = {
        "kind": kind.value,
        "first_name": clean_name(data.first_name, "first_name", "First name", max_len=NAME_MAX) or "",
        "last_name": clean_name(data.last_name, "last_name", "Last name", max_len=NAME_MAX) or "",
        "known_as": clean_name(data.known_as, "known_as", "Known as", max_len=NAME_MAX),
    }
    if not values["first_name"] and not values["last_name"]:
        raise ValidationError("Enter a first name or a last name.", field="first_name")
    born = parse_date(data.date_of_birth, "date_of_birth", "Date of birth")
    if born is not None:
        if born > today:
            raise ValidationError("The date of birth is in the future.", field="date_of_birth")
        if age_on(born, today) > 120:
            raise ValidationError("That date of birth is more than 120 years ago.", field="date_of_birth")
        if kind == PersonKind.CHILD and age_on(born, today) > MAX_AGE_CHILD:
            raise ValidationError("The service supports children and young people aged 0 to 25; "
                                  "this date of birth makes them older.", field="date_of_birth")
    values["date_of_birth"] = born.isoformat() if born else None
    if kind == PersonKind.CHILD:
        values["school_name"] = clean_name(data.school_name, "school_name", "School", max_len=SHORT_MAX)
        values["school_phase"] = SchoolPhase.parse(data.school_phase, "school_phase").value if data.school_phase else None
        values["primary_need"] = PrimaryNeed.parse(data.primary_need, "primary_need").value if data.primary_need else None
        values["ehcp_status"] = EhcpStatus.parse(data.ehcp_status, "ehcp_status").value if data.ehcp_status else None
    values["job_title"] = clean(data.job_title, "job_title", "Role or job title", max_len=SHORT_MAX)
    values["address"] = clean(data.address, "address", "Address", max_len=500, multiline=True)
    values["postcode"] = clean(data.postcode, "postcode", "Postcode", max_len=10)
    values["area"] = clean(data.area, "area", "Area", max_len=NAME_MAX)
    for name, label in (("phone_home", "Home phone"), ("phone_mobile", "Mobile"), ("phone_work", "Work phone")):
        phone = clean(getattr(data, name), name, label, max_len=30)
        if phone and not all(ch.isdigit() or ch in " +()-" for ch in phone):
            raise ValidationError(f"{label} may only hold digits, spaces and + ( ) -.", field=name)
        values[name] = phone
    email = clean(data.email, "email", "Email", max_len=254)
    if email and ("@" not in email or " " in email or email.startswith("@") or email.endswith("@")):
        raise ValidationError("That email address does not look right.", field="email")
    values["email"] = email
    for name in _PREFS:
        value = getattr(data, name)
        values[name] = None if value is None else int(bool(value))
    values["contact_note"] = clean(data.contact_note, "contact_note", "Contact note", max_len=500)
    return values


def _index(conn, person_id: str, values: dict) -> None:
    name = " ".join(v for v in (values.get("first_name"), values.get("last_name"), values.get("known_as")) if v)
    search_index.put(conn, "person", person_id, None, name, " ".join(
        v for v in (values.get("school_name"), values.get("area"), values.get("postcode")) if v))


def _organisation(conn, name: str | None, actor: str) -> str | None:
    name = clean_name(name, "organisation_name", "Organisation", max_len=SHORT_MAX)
    if not name:
        return None
    row = conn.execute("SELECT id FROM organisation WHERE name = ? COLLATE NOCASE AND deleted_at IS NULL",
                       (name,)).fetchone()
    return row[0] if row else records.insert(conn, "organisation", {"name": name}, actor)


def validate_person(data: PersonInput, today: date | None = None) -> None:
    """Check a new person's details without saving anything, so a form that names several
    people (an enquiry: caller, child, professional) can show each error beside the right one.

    May raise: ValidationError (with the field at fault).
    """
    _validate(data, today or date.today())


@grants(Scope.ANY)
def create_person_in_tx(session: Session, data: PersonInput, today: date | None = None) -> str:
    """For services that create a person inside their own transaction."""
    values = _validate(data, today or date.today())
    values["organisation_id"] = _organisation(session.conn, data.organisation_name, session.user.username)
    person_id = records.insert(session.conn, "person", values, session.user.username)
    _index(session.conn, person_id, values)
    session.audit("person_created", "person", person_id, {"kind": values["kind"]})
    return person_id


@grants(Scope.ANY, "a caller for a general enquiry")
def create_person(session: Session, data: PersonInput, today: date | None = None) -> Person:
    """May raise: ValidationError (with the field at fault), PermissionDenied."""
    with transaction(session.conn):
        person_id = create_person_in_tx(session, data, today)
    return _load(session, person_id)


@grants(Scope.CASEWORK, "volunteers cannot change addresses")
def update_person(session: Session, person_id: str, data: PersonInput, expected_version: int | None = None,
                  today: date | None = None) -> Person:
    """May raise: PermissionDenied (volunteers; a person behind the firewall), ValidationError,
    StaleEdit, NotFound."""
    access.check_person_visible(session, person_id)
    values = _validate(data, today or date.today())
    with transaction(session.conn):
        values["organisation_id"] = _organisation(session.conn, data.organisation_name, session.user.username)
        if records.update(session.conn, "person", person_id, values, session.user.username,
                          expected_version) != 1:
            if records.fetch(session.conn, "person", person_id) is None:
                raise NotFound("That person does not exist or has been removed.")
            raise StaleEdit()
        _index(session.conn, person_id, values)
        session.audit("person_updated", "person", person_id)
    return _load(session, person_id)


@grants(Scope.CASEWORK, "R9: volunteers cannot change them")
def set_contact_preferences(session: Session, person_id: str, note: str | None = None, **prefs) -> Person:
    """R9, changed by caseworkers and the manager. May raise: PermissionDenied, ValidationError, NotFound."""
    access.check_person_visible(session, person_id)
    unknown = set(prefs) - set(_PREFS)
    if unknown:
        raise ValidationError(f"Unknown contact preference: {', '.join(sorted(unknown))}.")
    values = {k: (None if v is None else int(bool(v))) for k, v in prefs.items()}
    values["contact_note"] = clean(note, "contact_note", "Contact note", max_len=500)
    with transaction(session.conn):
        if records.update(session.conn, "person", person_id, values, session.user.username) != 1:
            raise NotFound("That person does not exist or has been removed.")
        session.audit("contact_preferences_changed", "person", person_id)
    return _load(session, person_id)


def _load(session: Session, person_id: str) -> Person:
    row = records.fetch(session.conn, "person", person_id)
    if row is None:
        raise NotFound("That person does not exist or has been removed.")
    return Person.from_row(row)


@grants(Scope.GENERAL, "volunteers: name and area only; audited as a view")
def get_person(session: Session, person_id: str) -> Person:
    """Open a person's record. Every view is written to the audit trail (R17).

    May raise: NotFound, PermissionDenied (known only through a firewalled case)."""
    person = peek_person(session, person_id)
    with transaction(session.conn):
        session.audit("view_person", "person", person_id)
    return person


@grants(Scope.GENERAL, "volunteers: name and area only")
def peek_person(session: Session, person_id: str) -> Person:
    """A person's name for a list or a heading, without counting as a view of the record.
    Volunteers get the name, kind and area only (what a general enquiry needs).

    May raise: NotFound, PermissionDenied."""
    person = _load(session, person_id)
    access.check_person_visible(session, person_id)
    return access.person_as_seen(session, person)



@grants(Scope.ANY)
def organisation_name(session: Session, organisation_id: str | None) -> str:
    if not organisation_id:
        return ""
    row = session.conn.execute("SELECT name FROM organisation WHERE id = ?", (organisation_id,)).fetchone()
    return row[0] if row else ""


VOLUNTEER_FIND_MIN = 2  # letters of a name a volunteer types before anyone is listed
VOLUNTEER_FIND_LIMIT = 20


@grants(Scope.GENERAL,
        "volunteers: a typed name, at most 20, name and area only; audited bulk read")
def find_people(session: Session, kind: str | None = None, text: str = "", limit: int = 50, *,
                also: str = "") -> list[Person]:
    """Pick lists in forms: by kind and the start of a name. `also` is a second name start
    that may match instead (a picker given "Hartley Dana" asks for both words at once): one
    query, one audit event. Volunteers must type a name and get at most
    VOLUNTEER_FIND_LIMIT people, in the volunteer's view. Audited as a bulk read.

    May raise: ValidationError, PermissionDenied."""
    starts = [s for s in dict.fromkeys(((text or "").strip(), (also or "").strip())) if s]
    volunteer = session.user.role == Role.VOLUNTEER
    if volunteer:
        if not starts or len(max(starts, key=len)) < VOLUNTEER_FIND_MIN:
            access.audit_bulk_read(session, "person", 0, kind=kind, name_typed=bool(starts), refused=True)
            return []
        limit = min(int(limit), VOLUNTEER_FIND_LIMIT)
    sql = f"SELECT * FROM person p WHERE p.deleted_at IS NULL AND NOT {access.person_hidden_sql('p.id')}"
    params: dict = access.visibility_params(session)
    if kind:
        sql += " AND p.kind = :kind"
        params["kind"] = PersonKind.parse(kind, "kind").value
    if starts:
        either = []
        for i, start in enumerate(starts):
            either.append(f"p.first_name LIKE :like{i} ESCAPE '\\' OR p.last_name LIKE :like{i} ESCAPE '\\'")
            params[f"like{i}"] = start.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql += " AND (" + " OR ".join(either) + ")"
    sql += " ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE LIMIT :limit"
    params["limit"] = int(limit)
    found = [access.person_as_seen(session, Person.from_row(r)) for r in session.conn.execute(sql, params)]
    # What was asked, never the name typed: that would put a family's name in the audit trail.
    access.audit_bulk_read(session, "person", len(found), kind=kind, name_typed=bool(starts),
                           names=len(starts) if len(starts) > 1 else None, limit=int(limit))
    return found


@grants(Scope.ANY, "inside an enquiry; changing a recorded link is casework")
def link_relationship_in_tx(session: Session, adult_id: str, child_id: str, relationship: str,
                            parental_responsibility: bool) -> str:
    conn = session.conn
    adult, child = _load(session, adult_id), _load(session, child_id)
    if child.kind != PersonKind.CHILD:
        raise ValidationError(f"{child.full_name} is not recorded as a child or young person.", field="child")
    if adult.kind not in (PersonKind.PARENT_CARER, PersonKind.FAMILY_MEMBER):
        raise ValidationError("Only a parent, carer or family member can be linked to a child this way.",
                              field="adult")
    rel = Relationship.parse(relationship, "relationship").value
    existing = conn.execute("SELECT id, relationship, parental_responsibility FROM relationship WHERE adult_id = ? "
                            "AND child_id = ? AND deleted_at IS NULL", (adult_id, child_id)).fetchone()
    values = {"relationship": rel, "parental_responsibility": int(bool(parental_responsibility))}
    if existing and (existing[1], existing[2]) == (rel, values["parental_responsibility"]):
        return existing[0]  # already on record as said
    if existing:
        # Parental responsibility decides who may have casework (R3): a volunteer recording a
        # general enquiry may say how a caller relates to a child, not change what is on record.
        if session.user.role == Role.VOLUNTEER:
            raise PermissionDenied(f"{adult.full_name} is already recorded as related to {child.full_name}; a "
                                   "volunteer cannot change that record. Leave the relationship as it is, or "
                                   "ask a caseworker.")
        records.update(conn, "relationship", existing[0], values, session.user.username)
        link_id = existing[0]
    else:
        link_id = records.insert(conn, "relationship", {"adult_id": adult_id, "child_id": child_id, **values},
                                 session.user.username)
    session.audit("relationship_set", "relationship", link_id,
                  {"parental_responsibility": values["parental_responsibility"]})
    return link_id


@grants(Scope.CASEWORK)
def link_relationship(session: Session, adult_id: str, child_id: str, relationship: str,
                      parental_responsibility: bool) -> RelationshipLink:
    with transaction(session.conn):
        link_id = link_relationship_in_tx(session, adult_id, child_id, relationship, parental_responsibility)
    return [r for r in relationships_of(session, child_id) if r.id == link_id][0]


@grants(Scope.GENERAL)
def relationships_of(session: Session, person_id: str) -> list[RelationshipLink]:
    """The person's family links, leaving out anyone behind the firewall (R4).

    May raise: PermissionDenied (the person themselves is behind it)."""
    access.check_person_visible(session, person_id)
    rows = session.conn.execute(
        "SELECT r.*, a.first_name || ' ' || a.last_name AS adult_name, "
        "c.first_name || ' ' || c.last_name AS child_name FROM relationship r "
        "JOIN person a ON a.id = r.adult_id JOIN person c ON c.id = r.child_id "
        "WHERE (r.adult_id = :pid OR r.child_id = :pid) AND r.deleted_at IS NULL "
        f"AND NOT {access.person_hidden_sql('a.id')} AND NOT {access.person_hidden_sql('c.id')}",
        {**access.visibility_params(session), "pid": person_id})
    return [RelationshipLink.from_row(r) for r in rows]


def holds_parental_responsibility(conn, adult_id: str, child_id: str) -> bool:
    row = conn.execute("SELECT parental_responsibility FROM relationship WHERE adult_id = ? AND child_id = ? "
                       "AND deleted_at IS NULL", (adult_id, child_id)).fetchone()
    return bool(row and row[0])


def as_input(person: Person, organisation: str = "") -> PersonInput:
    """A form's starting values for editing an existing person."""
    data = {f.name: getattr(person, f.name) for f in fields(PersonInput) if hasattr(person, f.name)}
    return PersonInput(**{**data, "organisation_name": organisation})


