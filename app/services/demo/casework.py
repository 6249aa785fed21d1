"""Synthetic families, enquiries, cases, notes, actions and safeguarding records, written in
bulk (executemany in chunks) so 50,000 cases take minutes, not hours. Deterministic for a seed:
ids are UUIDv7 built from the record's own date and the seeded generator."""

import json
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from faker import Faker

from app.domain.choices import (
    CallerRole,
    Channel,
    ClosureReason,
    EhcpStatus,
    InterventionLevel,
    NoteType,
    Outcome,
    PrimaryNeed,
    SchoolPhase,
    Topic,
)
from app.domain.role_matrix import Scope, grants
from app.security.session import Session
from app.services.demo import text as demo_text
from app.storage import search_index
from app.storage.db import transaction

YEARS = 10
CHUNK = 2000
# Each choice list made once: list(SomeEnum) walks the enum, and the loop below asked for
# one per note (656,870 at 50,000 cases). The same lists, so the same draws.
_NEEDS, _EHCP, _CHANNELS = list(PrimaryNeed), list(EhcpStatus), list(Channel)
_CASE_CHANNELS = [Channel.PHONE] * 5 + [Channel.EMAIL] * 3 + _CHANNELS
_TOPICS, _LEVELS, _CLOSURES, _OUTCOMES, _NOTE_TYPES = (list(Topic), list(InterventionLevel), list(ClosureReason),
                                                       list(Outcome), list(NoteType))


def rng_uuid7(rng: random.Random, when: datetime) -> str:
    ms = int(when.timestamp() * 1000) & ((1 << 48) - 1)
    rand = rng.getrandbits(74)
    value = (ms << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


class RowWriter:
    """Buffers rows per table and flushes them with executemany."""

    def __init__(self, conn):
        self.conn = conn
        self.rows: dict[str, list[tuple]] = {}
        self.columns: dict[str, tuple[str, ...]] = {}

    def add(self, table: str, row: dict) -> None:
        cols = self.columns.setdefault(table, tuple(row))
        self.rows.setdefault(table, []).append(tuple(row[c] for c in cols))

    def flush(self) -> None:
        for table, rows in self.rows.items():
            if rows:
                cols = self.columns[table]
                self.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
                rows.clear()


def _stamp(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60)), UTC)


@grants(Scope.MANAGER)
def populate_casework(session: Session, cases: int, seed: int, today: date | None = None,
                      big_case_notes: int = 500, progress=None) -> dict:
    """Add `cases` cases with their families and history. Returns counts."""
    today = today or date.today()
    rng = random.Random(seed * 7919 + 17)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    conn = session.conn
    workers = [r[0] for r in conn.execute(
        "SELECT username FROM staff WHERE active = 1 AND role IN ('manager', 'caseworker') ORDER BY username")]
    actor = session.user.username
    start = today - timedelta(days=365 * YEARS)
    span = (today - start).days
    key_id = conn.execute("SELECT coalesce(max(id), 0) FROM search_key").fetchone()[0]
    counters: dict[tuple[str, int], int] = {}
    for prefix, year, value in conn.execute("SELECT prefix, year, value FROM reference_counter"):
        counters[(prefix, year)] = value
    w = RowWriter(conn)
    counts = dict(people=0, enquiries=0, cases=0, notes=0, actions=0, safeguarding=0, incidents=0)

    def ref(prefix: str, day: date) -> str:
        counters[(prefix, day.year)] = counters.get((prefix, day.year), 0) + 1
        return f"{prefix}-{day.year}-{counters[(prefix, day.year)]:05d}"

    def common(when: datetime) -> dict:
        at = when.isoformat(timespec="seconds")
        return {"created_at": at, "created_by": actor, "updated_at": at, "updated_by": actor}

    def index(kind: str, ref_id: str, case_id, title: str, body: str) -> None:
        nonlocal key_id
        key_id += 1
        w.add("search_key", {"id": key_id, "kind": kind, "ref_id": ref_id})
        w.add(search_index.table_for(kind), {"rowid": key_id, "kind": kind, "ref_id": ref_id, "case_id": case_id,
                      "title": title, "body": body})

    def person(kind: str, first: str, last: str, when: datetime, **extra) -> str:
        pid = rng_uuid7(rng, when)
        row = {"id": pid, "kind": kind, "first_name": first, "last_name": last,
               "date_of_birth": extra.get("date_of_birth"), "school_name": extra.get("school_name"),
               "school_phase": extra.get("school_phase"), "primary_need": extra.get("primary_need"),
               "ehcp_status": extra.get("ehcp_status"), "job_title": extra.get("job_title"),
               "phone_mobile": extra.get("phone_mobile"), "email": extra.get("email"),
               "postcode": extra.get("postcode"), "area": extra.get("area"),
               "ok_mobile": extra.get("ok_mobile"), "ok_voicemail": extra.get("ok_voicemail"),
               "ok_work": extra.get("ok_work"), "ok_email": extra.get("ok_email"), **common(when)}
        w.add("person", row)
        index("person", pid, None, f"{first} {last}", " ".join(
            v for v in (extra.get("school_name"), extra.get("area"), extra.get("postcode")) if v))
        counts["people"] += 1
        return pid

    schools = [f"{fake.last_name()} {rng.choice(['Primary School', 'Academy', 'High School', 'Infant School', 'College'])}"
               for _ in range(max(20, cases // 100))]
    areas = [fake.city() for _ in range(25)]
    big_case_index = 0 if big_case_notes else -1

    for i in range(cases):
        opened = start + timedelta(days=int(span * (i / max(cases, 1)) ** 0.8 + rng.randrange(3)))
        opened = min(opened, today)
        when = _stamp(opened, rng)
        surname = fake.last_name()
        age = rng.choice([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21])
        born = opened - timedelta(days=365 * age + rng.randrange(365))
        phase = (SchoolPhase.EARLY_YEARS if age < 5 else SchoolPhase.PRIMARY if age < 11 else
                 SchoolPhase.SECONDARY if age < 16 else rng.choice([SchoolPhase.POST_16, SchoolPhase.FURTHER_EDUCATION]))
        child_first = fake.first_name()
        area = rng.choice(areas)
        child_id = person("child", child_first, surname, when, date_of_birth=born.isoformat(),
                          school_name=rng.choice(schools), school_phase=phase.value,
                          primary_need=rng.choice(_NEEDS).value,
                          ehcp_status=rng.choice(_EHCP).value, area=area)
        young_person_calls = age >= 16 and rng.random() < 0.35
        parent_first = fake.first_name()
        parent_id = person("parent_carer", parent_first, surname, when, phone_mobile=fake.phone_number(),
                           email=fake.free_email(), postcode=fake.postcode(), area=area,
                           ok_mobile=1, ok_voicemail=rng.choice([0, 1, None]), ok_work=rng.choice([0, None]),
                           ok_email=rng.choice([1, None]))
        w.add("relationship", {"id": rng_uuid7(rng, when), "adult_id": parent_id, "child_id": child_id,
                               "relationship": rng.choice(["mother", "mother", "father", "foster_carer"]),
                               "parental_responsibility": 1, **common(when)})
        if rng.random() < 0.4:
            other = person("family_member", fake.first_name(), surname, when, area=area)
            w.add("relationship", {"id": rng_uuid7(rng, when), "adult_id": other, "child_id": child_id,
                                   "relationship": rng.choice(["grandparent", "other_relative", "step_parent"]),
                                   "parental_responsibility": 0, **common(when)})
        client_id = child_id if young_person_calls else parent_id
        client_name = child_first if young_person_calls else parent_first
        worker = rng.choice(workers)
        enquiry_id = rng_uuid7(rng, when)
        case_id = rng_uuid7(rng, when)
        w.add("enquiry", {
            "id": enquiry_id, "reference": ref("ENQ", opened), "received_at": when.isoformat(timespec="seconds"),
            "channel": rng.choice(_CASE_CHANNELS).value,
            "route": "professional" if rng.random() < 0.15 else "self", "anonymous": 0,
            "caller_id": client_id,
            "caller_role": (CallerRole.YOUNG_PERSON if young_person_calls else CallerRole.PARENT_CARER).value,
            "child_id": child_id, "enquiry_type": "casework", "summary": rng.choice(demo_text.SUMMARIES),
            "statement_shared": 1, "statement_how": "verbal", "statement_by": worker,
            "statement_version": "v1", "handled_by": worker, "case_id": case_id, **common(when)})
        for topic in rng.sample(_TOPICS, rng.choice([1, 1, 2, 3])):
            w.add("enquiry_topic", {"enquiry_id": enquiry_id, "topic": topic.value})
        counts["enquiries"] += 1
        age_days = (today - opened).days
        closed = age_days > 240 or (age_days > 60 and rng.random() < 0.5)
        closed_on = min(today, opened + timedelta(days=rng.randrange(20, 240))) if closed else None
        reference = ref("CAS", opened)
        level = rng.choice(_LEVELS).value
        # The network's states and evaluations (docs/national.md) from a generator of the case's
        # own, so the figures drawn from `rng` stay what they were before these existed.
        side = random.Random(case_id)
        inactive_on = opened + timedelta(days=side.randrange(30, 90)) \
            if not closed and age_days > 120 and side.random() < 0.35 else None
        w.add("casefile", {
            "id": case_id, "reference": reference, "client_id": client_id, "child_id": child_id,
            "worker": worker, "level": level,
            "status": "closed" if closed else "inactive" if inactive_on else "open", "opened_on": opened.isoformat(),
            "closed_on": closed_on.isoformat() if closed_on else None,
            "closure_reason": rng.choice(_CLOSURES).value if closed else None,
            "outcomes": ('["' + '","'.join(sorted(o.value for o in rng.sample(_OUTCOMES, 2))) + '"]')
            if closed else "[]",
            "enquiry_id": enquiry_id, "own_case": int(young_person_calls), "shared_with_family": 0,
            **common(when)})
        _histories(w, side, case_id, level, opened, closed_on, inactive_on, common(when))
        index("case", case_id, case_id, f"{reference} {client_name} {surname} {child_first} {surname}", "")
        counts["cases"] += 1
        n_notes = big_case_notes if i == big_case_index else rng.choice([3, 5, 8, 10, 12, 14, 16, 20, 30])
        last_day = closed_on or today
        for n in range(n_notes):
            day = opened + timedelta(days=(last_day - opened).days * n // max(n_notes, 1))
            note_when = _stamp(day, rng)
            note_id = rng_uuid7(rng, note_when)
            body = demo_text.note_text(rng, f"{client_name} {surname}", child_first)
            w.add("note", {"id": note_id, "case_id": case_id, "note_type": rng.choice(_NOTE_TYPES).value,
                           "occurred_on": day.isoformat(), "minutes_spent": rng.choice([10, 15, 20, 30, 45, 60, 90]),
                           "body": body, "author": worker, **common(note_when)})
            index("note", note_id, case_id, reference, body)
            counts["notes"] += 1
        if rng.random() < 0.8:
            due = opened + timedelta(days=rng.randrange(3, 60))
            done = closed or due < today - timedelta(days=rng.randrange(0, 30))
            w.add("action_item", {"id": rng_uuid7(rng, when), "case_id": case_id,
                                  "title": rng.choice(demo_text.ACTIONS), "due_on": due.isoformat(),
                                  "owner": worker, "done_at": _stamp(due, rng).isoformat() if done else None,
                                  "done_by": worker if done else None, **common(when)})
            counts["actions"] += 1
        if rng.random() < 0.02:
            w.add("safeguarding_concern", {"id": rng_uuid7(rng, when), "case_id": case_id,
                                           "raised_on": opened.isoformat(),
                                           "description": rng.choice(demo_text.SAFEGUARDING),
                                           "referred_to": "Children's social care (MASH)",
                                           "external_reference": f"MASH-{rng.randrange(10000, 99999)}",
                                           "status": "closed" if closed else "open", **common(when)})
            counts["safeguarding"] += 1
        if rng.random() < 0.005:
            w.add("incident", {"id": rng_uuid7(rng, when), "person_id": parent_id, "case_id": case_id,
                               "occurred_on": opened.isoformat(), "description": rng.choice(demo_text.INCIDENTS),
                               "reported_by": worker, **common(when)})
            conn_marker = parent_id
            w.rows.setdefault("_markers", []).append((conn_marker,))
            counts["incidents"] += 1
        if (i + 1) % CHUNK == 0:
            _flush(conn, w)
            if progress:
                progress(int(100 * (i + 1) / cases), f"{i + 1:,} of {cases:,} cases")

    # General-information and anonymous enquiries: about a third of all contacts (R1).
    for j in range(cases // 2):
        day = start + timedelta(days=rng.randrange(span + 1))
        when = _stamp(day, rng)
        anonymous = rng.random() < 0.3
        w.add("enquiry", {
            "id": rng_uuid7(rng, when), "reference": ref("ENQ", day), "received_at": when.isoformat(timespec="seconds"),
            "channel": rng.choice(_CHANNELS).value, "route": "self", "anonymous": int(anonymous),
            "caller_id": None, "caller_role": "anonymous" if anonymous else rng.choice(
                ["parent_carer", "parent_carer", "professional", "family_member", "young_person"]),
            "child_id": None, "enquiry_type": "general", "summary": rng.choice(demo_text.SUMMARIES),
            "statement_shared": int(rng.random() < 0.9), "statement_how": "verbal", "statement_by": rng.choice(workers),
            "statement_version": "v1", "handled_by": rng.choice(workers), "case_id": None, **common(when)})
        counts["enquiries"] += 1
        if (j + 1) % CHUNK == 0:
            _flush(conn, w)
    _flush(conn, w)
    with transaction(conn):
        for (prefix, year), value in counters.items():
            conn.execute("INSERT INTO reference_counter (prefix, year, value) VALUES (?, ?, ?) "
                         "ON CONFLICT(prefix, year) DO UPDATE SET value = excluded.value", (prefix, year, value))
        session.audit("demo_data_added", "vault", session.vault.vault_id, {k: v for k, v in counts.items()})
    return counts


def _histories(w: RowWriter, side: random.Random, case_id: str, level: str, opened: date, closed_on: date | None,
               inactive_on: date | None, stamps: dict) -> None:
    """The case's level and state history, and for most closed cases the service user's
    evaluation (no case named in it)."""
    w.add("case_level_change", {"id": f"{case_id}:level", "case_id": case_id, "level": level,
                                "previous_level": None, "changed_on": opened.isoformat(), "reason": None, **stamps})
    w.add("case_state_change", {"id": f"{case_id}:opened", "case_id": case_id, "state": "open",
                                "previous_state": None, "changed_on": opened.isoformat(), "how": "opened", **stamps})
    if inactive_on:
        w.add("case_state_change", {"id": f"{case_id}:inactive", "case_id": case_id, "state": "inactive",
                                    "previous_state": "open", "changed_on": inactive_on.isoformat(),
                                    "how": "no_contact", **stamps})
    if closed_on is None:
        return
    w.add("case_state_change", {"id": f"{case_id}:closed", "case_id": case_id, "state": "closed",
                                "previous_state": "open", "changed_on": closed_on.isoformat(), "how": "closed",
                                **stamps})
    if side.random() < 0.6:     # an evaluation came back
        asked = ("q1", "q2", "q3") if level == "level_1" else ("q1", "q2", "q3", "q4", "q5")
        answers = {q: side.choice(_ANSWERS) for q in asked if side.random() < 0.9} or {"q3": "agree"}
        midnight = f"{closed_on.isoformat()}T00:00:00+00:00"
        w.add("service_evaluation", {
            "id": str(uuid.UUID(int=side.getrandbits(128), version=4)), "received_on": closed_on.isoformat(),
            "level": level, "method": side.choice(["on_screen", "on_screen", "paper"]), "questions_version": "v1",
            "answers": json.dumps(answers, sort_keys=True),
            "created_at": midnight, "created_by": "", "updated_at": midnight, "updated_by": ""})


# Mostly content, as services report.
_ANSWERS = ["strongly_agree"] * 5 + ["agree"] * 4 + ["neither"] * 2 + ["disagree", "strongly_disagree"]


def _flush(conn, w: RowWriter) -> None:
    markers = w.rows.pop("_markers", [])
    with transaction(conn):
        w.flush()
        if markers:
            conn.executemany("UPDATE person SET staff_safety_marker = 1, staff_safety_note = 'Do not visit alone' "
                             "WHERE id = ?", markers)
