"""Plain records returned by the services: what the screens show, with no database handle."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from functools import cache

from app.domain.choices import CallerRole, PersonKind
from app.domain.firewall import is_firewalled
from app.domain.text import age_on


@cache
def _field_names(cls) -> frozenset[str]:
    # Asked once per class: dataclasses.fields() per row was a fifth of opening a busy case.
    return frozenset(f.name for f in fields(cls))


def from_row_of(cls, row, **extra):
    names = _field_names(cls)
    if hasattr(row, "keys") and not isinstance(row, Mapping):
        # A database row: names and values side by side (row[name] searches the names each time).
        values = {k: v for k, v in zip(row.keys(), row, strict=True) if k in names}
    else:
        keys = row.keys() if hasattr(row, "keys") else row
        values = {k: row[k] for k in keys if k in names}
    values.update({k: v for k, v in extra.items() if k in names})
    return cls(**values)


CONTACT_CHANNELS = [
    ("ok_home", "Home phone"), ("ok_mobile", "Mobile"), ("ok_work", "Work phone"),
    ("ok_voicemail", "Voicemail"), ("ok_message_family", "Message with family"),
    ("ok_message_colleague", "Message with colleague"), ("ok_email", "Email"), ("ok_post", "Post"),
]
# The details a way of contacting someone needs: a question about one the service could not use
# anyway (voicemail with no number on record) is not worth a line in the banner.
CHANNEL_NEEDS = {
    "ok_home": ("phone_home",), "ok_mobile": ("phone_mobile",), "ok_work": ("phone_work",),
    "ok_voicemail": ("phone_home", "phone_mobile", "phone_work"),
    "ok_message_family": ("phone_home", "phone_mobile"), "ok_message_colleague": ("phone_work",),
    "ok_email": ("email",), "ok_post": ("address", "postcode"),
}


@dataclass
class Person:
    id: str
    kind: str
    first_name: str = ""
    last_name: str = ""
    known_as: str | None = None
    date_of_birth: str | None = None
    school_name: str | None = None
    school_phase: str | None = None
    primary_need: str | None = None
    ehcp_status: str | None = None
    organisation_id: str | None = None
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
    staff_safety_marker: int = 0
    staff_safety_note: str | None = None
    version: int = 1

    from_row = classmethod(from_row_of)

    @property
    def full_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        if self.known_as and self.known_as != self.first_name:
            name += f" ({self.known_as})"
        return name or "(no name)"

    def age(self, today: date) -> int | None:
        if not self.date_of_birth:
            return None
        return age_on(date.fromisoformat(self.date_of_birth), today)

    def contact_permissions(self) -> dict[str, list[str]]:
        """R9: which ways of contacting this person are allowed, refused, or not yet asked.
        "not_asked" holds only the ways their recorded details make usable (CHANNEL_NEEDS)."""
        result = {"allowed": [], "not_allowed": [], "not_asked": []}
        for attr, label in CONTACT_CHANNELS:
            value = getattr(self, attr)
            if value is None and not any(getattr(self, need) for need in CHANNEL_NEEDS[attr]):
                continue
            key = "allowed" if value == 1 else "not_allowed" if value == 0 else "not_asked"
            result[key].append(label)
        return result

    def contact_banner(self) -> str:
        perms = self.contact_permissions()
        parts = []
        if perms["allowed"]:
            parts.append("OK: " + ", ".join(perms["allowed"]))
        if perms["not_allowed"]:
            parts.append("DO NOT use: " + ", ".join(perms["not_allowed"]))
        if perms["not_asked"]:
            parts.append("Not yet asked: " + ", ".join(perms["not_asked"]))
        text = " · ".join(parts) or "no contact details recorded"
        if self.contact_note:
            text += f" · {self.contact_note}"
        return text


@dataclass
class RelationshipLink:
    id: str
    adult_id: str
    child_id: str
    relationship: str
    parental_responsibility: int
    adult_name: str = ""
    child_name: str = ""

    from_row = classmethod(from_row_of)


@dataclass
class Enquiry:
    id: str
    reference: str
    received_at: str
    channel: str
    route: str
    caller_role: str
    enquiry_type: str
    handled_by: str
    anonymous: int = 0
    anonymous_first_name: str | None = None
    anonymous_area: str | None = None
    caller_id: str | None = None
    child_id: str | None = None
    referrer_id: str | None = None
    family_present: int | None = None
    family_agreed: int | None = None
    summary: str = ""
    statement_shared: int = 0
    statement_how: str | None = None
    statement_by: str | None = None
    statement_version: str | None = None
    case_id: str | None = None
    topics: list[str] = field(default_factory=list)
    version: int = 1

    from_row = classmethod(from_row_of)

    @property
    def is_anonymous(self) -> bool:
        return bool(self.anonymous) or self.caller_role == CallerRole.ANONYMOUS


@dataclass
class Case:
    id: str
    reference: str
    client_id: str
    child_id: str
    worker: str
    level: str
    status: str
    opened_on: str
    closed_on: str | None = None
    closure_reason: str | None = None
    outcomes: list[str] = field(default_factory=list)
    enquiry_id: str | None = None
    own_case: int = 0
    shared_with_family: int = 0
    version: int = 1
    client_name: str = ""
    child_name: str = ""
    evaluation: str | None = None  # whether the evaluation was offered at closure (docs/national.md)

    @classmethod
    def from_row(cls, row, **extra):
        case = from_row_of(cls, row, **extra)
        if isinstance(case.outcomes, str):
            case.outcomes = json.loads(case.outcomes or "[]")
        return case

    @property
    def firewalled(self) -> bool:
        """A young person's own case they have not agreed to share (R4)."""
        return is_firewalled(self)


@dataclass
class Note:
    id: str
    case_id: str
    note_type: str
    occurred_on: str
    minutes_spent: int
    body: str
    author: str
    created_at: str
    updated_at: str
    version: int = 1

    from_row = classmethod(from_row_of)


@dataclass
class NoteRevision:
    note_id: str
    version: int
    note_type: str
    occurred_on: str
    minutes_spent: int
    body: str
    written_at: str
    written_by: str

    from_row = classmethod(from_row_of)


@dataclass
class Action:
    id: str
    case_id: str
    title: str
    due_on: str
    owner: str
    done_at: str | None = None
    done_by: str | None = None
    case_reference: str = ""

    from_row = classmethod(from_row_of)


@dataclass
class SafeguardingConcern:
    id: str
    case_id: str
    raised_on: str
    description: str
    referred_to: str | None = None
    external_reference: str | None = None
    outcome: str | None = None
    status: str = "open"
    created_by: str | None = None

    from_row = classmethod(from_row_of)


@dataclass
class Incident:
    id: str
    person_id: str
    occurred_on: str
    description: str
    reported_by: str
    case_id: str | None = None

    from_row = classmethod(from_row_of)


@dataclass
class CaseSummary:
    """A row of the case list."""

    id: str
    reference: str
    client_name: str
    child_name: str
    worker: str
    level: str
    status: str
    opened_on: str
    closed_on: str | None = None
    own_case: int = 0  # a young person's own case (R4)

    from_row = classmethod(from_row_of)


# Around each matched word in a search snippet: control characters nobody types, so a
# bracket in a note is never taken for a match and the screen can draw matches in bold.
MATCH_START, MATCH_END = "\x02", "\x03"


@dataclass
class SearchHit:
    kind: str  # person, case, note
    ref_id: str
    case_id: str | None
    title: str
    snippet: str  # matched words between MATCH_START and MATCH_END
    on: str = ""  # ISO date: a note's date, a case's opening, when a person was added

    @property
    def plain_snippet(self) -> str:
        return self.snippet.replace(MATCH_START, "").replace(MATCH_END, "")


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """(text, matched) pieces of a snippet, in order, for drawing the matches."""
    parts, matched = [], False
    for piece in snippet.replace(MATCH_END, MATCH_START).split(MATCH_START):
        if piece:
            parts.append((piece, matched))
        matched = not matched
    return parts


def person_kind_label(kind: str) -> str:
    return PersonKind(kind).label
