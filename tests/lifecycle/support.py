"""Builders for the lifecycle tests: closed cases with known dates, canaries, page scans."""

import json
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.services.casework import cases, notes, people
from app.services.casework.people import PersonInput
from tests.team.sqlcipher_pages import PAGE, decrypted_pages

CANARY = "Quillfeather-Zanzibar-7731"


def closed_case(session, born="2008-03-15", opened="2019-01-10", closed="2020-07-01", last="Hartley",
                note_text=None):
    """A parent's case about their child, closed on `closed` (dates set as a migrated record
    from a previous system would have them)."""
    parent = people.create_person(session, PersonInput(kind="parent_carer", first_name="Mabel", last_name=last,
                                                       phone_mobile="07700 900123"))
    kid = people.create_person(session, PersonInput(kind="child", first_name="Owen", last_name=last,
                                                    date_of_birth=born, school_phase="secondary",
                                                    primary_need="cognition_learning"))
    people.link_relationship(session, parent.id, kid.id, "mother", parental_responsibility=True)
    case = cases.open_case(session, parent.id, kid.id)
    if note_text:
        notes.add_note(session, case.id, "phone_call", date.today(), 20, note_text)
    conn = session.conn
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE casefile SET opened_on = ? WHERE id = ?", (opened, case.id))
    conn.execute("UPDATE note SET occurred_on = ? WHERE case_id = ?", (opened, case.id))
    conn.execute("COMMIT")
    cases.close_case(session, case.id, "resolved", ["better_informed"], closed_on=closed)
    return case.id, parent.id, kid.id


def wal_pages(path: Path, key: bytes) -> list[bytes]:
    """Every page image in a WAL file, decrypted (32-byte header, frames of 24 + PAGE)."""
    data = Path(path).read_bytes() if Path(path).exists() else b""
    out = []
    offset = 32
    while offset + 24 + PAGE <= len(data):
        number = int.from_bytes(data[offset:offset + 4], "big")
        page = data[offset + 24:offset + 24 + PAGE]
        start = 16 if number == 1 else 0
        iv = page[PAGE - 80:PAGE - 64]
        dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out.append(dec.update(page[start:PAGE - 80]) + dec.finalize())
        offset += 24 + PAGE
    return out


def file_holds(folder: Path, key: bytes, needle: bytes) -> list[str]:
    """Every place under a computer's folder where `needle` is found: the database's pages
    decrypted (free pages too), its WAL's frames decrypted, and every other file's raw bytes."""
    found = []
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file():
            continue
        if path.name.endswith(".db"):
            if any(needle in p for p in decrypted_pages(path, key)):
                found.append(str(path))
        elif path.name.endswith(".db-wal"):
            if any(needle in p for p in wal_pages(path, key)):
                found.append(str(path))
        elif needle in path.read_bytes():
            found.append(str(path))
    return found


def report_cells(report) -> str:
    return json.dumps([[t.key, [[str(c) for c in row] for row in t.rows]] for t in report.tables])
