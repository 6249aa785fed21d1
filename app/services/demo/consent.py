"""Demo consent and disclosures for `confide demo`: the school SENCo and local services as
professionals, about three consents per case given by whoever may give them (the parent with
parental responsibility, or the young person from 16), a few withdrawn, disclosures and
records requests that each rest on a consent, safeguarding overrides (most reviewed), and the
mailing list. Written in bulk (executemany) and deterministic for a seed."""

import math
import random
from datetime import UTC, date, datetime, time, timedelta

from faker import Faker

from app.domain.consent import AGE_OF_OWN_DECISIONS, DEFAULT_REVIEW_MONTHS, ConsentScope
from app.domain.role_matrix import Scope, grants
from app.domain.sar_deadline import add_months
from app.domain.signature import Signature
from app.domain.text import age_on
from app.resources import wording
from app.security.session import Session
from app.services.consent import counterparties
from app.services.consent import wording as consent_wording
from app.services.demo.casework import CHUNK, RowWriter, rng_uuid7
from app.storage.db import transaction

SERVICES = [
    ("Northshire County Council SEN Team", ["SEN caseworker", "SEN officer"]),
    ("Northshire Educational Psychology Service", ["Educational psychologist"]),
    ("Northshire Community Paediatrics", ["Community paediatrician"]),
    ("Speech and Language Therapy Service", ["Speech and language therapist"]),
    ("Northshire CAMHS", ["Clinical psychologist", "Mental health practitioner"]),
]
SOCIAL_CARE = "Northshire Children's Social Care (MASH)"
PURPOSES = ["to plan support at school", "to prepare for the annual review", "to discuss the EHC needs assessment",
            "to arrange a meeting with the family", "to talk about transition to secondary school",
            "to agree the provision in the draft plan"]
SHARED = ["Summary of needs and the support in place", "The family's views for the annual review",
          "Dates of the meeting and the family's questions", "Parent's concerns about the draft EHC plan",
          "Confirmation that the family is getting support from the service", "Notes of the school meeting"]
REQUESTED = ["Latest educational psychology report", "SEN support plan and provision map",
             "Speech and language therapy report", "Medical letters relevant to the EHC needs assessment",
             "Attendance and exclusion record"]
JUSTIFICATIONS = {
    "safeguarding": "Disclosure of possible harm at home during a call; referred to MASH the same day under the "
                    "safeguarding procedure.",
    "statutory_duty": "Tribunal direction to provide the correspondence to the local authority by a fixed date.",
}
CONTACT = {ConsentScope.VOICEMAIL: "ok_voicemail", ConsentScope.CONTACT_AT_WORK: "ok_work",
           ConsentScope.MESSAGES_VIA_FAMILY: "ok_message_family"}


def _signatures(rng: random.Random, count: int = 24) -> list[bytes]:
    """Pen-like scribbles: a wavy name and, sometimes, an underline."""
    pool = []
    for _ in range(count):
        start, length = rng.randrange(20, 60), rng.randrange(180, 360)
        amp, period, phase = rng.uniform(12, 40), rng.uniform(3, 7), rng.uniform(0, 6)
        name = [(start + i * 4, 90 + amp * math.sin(i / period + phase) + rng.uniform(-3, 3))
                for i in range(length // 4)]
        strokes = [name]
        if rng.random() < 0.5:
            strokes.append([(start + 10 + i * 9, 140 + rng.uniform(-2, 2)) for i in range(length // 10)])
        pool.append(Signature.from_points(strokes, 480, 180).to_bytes())
    return pool


def _stamp(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60)), UTC)


@grants(Scope.MANAGER)
def populate_consent(session: Session, seed: int, today: date | None = None, progress=None) -> dict:
    """Add consents and disclosures to every case that has none yet. Returns counts."""
    today = today or date.today()
    conn = session.conn
    rng = random.Random(seed * 104729 + 3)
    fake = Faker("en_GB")
    fake.seed_instance(seed + 101)
    service = session.vault.service_name
    templates = {s: wording.current(consent_wording.template_name(s)) for s in ConsentScope}
    manager = session.user.username
    w = RowWriter(conn)
    # Flush parents before children: foreign keys are checked row by row.
    for table in ("organisation", "person", "search_key", "search_index", "consent", "consent_withdrawal",
                  "mailing_list_member", "disclosure", "override_review"):
        w.rows.setdefault(table, [])
    counts = dict(professionals=0, consents=0, withdrawals=0, disclosures=0, records_requests=0, overrides=0,
                  mailing_list=0)
    cases = conn.execute(
        "SELECT c.id, c.reference, c.client_id, c.child_id, c.worker, c.opened_on, c.closed_on, c.own_case, "
        "ch.date_of_birth, ch.school_name, trim(ch.first_name || ' ' || ch.last_name) AS child_name, "
        "trim(cl.first_name || ' ' || cl.last_name) AS client_name, cl.kind AS client_kind "
        "FROM casefile c JOIN person ch ON ch.id = c.child_id JOIN person cl ON cl.id = c.client_id "
        "WHERE c.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM consent x WHERE x.case_id = c.id) "
        "ORDER BY c.reference").fetchall()
    safeguarding = {r[0] for r in conn.execute("SELECT case_id FROM safeguarding_concern")}
    # A person is on the list once: demo data added to a vault in use must not collide.
    on_list = {r[0] for r in conn.execute("SELECT person_id FROM mailing_list_member")}
    key_id = conn.execute("SELECT coalesce(max(id), 0) FROM search_key").fetchone()[0]
    start = datetime.combine(today - timedelta(days=3650), time(9), UTC)

    def common(when: datetime, actor: str) -> dict:
        at = when.isoformat(timespec="seconds")
        return {"created_at": at, "created_by": actor, "updated_at": at, "updated_by": actor}

    def organisation(name: str, kind: str) -> str:
        row = conn.execute("SELECT id FROM organisation WHERE name = ? AND deleted_at IS NULL", (name,)).fetchone()
        if row:
            return row[0]
        org_id = rng_uuid7(rng, start)
        w.add("organisation", {"id": org_id, "name": name, "kind": kind, **common(start, manager)})
        return org_id

    def professional(org_id: str, org_name: str, job: str) -> tuple[str, str]:
        nonlocal key_id
        first, last = fake.first_name(), fake.last_name()
        pid = rng_uuid7(rng, start)
        w.add("person", {"id": pid, "kind": "professional", "first_name": first, "last_name": last,
                         "job_title": job, "organisation_id": org_id, **common(start, manager)})
        key_id += 1
        w.add("search_key", {"id": key_id, "kind": "person", "ref_id": pid})
        w.add("search_index", {"rowid": key_id, "kind": "person", "ref_id": pid, "case_id": None,
                               "title": f"{first} {last}", "body": org_name})
        counts["professionals"] += 1
        return pid, counterparties.label(first, last, job, org_name)

    # The people on the other side: a SENCo per school, a few at each local service.
    schools = {}
    for name in sorted({r["school_name"] for r in cases if r["school_name"]}):
        org_id = organisation(name, "school")
        schools[name] = (org_id, *professional(org_id, name, "SENCo"))
    services = []
    for name, jobs in SERVICES:
        org_id = organisation(name, "local_service")
        services += [(org_id, *professional(org_id, name, job)) for job in jobs for _ in range(2)]
    social_care = organisation(SOCIAL_CARE, "social_care")
    signatures = _signatures(rng)
    people_flags: list[tuple[int, str, str]] = []  # (allowed, column, person id)

    def wording_row(scope: ConsentScope, child: str, party: str, about_self: bool) -> dict:
        version, template = templates[scope]
        text = template.format_map(consent_wording.values(service, child, party, about_self))
        return {"wording_name": consent_wording.template_name(scope), "wording_version": version, "wording_text": text}

    for n, case in enumerate(cases):
        opened = date.fromisoformat(case["opened_on"])
        end = min(date.fromisoformat(case["closed_on"]) if case["closed_on"] else today, today)
        given = min(opened + timedelta(days=rng.randrange(0, 15)), end)
        when = _stamp(given, rng)
        born = date.fromisoformat(case["date_of_birth"]) if case["date_of_birth"] else None
        own = bool(case["own_case"]) or (born is not None and age_on(born, given) >= AGE_OF_OWN_DECISIONS)
        giver, giver_name = (case["child_id"], case["child_name"]) if own else (case["client_id"], case["client_name"])
        expires = add_months(given, DEFAULT_REVIEW_MONTHS)
        if not own and born is not None:
            sixteenth = add_months(born, 12 * AGE_OF_OWN_DECISIONS)
            if expires >= sixteenth:
                expires = sixteenth - timedelta(days=1)
        if born is None or expires <= given:
            continue  # the rules need an age; a child turning 16 tomorrow is asked themself, later
        method = rng.choices(["signed_on_screen", "written_form", "verbal_in_person", "verbal_phone"],
                             weights=[35, 15, 15, 35])[0]
        base = {
            "case_id": case["id"], "given_by_id": giver, "capacity_note": None, "method": method,
            "signed_name": giver_name if method in ("signed_on_screen", "written_form") else None,
            "signature": rng.choice(signatures) if method == "signed_on_screen" else None,
            "given_on": given.isoformat(), "expires_on": expires.isoformat(), "batch_id": rng_uuid7(rng, when),
            "replaces_id": None, "note": None, "purpose": None, **common(when, case["worker"])}
        items = []
        school = schools.get(case["school_name"])
        if school and rng.random() < 0.95:
            items.append((ConsentScope.SHARE_WITH, school[1], school[0], school[2], rng.choice(PURPOSES)))
        if rng.random() < 0.5:
            org_id, pid, label = rng.choice(services)
            items.append((ConsentScope.SHARE_WITH, pid, org_id, label, rng.choice(PURPOSES)))
        if rng.random() < 0.5:
            org_id, pid, label = rng.choice(services)
            items.append((ConsentScope.OBTAIN_RECORDS, pid, org_id, label, None))
        if rng.random() < 0.7:
            items.append((rng.choice(list(CONTACT)), None, None, "", None))
        if case["client_kind"] == "parent_carer" and not own and rng.random() < 0.25:
            items.append((ConsentScope.MAILING_LIST, None, None, "", None))
        for scope, pid, org_id, label, purpose in items:
            consent_id = rng_uuid7(rng, when)
            about_child = scope.about_the_child
            w.add("consent", {
                "id": consent_id, **base, "subject_id": case["child_id"] if about_child else giver,
                # Contact arrangements are the giver's own; sharing is decided for the child.
                "capacity": "parental_responsibility" if about_child and not own else "self",
                "scope": scope.value, "counterparty_person_id": pid, "counterparty_organisation_id": org_id,
                "purpose": purpose, **wording_row(scope, case["child_name"], label, own or not about_child)})
            counts["consents"] += 1
            last = min(expires, end)
            withdrawn = None
            if rng.random() < 0.04 and (last - given).days > 1:
                withdrawn = given + timedelta(days=rng.randrange(1, (last - given).days))
                w.add("consent_withdrawal", {"id": rng_uuid7(rng, when), "consent_id": consent_id,
                                             "withdrawn_on": withdrawn.isoformat(),
                                             "method": rng.choice(["verbal_phone", "in_writing"]), "note": None,
                                             **common(_stamp(withdrawn, rng), case["worker"])})
                counts["withdrawals"] += 1
                last = withdrawn - timedelta(days=1)
            if scope in CONTACT:
                people_flags.append((0 if withdrawn else 1, CONTACT[scope], giver))
            if scope == ConsentScope.MAILING_LIST and giver not in on_list:
                on_list.add(giver)
                w.add("mailing_list_member", {
                    "id": rng_uuid7(rng, when), "person_id": giver, "consent_id": consent_id,
                    "joined_on": given.isoformat(), "left_on": withdrawn.isoformat() if withdrawn else None,
                    "left_reason": "consent_withdrawn" if withdrawn else None, **common(when, case["worker"])})
                counts["mailing_list"] += 1
            if about_child and last >= given:
                times = 1 if scope == ConsentScope.OBTAIN_RECORDS else rng.choice([0, 1, 1, 2, 3])
                for _ in range(times):
                    day = given + timedelta(days=rng.randrange((last - given).days + 1))
                    records_request = scope == ConsentScope.OBTAIN_RECORDS
                    w.add("disclosure", {
                        "id": rng_uuid7(rng, _stamp(day, rng)), "case_id": case["id"],
                        "kind": "records_request" if records_request else "share",
                        "counterparty_person_id": pid, "counterparty_organisation_id": None if pid else org_id,
                        "disclosed_on": day.isoformat(), "channel": rng.choice(["email", "email", "phone", "letter",
                                                                                "meeting"]),
                        "what": rng.choice(REQUESTED if records_request else SHARED), "basis": "consent",
                        "consent_id": consent_id, "lawful_reason": None, "justification": None,
                        **common(_stamp(day, rng), case["worker"])})
                    counts["records_requests" if records_request else "disclosures"] += 1
        if case["id"] in safeguarding or rng.random() < 0.003:
            reason = "safeguarding" if case["id"] in safeguarding else "statutory_duty"
            day = min(opened + timedelta(days=rng.randrange(1, 20)), end)
            override_id = rng_uuid7(rng, _stamp(day, rng))
            w.add("disclosure", {
                "id": override_id, "case_id": case["id"], "kind": "share", "counterparty_person_id": None,
                "counterparty_organisation_id": social_care if reason == "safeguarding" else services[0][0],
                "disclosed_on": day.isoformat(), "channel": "phone", "what": "Information about the concern raised",
                "basis": "override", "consent_id": None, "lawful_reason": reason,
                "justification": JUSTIFICATIONS[reason], **common(_stamp(day, rng), case["worker"])})
            counts["overrides"] += 1
            if day < today - timedelta(days=14) and rng.random() < 0.8:
                reviewed = _stamp(day + timedelta(days=rng.randrange(1, 10)), rng)
                w.add("override_review", {"id": rng_uuid7(rng, reviewed), "disclosure_id": override_id,
                                          "note": "Reviewed: appropriate and proportionate.",
                                          **common(reviewed, manager)})
        if (n + 1) % CHUNK == 0:
            _flush(conn, w, people_flags)
            if progress:
                progress(int(100 * (n + 1) / len(cases)), f"consent for {n + 1:,} of {len(cases):,} cases")
    _flush(conn, w, people_flags)
    with transaction(conn):
        session.audit("demo_consent_added", "vault", session.vault.vault_id, dict(counts))
    return counts


def _flush(conn, w: RowWriter, flags: list) -> None:
    with transaction(conn):
        w.flush()
        for column in sorted(set(CONTACT.values())):
            rows = [(value, pid) for value, col, pid in flags if col == column]
            if rows:
                conn.executemany(f"UPDATE person SET {column} = ? WHERE id = ?", rows)
    flags.clear()
