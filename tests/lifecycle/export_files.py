"""CSV files in the shape a hosted casework system exports (synthetic, Faker en_GB), for the
import tests, the benchmark and the sample shipped in resources/import_sample/.

    .venv/bin/python -m tests.lifecycle.export_files OUT_DIR [CASES] [NOTES_PER_CASE]

The column names are the export's own ("Contact ID", "Forename", "DOB" ...), so the mapping
screen has work to do; resources/import_sample/MAPPING.md documents them."""

import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

from faker import Faker

WORKERS = ("Priya Shah", "Tom Okafor")
HEADERS = {
    "people": ["Contact ID", "Contact Type", "Forename", "Surname", "DOB", "Post Code", "Locality", "Telephone",
               "Email", "Phase", "Primary Need", "Parent Of", "Relationship", "Parental Responsibility"],
    "enquiries": ["Enquiry Ref", "Contact Date", "Contact Method", "Person ID", "Child ID", "Issue", "Details"],
    "cases": ["Case Number", "Client ID", "Young Person ID", "Assigned To", "Support Level", "Start Date",
              "End Date", "Close Reason"],
    "notes": ["Note ID", "Case Number", "Note Date", "Activity", "Duration", "Staff", "Note"],
    "consents": ["Consent ID", "Contact ID", "Consent Type", "Date Given", "Expiry", "Date Withdrawn"],
}
# Our field -> the export's column (what the saved mapping holds for these files).
MAPPING = {
    "people": {"ref": "Contact ID", "kind": "Contact Type", "first_name": "Forename", "last_name": "Surname",
               "date_of_birth": "DOB", "postcode": "Post Code", "area": "Locality", "phone": "Telephone",
               "email": "Email", "school_phase": "Phase", "primary_need": "Primary Need", "child_ref": "Parent Of",
               "relationship": "Relationship", "parental_responsibility": "Parental Responsibility"},
    "enquiries": {"ref": "Enquiry Ref", "received_on": "Contact Date", "channel": "Contact Method",
                  "caller_ref": "Person ID", "child_ref": "Child ID", "topic": "Issue", "summary": "Details"},
    "cases": {"ref": "Case Number", "client_ref": "Client ID", "child_ref": "Young Person ID", "worker": "Assigned To",
              "level": "Support Level", "opened_on": "Start Date", "closed_on": "End Date",
              "closure_reason": "Close Reason"},
    "notes": {"ref": "Note ID", "case_ref": "Case Number", "occurred_on": "Note Date", "note_type": "Activity",
              "minutes": "Duration", "author": "Staff", "body": "Note"},
    "consents": {"ref": "Consent ID", "person_ref": "Contact ID", "scope": "Consent Type", "given_on": "Date Given",
                 "expires_on": "Expiry", "withdrawn_on": "Date Withdrawn"},
}
TOPICS = ("EHC needs assessment", "Annual review", "SEN support", "Exclusion", "Tribunal", "Transport")
PHASES = ("Primary", "Secondary", "Post 16", "Early years")
NEEDS = ("Cognition learning", "SEMH", "Communication interaction", "Sensory physical")


def uk(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def write(out: Path, cases: int = 10, notes_per_case: int = 4, seed: int = 5, today: date = date(2026, 11, 1),
          bad: dict[str, list[int]] | None = None) -> dict[str, Path]:
    """Write the five files; `bad`: per kind, the 0-based data rows to spoil (each in its own
    way, said in the Note or Details). Returns the paths."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[list[str]]] = {k: [] for k in HEADERS}
    for n in range(cases):
        surname = fake.last_name()
        born = today - timedelta(days=rnd.randint(5 * 365, 19 * 365))
        child, parent = f"C{n:06d}", f"P{n:06d}"
        rows["people"].append([child, "Young person", fake.first_name(), surname, uk(born), fake.postcode(),
                               fake.city(), "", "", rnd.choice(PHASES), rnd.choice(NEEDS), "", "", ""])
        rows["people"].append([parent, "Parent/Carer", fake.first_name_female(), surname, "", fake.postcode(),
                               fake.city(), fake.phone_number(), fake.email(), "", "", child, "Mother", "Yes"])
        opened = today - timedelta(days=rnd.randint(200, 3000))
        closed = opened + timedelta(days=rnd.randint(30, 180)) if n % 3 else None
        rows["cases"].append([f"OLD-{n:06d}", parent, child, WORKERS[n % 2], "Casework", uk(opened),
                              uk(closed) if closed else "", "Resolved" if closed else ""])
        rows["enquiries"].append([f"ENQ-OLD-{n:06d}", uk(opened), rnd.choice(("Telephone", "Email", "Web form")),
                                  parent, child, rnd.choice(TOPICS), fake.sentence(nb_words=12)])
        for k in range(notes_per_case):
            when = opened + timedelta(days=k)
            rows["notes"].append([f"N{n:06d}-{k:03d}", f"OLD-{n:06d}", uk(min(when, today)),
                                  rnd.choice(("Phone call", "Meeting", "Email")), str(rnd.choice((10, 15, 30, 45))),
                                  WORKERS[n % 2], fake.paragraph(nb_sentences=3)])
        if n % 4 == 0:
            rows["consents"].append([f"CON-{n:06d}", parent, "Mailing list", uk(opened), "",
                                     uk(min(opened + timedelta(days=400), today)) if n % 8 == 0 else ""])
    for kind, spoil in (bad or {}).items():
        for i in spoil:
            _spoil(kind, rows[kind][i])
    paths = {}
    for kind, header in HEADERS.items():
        path = out / f"{kind}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows[kind])
        paths[kind] = path
    return paths


def _spoil(kind: str, row: list[str]) -> None:
    if kind == "notes":
        row[2] = "31/02/2020"           # no such date
    elif kind == "cases":
        row[3] = "Nobody Known"          # not a member of staff
    elif kind == "people":
        row[1] = "Alien"                 # not a kind of person
    elif kind == "enquiries":
        row[2] = "Carrier pigeon"        # not a channel
    elif kind == "consents":
        row[2] = "Share with school"     # needs a case and a professional


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    per_case = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    write(target, count, per_case)
    print(f"wrote {target}")
