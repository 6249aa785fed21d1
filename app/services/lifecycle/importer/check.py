"""Read the CSV files through a mapping and check every row, naming each one that would be
rejected and why (the dry run). The files are read, never copied. Pure of writes: reads only
the staff list and the references already in the database."""

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app.domain import choices
from app.domain.retention import years_after
from app.errors import ValidationError
from app.services.lifecycle.importer.fields import FIELDS, KINDS, SYNONYMS, missing_required

YES = {"yes", "y", "true", "1", "x"}
MAX_TEXT = 100_000


@dataclass
class Rejection:
    kind: str
    line: int           # the line of the CSV file (the header is line 1)
    ref: str
    reason: str

    def sentence(self) -> str:
        return f"{self.kind} line {self.line} ({self.ref or 'no reference'}): {self.reason}"


@dataclass
class Plan:
    rows: dict[str, list[dict]] = field(default_factory=lambda: {k: [] for k in KINDS})
    rejections: list[Rejection] = field(default_factory=list)
    relationships: list[dict] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.rows.items()}

    @property
    def ok(self) -> bool:
        return not self.rejections


class RowProblem(Exception):
    pass


def _date(value: str, label: str, today: date) -> date:
    text = (value or "").strip()
    try:
        if "/" in text:
            d, m, y = text.split("/")
            found = date(int(y), int(m), int(d))
        else:
            found = date.fromisoformat(text[:10])
    except ValueError:
        raise RowProblem(f"{label} '{text}' is not a date (use 31/12/2024 or 2024-12-31)") from None
    if found > today:
        raise RowProblem(f"{label} {found:%d/%m/%Y} is in the future")
    return found


def _choice(value: str, cls, label: str, synonyms: dict[str, str] | None = None, default=None) -> str:
    text = (value or "").strip().lower()
    if not text:
        if default is None:
            raise RowProblem(f"{label} is empty")
        return default
    if synonyms and text in synonyms:
        return synonyms[text]
    try:
        return cls.parse(text.replace(" ", "_").replace("-", "_"), label).value
    except ValidationError:
        allowed = ", ".join(m.value.replace("_", " ") for m in cls)
        raise RowProblem(f"{label} '{value.strip()}' is not one of: {allowed}") from None


def _text(value: str, label: str, required: bool = False) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise RowProblem(f"{label} is empty")
    if len(text) > MAX_TEXT:
        raise RowProblem(f"{label} is longer than {MAX_TEXT:,} characters")
    return text


class Checker:
    """Checks rows kind by kind, in import order, so a case can name the people before it."""

    def __init__(self, staff: dict[str, str], taken_refs: set[tuple[str, str]], taken_case_refs: set[str],
                 today: date):
        self.staff = staff                  # lower-cased username or full name -> username
        self.taken = taken_refs             # (kind, original ref) already imported
        self.case_refs = taken_case_refs    # references cases here already use
        self.today = today
        self.seen: dict[str, dict[str, dict]] = {k: {} for k in KINDS}
        self.rejected: dict[str, set[str]] = {k: set() for k in KINDS}
        self.plan = Plan()
        self.on_mailing_list: set[str] = set()      # people with a live mailing-list consent
        self.with_pr: set[tuple[str, str]] = set()  # (adult, child) with parental responsibility

    def _staff(self, value: str, label: str) -> str:
        found = self.staff.get((value or "").strip().lower())
        if not found:
            raise RowProblem(f"{label} '{(value or '').strip()}' is not a member of staff here (add them to the staff "
                             "register first, or map the column to someone who is)")
        return found

    def _person(self, ref: str, label: str, required: bool) -> dict | None:
        ref = (ref or "").strip()
        if not ref:
            if required:
                raise RowProblem(f"{label} is empty")
            return None
        if ref in self.rejected["people"]:
            raise RowProblem(f"{label} {ref} was itself rejected")
        found = self.seen["people"].get(ref)
        if found is None:
            raise RowProblem(f"{label} {ref} is not in the people file")
        return found

    def row(self, kind: str, line: int, values: dict[str, str]) -> None:
        ref = (values.get("ref") or "").strip()
        try:
            if not ref:
                raise RowProblem("the reference is empty")
            if ref in self.seen[kind] or ref in self.rejected[kind]:
                raise RowProblem(f"the reference {ref} appears twice in the file")
            if (kind, ref) in self.taken:
                raise RowProblem(f"{ref} was already imported")
            if kind == "cases" and ref in self.case_refs:
                raise RowProblem(f"a case here already has the reference {ref}")
            row = getattr(self, f"_{kind}")(values)
        except RowProblem as exc:
            self.rejected[kind].add(ref)
            self.plan.rejections.append(Rejection(kind, line, ref, str(exc)))
            return
        row["ref"], row["_line"] = ref, line
        self.seen[kind][ref] = row
        self.plan.rows[kind].append(row)

    def _people(self, v: dict) -> dict:
        kind = _choice(v.get("kind"), choices.PersonKind, "Kind of person", SYNONYMS["kind"])
        first, last = _text(v.get("first_name"), "First name"), _text(v.get("last_name"), "Last name")
        if not first and not last:
            raise RowProblem("both first and last name are empty")
        born = _date(v["date_of_birth"], "Date of birth", self.today) if (v.get("date_of_birth") or "").strip() \
            else None
        row = {"kind": kind, "first_name": first, "last_name": last,
               "date_of_birth": born.isoformat() if born else None,
               "postcode": _text(v.get("postcode"), "Postcode") or None, "area": _text(v.get("area"), "Area") or None,
               "phone_home": _text(v.get("phone"), "Phone") or None, "email": _text(v.get("email"), "Email") or None,
               "school_phase": _choice(v.get("school_phase"), choices.SchoolPhase, "School phase", default="")
               or None,
               "primary_need": _choice(v.get("primary_need"), choices.PrimaryNeed, "Primary need", default="")
               or None,
               "child_ref": (v.get("child_ref") or "").strip() or None}
        if row["child_ref"]:
            row["relationship"] = _choice(v.get("relationship"), choices.Relationship, "Relationship",
                                          default="other")
            row["pr"] = (v.get("parental_responsibility") or "").strip().lower() in YES
        return row

    def link_people(self) -> None:
        """Each adult's child must be in the file too: checked once every person is read."""
        for adult in list(self.plan.rows["people"]):
            child_ref = adult.get("child_ref")
            if not child_ref:
                continue
            child = self.seen["people"].get(child_ref)
            if child is None or child["kind"] != "child":
                self.plan.rows["people"].remove(adult)
                self.seen["people"].pop(adult["ref"])
                self.rejected["people"].add(adult["ref"])
                self.plan.rejections.append(Rejection(
                    "people", adult["_line"], adult["ref"],
                    f"'parent or carer of' names {child_ref}, who is not a child in the people file"))
                continue
            self.plan.relationships.append({"adult": adult["ref"], "child": child_ref,
                                            "relationship": adult["relationship"], "pr": adult["pr"]})
            if adult["pr"]:
                self.with_pr.add((adult["ref"], child_ref))

    def _enquiries(self, v: dict) -> dict:
        received = _date(v.get("received_on"), "Date received", self.today)
        caller = self._person(v.get("caller_ref"), "Caller", False)
        child = self._person(v.get("child_ref"), "Child", False)
        if child is not None and child["kind"] != "child":
            raise RowProblem(f"Child {child['ref']} is not a child in the people file")
        role_default = {"child": "young_person", "parent_carer": "parent_carer", "family_member": "family_member",
                        "professional": "professional"}.get(caller["kind"] if caller else "", "anonymous")
        topic = (v.get("topic") or "").strip()
        return {"received_on": received.isoformat(),
                "channel": _choice(v.get("channel"), choices.Channel, "Channel", SYNONYMS["channel"]),
                "caller_ref": caller["ref"] if caller else None, "child_ref": child["ref"] if child else None,
                "caller_role": _choice(v.get("caller_role"), choices.CallerRole, "Caller's role",
                                       default=role_default),
                "topic": _choice(topic, choices.Topic, "Topic") if topic else None,
                "summary": _text(v.get("summary"), "Summary")}

    def _cases(self, v: dict) -> dict:
        client = self._person(v.get("client_ref"), "Client", True)
        child = self._person(v.get("child_ref"), "Child", True)
        if child["kind"] != "child":
            raise RowProblem(f"Child {child['ref']} is not a child in the people file")
        if client["ref"] != child["ref"] and (client["ref"], child["ref"]) not in self.with_pr:
            raise RowProblem(f"the client {client['ref']} is not recorded with parental responsibility for "
                             f"{child['ref']} (casework is only for the young person or someone with it)")
        opened = _date(v.get("opened_on"), "Date opened", self.today)
        closed = _date(v["closed_on"], "Date closed", self.today) if (v.get("closed_on") or "").strip() else None
        if closed and closed < opened:
            raise RowProblem(f"it closed ({closed:%d/%m/%Y}) before it opened ({opened:%d/%m/%Y})")
        return {"client_ref": client["ref"], "child_ref": child["ref"], "worker": self._staff(v.get("worker"),
                                                                                               "Caseworker"),
                "level": _choice(v.get("level"), choices.SupportLevel, "Level of support", SYNONYMS["level"],
                                 default="casework"),
                "opened_on": opened.isoformat(), "closed_on": closed.isoformat() if closed else None,
                "closure_reason": _choice(v.get("closure_reason"), choices.ClosureReason, "Reason closed",
                                          default="other") if closed else None}

    def _notes(self, v: dict) -> dict:
        case_ref = (v.get("case_ref") or "").strip()
        if case_ref in self.rejected["cases"]:
            raise RowProblem(f"its case {case_ref} was itself rejected")
        case = self.seen["cases"].get(case_ref)
        if case is None:
            raise RowProblem(f"its case {case_ref or '(empty)'} is not in the cases file")
        minutes_text = (v.get("minutes") or "").strip() or "0"
        if not minutes_text.isdigit() or int(minutes_text) > 24 * 60:
            raise RowProblem(f"Minutes spent '{minutes_text}' is not a whole number of minutes in a day")
        when = _date(v.get("occurred_on"), "Date", self.today)
        if when < date.fromisoformat(case["opened_on"]):
            raise RowProblem(f"it is dated {when:%d/%m/%Y}, before its case opened")
        return {"case_ref": case_ref, "occurred_on": when.isoformat(),
                "note_type": _choice(v.get("note_type"), choices.NoteType, "Type of note", default="other"),
                "minutes": int(minutes_text), "author": self._staff(v.get("author"), "Written by"),
                "body": _text(v.get("body"), "Text", required=True)}

    def _consents(self, v: dict) -> dict:
        person = self._person(v.get("person_ref"), "Person", True)
        scope = (v.get("scope") or "").strip().lower()
        if scope not in SYNONYMS["scope"]:
            raise RowProblem(f"What it allows '{scope}' is not one Confide can import without a case and a named "
                             "professional (mailing list, voicemail, contact at work, messages via family)")
        given = _date(v.get("given_on"), "Date given", self.today)
        expires = None
        if (v.get("expires_on") or "").strip():
            expires = _date_any(v["expires_on"], "Expires")
            if expires <= given:
                raise RowProblem("it expires on or before the day it was given")
        withdrawn = _date(v["withdrawn_on"], "Date withdrawn", self.today) if (v.get("withdrawn_on") or "").strip() \
            else None
        if withdrawn and withdrawn < given:
            raise RowProblem("it was withdrawn before it was given")
        if SYNONYMS["scope"][scope] == "mailing_list" and not withdrawn:
            if person["ref"] in self.on_mailing_list:
                raise RowProblem(f"{person['ref']} already has a live mailing-list consent in the file")
            self.on_mailing_list.add(person["ref"])
        return {"person_ref": person["ref"], "scope": SYNONYMS["scope"][scope], "given_on": given.isoformat(),
                "expires_on": (expires or years_after(given, 2)).isoformat(),
                "withdrawn_on": withdrawn.isoformat() if withdrawn else None}


def _date_any(value: str, label: str) -> date:
    """A date that may be in the future (an expiry)."""
    return _date(value, label, date.max)


def read_rows(path: Path, mapping: dict[str, str]):
    """(line, {our field: value}) for each row; the file is streamed, never copied.
    May raise: ValidationError (unreadable, or a mapped column missing)."""
    try:
        handle = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationError(f"{path} cannot be read ({exc.strerror}).", field="file") from None
    with handle:
        reader = csv.DictReader(handle)
        headers = reader.fieldnames or []
        absent = [c for c in mapping.values() if c and c not in headers]
        if absent:
            raise ValidationError(f"{path.name} has no column {', '.join(repr(a) for a in absent)}.", field="mapping")
        try:
            for row in reader:
                yield reader.line_num, {ours: (row.get(theirs) or "") for ours, theirs in mapping.items() if theirs}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ValidationError(f"{path.name} could not be read as CSV (UTF-8) near line {reader.line_num}: "
                                  f"{exc}.", field="file") from None


def headers_of(path: Path) -> list[str]:
    """May raise: ValidationError."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValidationError(f"{path} cannot be read as a CSV file ({exc}).", field="file") from None


def check(files: dict[str, Path], mappings: dict[str, dict[str, str]], staff: dict[str, str],
          taken: set[tuple[str, str]], case_refs: set[str], today: date) -> Plan:
    """The whole dry run. May raise: ValidationError (a file or mapping that cannot be used)."""
    for kind in files:
        if kind not in FIELDS:
            raise ValidationError(f"'{kind}' is not a kind of file Confide imports.", field="kind")
        lacking = missing_required(kind, mappings.get(kind, {}))
        if lacking:
            raise ValidationError(f"The {kind} file's mapping has no column for: {', '.join(lacking)}.",
                                  field="mapping")
    checker = Checker(staff, taken, case_refs, today)
    for kind in KINDS:
        if kind not in files:
            continue
        for line, values in read_rows(Path(files[kind]), mappings[kind]):
            checker.row(kind, line, values)
        if kind == "people":
            checker.link_people()
    return checker.plan
