"""What Confide reads from each kind of CSV file, and the column names a hosted casework
system's export usually gives them (the mapping screen starts from these guesses; the
manager's saved mapping overrides them). Pure: no database."""

from dataclasses import dataclass

KINDS = ("people", "enquiries", "cases", "notes", "consents")   # the order they are imported in


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False
    guesses: tuple[str, ...] = ()


FIELDS: dict[str, tuple[Field, ...]] = {
    "people": (
        Field("ref", "Person reference", True, ("person id", "client id", "contact id", "id", "ref")),
        Field("kind", "Kind of person", True, ("type", "contact type", "person type", "kind")),
        Field("first_name", "First name", False, ("first name", "forename", "given name")),
        Field("last_name", "Last name", False, ("last name", "surname", "family name")),
        Field("date_of_birth", "Date of birth", False, ("date of birth", "dob", "birth date")),
        Field("postcode", "Postcode", False, ("postcode", "post code")),
        Field("area", "Area", False, ("area", "locality", "district")),
        Field("phone", "Phone", False, ("phone", "telephone", "mobile")),
        Field("email", "Email", False, ("email", "email address")),
        Field("school_phase", "School phase", False, ("school phase", "phase")),
        Field("primary_need", "Primary need", False, ("primary need", "need")),
        Field("child_ref", "Parent or carer of (person reference)", False, ("parent of", "child id", "child ref")),
        Field("relationship", "Relationship to that child", False, ("relationship",)),
        Field("parental_responsibility", "Has parental responsibility", False,
              ("parental responsibility", "pr")),
    ),
    "enquiries": (
        Field("ref", "Enquiry reference", True, ("enquiry id", "enquiry ref", "contact ref", "id", "ref")),
        Field("received_on", "Date received", True, ("date", "date received", "received", "contact date")),
        Field("channel", "Channel", True, ("channel", "method", "contact method")),
        Field("caller_ref", "Caller (person reference)", False, ("caller id", "person id", "client id")),
        Field("caller_role", "Caller's role", False, ("caller role", "role")),
        Field("child_ref", "Child (person reference)", False, ("child id", "child ref")),
        Field("topic", "Topic", False, ("topic", "subject", "issue")),
        Field("summary", "Summary", False, ("summary", "details", "notes")),
    ),
    "cases": (
        Field("ref", "Case reference", True, ("case id", "case ref", "case number", "id", "ref")),
        Field("client_ref", "Client (person reference)", True, ("client id", "client ref", "parent id")),
        Field("child_ref", "Child (person reference)", True, ("child id", "child ref", "young person id")),
        Field("worker", "Caseworker", True, ("caseworker", "worker", "owner", "assigned to")),
        Field("level", "Level of support", False, ("level", "level of support", "support level")),
        Field("opened_on", "Date opened", True, ("opened", "date opened", "open date", "start date")),
        Field("closed_on", "Date closed", False, ("closed", "date closed", "close date", "end date")),
        Field("closure_reason", "Reason closed", False, ("closure reason", "reason closed", "close reason")),
    ),
    "notes": (
        Field("ref", "Note reference", True, ("note id", "note ref", "id", "ref")),
        Field("case_ref", "Case reference", True, ("case id", "case ref", "case number")),
        Field("occurred_on", "Date", True, ("date", "note date", "contact date")),
        Field("note_type", "Type of note", False, ("type", "note type", "activity")),
        Field("minutes", "Minutes spent", False, ("minutes", "duration", "time spent")),
        Field("author", "Written by", True, ("author", "written by", "staff", "caseworker")),
        Field("body", "Text", True, ("text", "note", "body", "details")),
    ),
    "consents": (
        Field("ref", "Consent reference", True, ("consent id", "consent ref", "id", "ref")),
        Field("person_ref", "Person (person reference)", True, ("person id", "client id", "contact id")),
        Field("scope", "What it allows", True, ("scope", "consent type", "type")),
        Field("given_on", "Date given", True, ("date given", "given", "date")),
        Field("expires_on", "Expires", False, ("expires", "expiry", "expiry date")),
        Field("withdrawn_on", "Date withdrawn", False, ("withdrawn", "date withdrawn")),
    ),
}

# Words a previous system uses for Confide's fixed lists (after lower-casing and trimming).
SYNONYMS: dict[str, dict[str, str]] = {
    "kind": {"child": "child", "young person": "child", "child/young person": "child", "cyp": "child",
             "parent": "parent_carer", "carer": "parent_carer", "parent/carer": "parent_carer",
             "parent_carer": "parent_carer", "family member": "family_member", "relative": "family_member",
             "family_member": "family_member", "professional": "professional"},
    "channel": {"phone": "phone", "telephone": "phone", "email": "email", "e-mail": "email",
                "face to face": "face_to_face", "face_to_face": "face_to_face", "in person": "face_to_face",
                "letter": "letter", "post": "letter", "web": "web_form", "web form": "web_form",
                "web_form": "web_form", "online": "web_form", "other": "other"},
    "scope": {"mailing list": "mailing_list", "mailing_list": "mailing_list", "newsletter": "mailing_list",
              "voicemail": "voicemail", "contact at work": "contact_at_work",
              "contact_at_work": "contact_at_work", "messages via family": "messages_via_family",
              "messages_via_family": "messages_via_family"},
    "level": {"information": "information", "advice": "advice", "casework": "casework",
              "meeting support": "meeting_support", "meeting_support": "meeting_support"},
}


def guess(kind: str, headers: list[str]) -> dict[str, str]:
    """Our field -> their column, for the columns whose names look right."""
    lowered = {h.strip().lower().replace("_", " "): h for h in headers}
    out = {}
    for f in FIELDS[kind]:
        for g in (f.name.replace("_", " "), *f.guesses):
            if g in lowered:
                out[f.name] = lowered[g]
                break
    return out


def missing_required(kind: str, mapping: dict[str, str]) -> list[str]:
    return [f.label for f in FIELDS[kind] if f.required and not mapping.get(f.name)]
