"""Gather everything held about a SAR's data subject, as reviewable items.

Items are offered, never included silently where a person must decide: notes in other
cases that mention the subject, safeguarding records (serious-harm exemption) and records
from a parent's case about their child all need an explicit decision. The separate-enquiry
firewall (R4) holds: a young person's own case reaches a parent's request only with the
young person's agreement (recorded on the case or on the request).

The firewall is app.domain.firewall's rule, read as the requester (access.sar_viewer): what it
closes is left out, and a note from a young person's own case that mentions the subject is
shown to the reviewer as "the young person's own record", which cannot be included without
their recorded agreement (sar_review.decide refuses it, build_content leaves it out)."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.domain import choices as c
from app.domain import firewall
from app.domain.choices import Choice
from app.domain.consent import ConsentMethod, ConsentScope, LawfulReason
from app.domain.documents import KIND_LABELS, viewable_inside
from app.domain.intervention import level_label
from app.domain.role_matrix import Scope, grants
from app.domain.text import uk_date
from app.security.session import Session
from app.services import access
from app.services.casework import restricted
from app.services.consent import counterparties
from app.services.sar.register import Sar, get_sar


@dataclass
class Field:
    name: str
    label: str
    text: str


@dataclass
class SarItem:
    key: str  # "<kind>:<id>"
    kind: str
    section: str
    title: str
    on: str
    fields: list[Field]
    included: bool = True
    needs_decision: bool = False
    advice: str = ""
    decided: bool = False
    firewalled: bool = False  # a young person's own record: never in the pack without their agreement

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


SECTIONS = [
    ("about", "About you"),
    ("enquiries", "Your contacts with the service"),
    ("cases", "Casework"),
    ("consents", "Your permissions (consents)"),
    ("disclosures", "Information we shared or asked for"),
    ("documents", "Documents and letters"),
    ("safeguarding", "Safeguarding and staff safety"),
    ("paper_files", "Paper files"),
    ("access", "Who has looked at your record"),
    ("mentions", "Other records that mention you"),
]


def _label(enum: type[Choice] | None, value) -> str:
    if value is None or value == "":
        return ""
    if enum is None:
        return str(value)
    try:
        return enum(value).label
    except ValueError:
        return str(value)


def _yes_no(value) -> str:
    return "" if value is None else ("Yes" if value else "No")


OWN_RECORD = "own"  # item key prefix of a young person's own record (firewalled)
OWN_RECORD_ADVICE = ("The young person's own record: needs their agreement. It stays out of the pack unless "
                     "the young person agrees; record their agreement on the request first.")


def is_own_record(item_key: str) -> bool:
    return item_key.startswith(OWN_RECORD + ":")


@grants(Scope.MANAGER, "read as the requester: the firewall holds (R4)")
def gather(session: Session, sar_id: str, progress: Callable[[int, str], None] | None = None) -> list[SarItem]:
    """Every item held about the subject, as the requester may receive it (R4 firewall).

    May raise: PermissionDenied (managers only), NotFound."""
    sar = get_sar(session, sar_id)
    conn = session.conn
    viewer = access.sar_viewer(sar.subject_id, sar.requester_kind, sar.young_person_agreed)

    def case_open(case_id) -> bool:
        if not case_id:
            return True
        case = conn.execute("SELECT * FROM casefile WHERE id = ?", (case_id,)).fetchone()
        return case is not None and firewall.allows(viewer, case)

    staff = dict(conn.execute("SELECT username, full_name FROM staff"))
    subject = conn.execute("SELECT * FROM person WHERE id = ?", (sar.subject_id,)).fetchone()
    items: list[SarItem] = []

    def person_fields(p) -> list[Field]:
        pairs = [("name", "Name", " ".join(x for x in (p["first_name"], p["last_name"]) if x)),
                 ("known_as", "Known as", p["known_as"] or ""),
                 ("kind", "Recorded as", _label(c.PersonKind, p["kind"])),
                 ("date_of_birth", "Date of birth", uk_date(p["date_of_birth"])),
                 ("school", "School", p["school_name"] or ""),
                 ("school_phase", "School phase", _label(c.SchoolPhase, p["school_phase"])),
                 ("primary_need", "Primary area of need", _label(c.PrimaryNeed, p["primary_need"])),
                 ("ehcp_status", "EHC plan", _label(c.EhcpStatus, p["ehcp_status"])),
                 ("address", "Address", " ".join(x for x in (p["address"], p["postcode"]) if x)),
                 ("phones", "Phone numbers", ", ".join(f"{k}: {p[col]}" for k, col in (
                     ("home", "phone_home"), ("mobile", "phone_mobile"), ("work", "phone_work")) if p[col])),
                 ("email", "Email", p["email"] or ""),
                 ("contact_note", "How you like to be contacted", p["contact_note"] or ""),
                 ("marker", "Staff safety marker", p["staff_safety_note"] or "" if p["staff_safety_marker"] else "")]
        return [Field(n, lab, t) for n, lab, t in pairs if t]

    items.append(SarItem(f"person:{subject['id']}", "person", "about", "Your personal details",
                         subject["created_at"][:10], person_fields(subject)))
    for row in conn.execute(
            "SELECT r.relationship, r.parental_responsibility, a.first_name AS af, a.last_name AS al, "
            "ch.first_name AS cf, ch.last_name AS cl, r.id FROM relationship r JOIN person a ON a.id = r.adult_id "
            "JOIN person ch ON ch.id = r.child_id WHERE (r.adult_id = ? OR r.child_id = ?) AND r.deleted_at IS NULL",
            (sar.subject_id, sar.subject_id)):
        text = (f"{row['af']} {row['al']} is recorded as {_label(c.Relationship, row['relationship']).lower()} of "
                f"{row['cf']} {row['cl']}, {'with' if row['parental_responsibility'] else 'without'} "
                "parental responsibility.")
        items.append(SarItem(f"relationship:{row['id']}", "relationship", "about", "Family relationship", "",
                             [Field("text", "Relationship", text)]))

    for row in conn.execute(
            "SELECT * FROM enquiry WHERE deleted_at IS NULL AND (caller_id = ? OR child_id = ?) ORDER BY received_at",
            (sar.subject_id, sar.subject_id)):
        case = conn.execute("SELECT * FROM casefile WHERE id = ?", (row["case_id"],)).fetchone() \
            if row["case_id"] else None
        if not firewall.allows(viewer, firewall.enquiry_scope(row, case)):
            continue  # R4: a young person's own contact with us
        topics = ", ".join(_label(c.Topic, t[0]) for t in conn.execute(
            "SELECT topic FROM enquiry_topic WHERE enquiry_id = ? ORDER BY topic", (row["id"],)))
        fields = [Field("when", "Date", uk_date(row["received_at"])),
                  Field("channel", "How you contacted us", _label(c.Channel, row["channel"])),
                  Field("route", "Referral", _label(c.Route, row["route"])),
                  Field("topics", "Topics", topics),
                  Field("summary", "Summary", row["summary"] or ""),
                  Field("statement", "Confidentiality statement shared", _yes_no(row["statement_shared"]))]
        items.append(SarItem(f"enquiry:{row['id']}", "enquiry", "enquiries", f"Contact {row['reference']}",
                             row["received_at"][:10], [f for f in fields if f.text]))

    cases = conn.execute(
        "SELECT * FROM casefile WHERE deleted_at IS NULL AND (client_id = ? OR child_id = ?) ORDER BY opened_on",
        (sar.subject_id, sar.subject_id)).fetchall()
    included_cases = []
    for case in cases:
        if not firewall.allows(viewer, case):
            continue  # R4: not even offered; the young person has not agreed.
        parents_case = case["client_id"] != sar.subject_id and sar.requester_kind != "parent"
        included_cases.append(case["id"])
        advice = ("This is a parent's case about the subject: include only what is about the subject, and "
                  "redact the parent's own information.") if parents_case else ""
        _case_items(conn, case, staff, items, needs_decision=parents_case, advice=advice)
        if progress:
            progress(min(60, 10 + len(included_cases)), f"Gathered case {case['reference']}")

    if included_cases:
        marks = ",".join("?" * len(included_cases))
        for row in conn.execute(
                f"SELECT d.*, cf.reference FROM disclosure d JOIN casefile cf ON cf.id = d.case_id WHERE "
                f"d.deleted_at IS NULL AND d.case_id IN ({marks}) ORDER BY d.disclosed_on", included_cases):
            party = _party(conn, row["counterparty_person_id"], row["counterparty_organisation_id"])
            basis = "your consent" if row["basis"] == "consent" else \
                f"without consent: {_reason(row['lawful_reason'])} ({row['justification']})"
            items.append(SarItem(f"disclosure:{row['id']}", "disclosure", "disclosures",
                                 f"{'Shared with' if row['kind'] == 'share' else 'Records requested from'} {party}",
                                 row["disclosed_on"], [Field("when", "Date", uk_date(row["disclosed_on"])),
                                                       Field("what", "What", row["what"]),
                                                       Field("basis", "Basis", basis)]))
        for row in conn.execute(
                f"SELECT s.*, cf.reference FROM safeguarding_concern s JOIN casefile cf ON cf.id = s.case_id "
                f"WHERE s.deleted_at IS NULL AND s.case_id IN ({marks}) ORDER BY s.raised_on", included_cases):
            row = restricted.opened(session, "safeguarding_concern", row)
            items.append(SarItem(f"safeguarding:{row['id']}", "safeguarding", "safeguarding",
                                 f"Safeguarding concern ({row['reference']})", row["raised_on"],
                                 [f for f in (Field("raised", "Raised", uk_date(row["raised_on"])),
                                              Field("description", "Description", row["description"]),
                                              Field("referred_to", "Referred to", row["referred_to"] or ""),
                                              Field("outcome", "Outcome", row["outcome"] or "")) if f.text],
                                 included=False, needs_decision=True,
                                 advice="Check the serious-harm exemption before including this."))
        for row in conn.execute(
                f"SELECT m.*, f.label FROM paper_file_movement m JOIN paper_file f ON f.id = m.file_id "
                f"WHERE m.deleted_at IS NULL AND f.case_id IN ({marks}) ORDER BY m.checked_out_on", included_cases):
            back = f"returned {uk_date(row['returned_on'])}" if row["returned_on"] else \
                f"expected back {uk_date(row['expected_back'])}"
            items.append(SarItem(f"paper:{row['id']}", "paper_file", "paper_files", f"Paper file {row['label']}",
                                 row["checked_out_on"], [Field("movement", "Movement",
                                                               f"Taken out by {staff.get(row['checked_out_by'], row['checked_out_by'])} "
                                                               f"on {uk_date(row['checked_out_on'])}"
                                                               + (f" to {row['taken_to']}" if row["taken_to"] else "")
                                                               + f"; {back}.")]))

    for row in conn.execute(
            "SELECT co.*, cf.reference FROM consent co LEFT JOIN casefile cf ON cf.id = co.case_id "
            "WHERE co.deleted_at IS NULL AND (co.subject_id = ? OR co.given_by_id = ?) ORDER BY co.given_on",
            (sar.subject_id, sar.subject_id)):
        if not case_open(row["case_id"]):
            continue  # R4: a consent given in a young person's own case
        withdrawn = conn.execute("SELECT withdrawn_on FROM consent_withdrawal WHERE consent_id = ?",
                                 (row["id"],)).fetchone()
        party = _party(conn, row["counterparty_person_id"], row["counterparty_organisation_id"])
        fields = [Field("scope", "Permission", _scope(row["scope"]) + (f": {party}" if party else "")),
                  Field("given", "Given", f"{uk_date(row['given_on'])} ({_method(row['method'])})"),
                  Field("expires", "Review date", uk_date(row["expires_on"])),
                  Field("wording", "Words agreed", row["wording_text"])]
        if withdrawn:
            fields.append(Field("withdrawn", "Withdrawn", uk_date(withdrawn[0])))
        title = _scope(row["scope"]) + (f" {party}" if party else "")  # two alike are told apart by whom
        items.append(SarItem(f"consent:{row['id']}", "consent", "consents", title, row["given_on"], fields))

    for row in conn.execute(
            "SELECT * FROM incident WHERE deleted_at IS NULL AND person_id = ? ORDER BY occurred_on", (sar.subject_id,)):
        if not case_open(row["case_id"]):
            continue
        row = restricted.opened(session, "incident", row)
        items.append(SarItem(f"incident:{row['id']}", "incident", "safeguarding", "Incident report", row["occurred_on"],
                             [Field("when", "Date", uk_date(row["occurred_on"])),
                              Field("description", "Description", row["description"])],
                             included=False, needs_decision=True,
                             advice="Staff-safety reports may be withheld where disclosure would put staff at risk."))

    own_cases = conn.execute("SELECT * FROM casefile WHERE client_id = ? AND own_case = 1 AND deleted_at IS NULL",
                             (sar.subject_id,)).fetchall()
    # Documents filed on the subject themself follow their own case's firewall (R4).
    person_documents = all(firewall.allows(viewer, case) for case in own_cases)
    items += _documents(conn, sar.subject_id if person_documents else None, included_cases)
    items.append(_access_log(conn, sar, included_cases, staff))
    items += _mentions(conn, viewer, subject, included_cases, staff)
    if progress:
        progress(70, f"Gathered {len(items)} items")
    return items


def _case_items(conn, case, staff, items, needs_decision: bool, advice: str) -> None:
    outcomes = ", ".join(_label(c.Outcome, o) for o in json.loads(case["outcomes"] or "[]"))
    fields = [Field("reference", "Reference", case["reference"]),
              Field("opened", "Opened", uk_date(case["opened_on"])),
              Field("level", "Intervention level", level_label(case["level"])),
              Field("worker", "Caseworker", staff.get(case["worker"], case["worker"])),
              Field("status", "Status", "Closed " + uk_date(case["closed_on"]) if case["closed_on"]
                    else _label(c.CaseStatus, case["status"])),
              Field("outcomes", "Outcomes", outcomes)]
    group = f"Case {case['reference']}"
    items.append(SarItem(f"case:{case['id']}", "case", "cases", group, case["opened_on"],
                         [f for f in fields if f.text], included=not needs_decision,
                         needs_decision=needs_decision, advice=advice))
    for row in conn.execute("SELECT * FROM note WHERE case_id = ? AND deleted_at IS NULL "
                            "ORDER BY occurred_on, created_at", (case["id"],)):
        items.append(SarItem(f"note:{row['id']}", "note", "cases",
                             f"{group}: {_label(c.NoteType, row['note_type'])} note", row["occurred_on"],
                             [Field("when", "Date", uk_date(row["occurred_on"])),
                              Field("author", "Written by", staff.get(row["author"], row["author"])),
                              Field("body", "Note", row["body"])],
                             included=not needs_decision, needs_decision=needs_decision, advice=advice))
    for row in conn.execute("SELECT * FROM action_item WHERE case_id = ? AND deleted_at IS NULL ORDER BY due_on",
                            (case["id"],)):
        state = f"done {uk_date(row['done_at'])}" if row["done_at"] else f"due {uk_date(row['due_on'])}"
        items.append(SarItem(f"action:{row['id']}", "action", "cases", f"{group}: action", row["due_on"],
                             [Field("action", "Action", f"{row['title']} ({state})")],
                             included=not needs_decision, needs_decision=needs_decision, advice=advice))


DOCUMENT_ADVICE = ("A whole document: include it, or exclude it and say why (for example, a professional's "
                   "report whose author has not agreed and whose disclosure an exemption covers). A PDF's or a "
                   "picture's pages go into the pack; other kinds are listed and sent separately.")
DOCUMENT_PREFIX = "document:"


def _documents(conn, subject_id: str | None, case_ids: list[str]) -> list[SarItem]:
    """Documents and letters of the subject's cases (those the firewall lets the requester see)
    and of the subject themself, as whole documents. Letters we wrote to the family go in
    unless excluded; everything else waits for a decision."""
    marks = ",".join("?" * len(case_ids))
    in_cases = f"case_id IN ({marks}) OR " if case_ids else ""
    out = []
    for row in conn.execute(f"SELECT * FROM document WHERE deleted_at IS NULL AND ({in_cases}person_id = ?) "
                            "ORDER BY document_date, created_at", [*case_ids, subject_id]):
        ours = row["kind"] == "letter_sent" and row["letter_text"] is not None and row["disclosure_id"] is None
        fields = [Field("when", "Date", uk_date(row["document_date"])),
                  Field("kind", "Kind", KIND_LABELS.get(row["kind"], row["kind"])),
                  Field("source", "From", row["source"]),
                  Field("file", "File", f"{row['file_name']} ({_pages_word(row['media_type'])})")]
        if row["letter_text"]:
            fields.append(Field("text", "Letter", row["letter_text"]))
        out.append(SarItem(f"{DOCUMENT_PREFIX}{row['id']}", "document", "documents", row["title"],
                           row["document_date"], fields, included=ours, needs_decision=not ours,
                           advice="" if ours else DOCUMENT_ADVICE))
    return out


def _pages_word(media_type: str) -> str:
    if viewable_inside(media_type):
        return "its pages follow at the end of this pack"
    return "in its own format: sent with this pack separately"


def _access_log(conn, sar: Sar, case_ids: list[str], staff: dict) -> SarItem:
    """Every opening of the record, on every computer of the team: this computer's own audit
    trail and the other computers' events that arrived with their bundles (sync_remote_audit,
    docs/sync.md), including reading the family's documents."""
    ids = [sar.subject_id, *case_ids]
    marks = ",".join("?" * len(ids))
    documents = [r[0] for r in conn.execute(
        f"SELECT id FROM document WHERE case_id IN ({marks}) OR person_id = ?", [*ids, sar.subject_id])]
    wanted = [*ids, *documents]
    marks = ",".join("?" * len(wanted))
    seen, events = set(), []
    local = conn.execute(f"SELECT id, at, actor, action FROM audit_event WHERE object_id IN ({marks}) AND "
                         "(action LIKE 'view_%' OR action = 'document_viewed')", wanted)
    remote = conn.execute(
        "SELECT json_extract(event, '$.id'), json_extract(event, '$.at'), json_extract(event, '$.actor'), "
        f"json_extract(event, '$.action') FROM sync_remote_audit WHERE json_extract(event, '$.object_id') IN ({marks}) "
        "AND (json_extract(event, '$.action') LIKE 'view_%' OR json_extract(event, '$.action') = 'document_viewed')",
        wanted)
    for event_id, at, actor, action in [*local, *remote]:
        if event_id not in seen:
            seen.add(event_id)
            events.append((at, actor, action))
    lines = []
    for at, actor, action in sorted(events):
        what = {"view_person": "your personal details", "document_viewed": "a document"}.get(action, "a case file")
        lines.append(f"{uk_date(at)} {at[11:16]} UTC: {staff.get(actor, actor)} opened {what}")
    return SarItem("access:log", "access", "access", "Record of access",
                   "", [Field("log", "Access", "\n".join(lines) or "No one has opened your record.")])


_NAME_PAIR = re.compile(r"\b([A-Z][A-Za-z'’\-]+)\s+([A-Z][A-Za-z'’\-]+)\b")


def _mentions(conn, viewer, subject, case_ids: list[str], staff: dict) -> list[SarItem]:
    name = f"{subject['first_name']} {subject['last_name']}".strip()
    if not subject["first_name"] or not subject["last_name"]:
        return []
    query = '"' + name.replace('"', '""') + '"'
    found = []
    skip = set(case_ids)
    for row in conn.execute(
            "SELECT n.*, cf.reference, cf.worker, cf.own_case, cf.shared_with_family, cf.client_id FROM note_search s "
            "JOIN note n ON n.id = s.ref_id JOIN casefile cf ON cf.id = n.case_id "
            "WHERE note_search MATCH ? AND n.deleted_at IS NULL ORDER BY s.rowid LIMIT 500", (query,)):
        if row["case_id"] in skip:
            continue
        fields = [Field("when", "Date", uk_date(row["occurred_on"])),
                  Field("author", "Written by", staff.get(row["author"], row["author"])),
                  Field("body", "Note", row["body"])]
        if not firewall.allows(viewer, row):
            found.append(SarItem(f"{OWN_RECORD}:{row['id']}", "note", "mentions",
                                 f"The young person's own record (case {row['reference']})", row["occurred_on"],
                                 fields, included=False, needs_decision=True, advice=OWN_RECORD_ADVICE,
                                 firewalled=True))
            continue
        found.append(SarItem(f"mention:{row['id']}", "note", "mentions",
                             f"Note in case {row['reference']} ({_label(c.NoteType, row['note_type'])})",
                             row["occurred_on"], fields, included=False, needs_decision=True,
                             advice="This note is in another family's case: include only the parts about the "
                                    "subject, and redact the rest."))
    return found


def _party(conn, person_id, organisation_id) -> str:
    if not person_id and not organisation_id:
        return ""
    person = conn.execute("SELECT first_name, last_name, job_title FROM person WHERE id = ?", (person_id,)).fetchone() \
        if person_id else None
    org = conn.execute("SELECT name FROM organisation WHERE id = ?", (organisation_id,)).fetchone() \
        if organisation_id else None
    return counterparties.label(person["first_name"] if person else None, person["last_name"] if person else None,
                                person["job_title"] if person else None, org["name"] if org else None)


def _scope(value: str) -> str:
    return _label(ConsentScope, value)


def _method(value: str) -> str:
    return _label(ConsentMethod, value).lower()


def _reason(value: str) -> str:
    return _label(LawfulReason, value).lower()


# --- names of other people, suggested for redaction ---------------------------------------

@dataclass
class Suggestion:
    item_key: str
    field: str
    start: int
    end: int
    text: str


@dataclass
class NameIndex:
    names: set[str] = field(default_factory=set)


@grants(Scope.MANAGER)
def name_index(session: Session, sar: Sar) -> NameIndex:
    """Full names of everyone in the database except the subject, the requester and their own
    family links (a parent knows their child's name; it is not a third party's secret)."""
    exclude = {sar.subject_id, sar.requester_id}
    for adult, child in session.conn.execute(
            "SELECT adult_id, child_id FROM relationship WHERE deleted_at IS NULL AND (adult_id IN (?, ?) "
            "OR child_id IN (?, ?))", (sar.subject_id, sar.requester_id, sar.subject_id, sar.requester_id)):
        exclude.update((adult, child))
    names = set()
    for pid, first, last in session.conn.execute("SELECT id, first_name, last_name FROM person WHERE deleted_at IS NULL"):
        if pid not in exclude and first and last:
            names.add(f"{first} {last}".lower())
    return NameIndex(names)


def suggest_redactions(items: list[SarItem], index: NameIndex, skip_fields=("author",)) -> list[Suggestion]:
    found = []
    for item in items:
        for fld in item.fields:
            if fld.name in skip_fields:
                continue
            for match in _NAME_PAIR.finditer(fld.text):
                if f"{match.group(1)} {match.group(2)}".lower() in index.names:
                    found.append(Suggestion(item.key, fld.name, match.start(), match.end(), match.group(0)))
    return found
