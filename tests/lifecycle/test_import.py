"""Importing a previous system's CSV export (docs/lifecycle.md "Importing"): the mapping
(guessed, then saved), a dry run that names every row it would reject and why, and an
all-or-nothing import that keeps the original references."""

from datetime import date

import pytest

from app.errors import PermissionDenied, ValidationError
from app.resources import path as resource_path
from app.services.lifecycle.importer import run as importer
from app.services.vault import staff
from tests.conftest import OTHER_PASSPHRASE
from tests.lifecycle import export_files
from tests.unit.casework_helpers import add_worker

TODAY = date(2026, 11, 1)


def _staff(session):
    for username, name in (("priya", "Priya Shah"), ("tom", "Tom Okafor")):
        staff.add_staff(session, username, name, "caseworker", OTHER_PASSPHRASE)


def _sample() -> dict:
    return {k: resource_path("import_sample", f"{k}.csv") for k in export_files.HEADERS}


def test_the_shipped_sample_imports_with_its_documented_mapping(session):
    _staff(session)
    files = _sample()
    guessed = importer.mapping_for(session, files)
    assert guessed["cases"]["ref"] == "Case Number" and guessed["people"]["first_name"] == "Forename"
    importer.save_mapping(session, export_files.MAPPING)
    assert importer.mapping_for(session, files) == export_files.MAPPING
    plan = importer.dry_run(session, files, today=TODAY)
    assert plan.rejections == []
    counts = importer.import_files(session, files, today=TODAY)
    assert counts == {"people": 24, "enquiries": 12, "cases": 12, "notes": 48, "consents": 3}
    conn = session.conn
    # The original references are kept: as the case's reference, and for every record.
    assert conn.execute("SELECT count(*) FROM casefile WHERE reference LIKE 'OLD-%'").fetchone()[0] == 12
    assert conn.execute("SELECT count(*) FROM import_reference").fetchone()[0] == 24 + 12 + 12 + 48 + 3
    ref = conn.execute("SELECT original_ref FROM import_reference r JOIN person p ON p.id = r.record_id "
                       "WHERE p.first_name = 'Sarah' AND p.last_name = 'Johnson'").fetchone()[0]
    assert ref == "C000000"
    assert conn.execute("SELECT count(*) FROM note_search WHERE note_search MATCH 'cumque'").fetchone()[0] > 0
    # Importing the same files again is refused row by row, and nothing is written twice.
    again = importer.dry_run(session, files, today=TODAY)
    assert len(again.rejections) == 24 + 12 + 12 + 48 + 3
    assert again.rejections[0].reason == "C000000 was already imported"


def test_a_dry_run_names_each_bad_row_and_the_import_is_all_or_nothing(session, tmp_path):
    _staff(session)
    bad = {"notes": [5, 4000], "cases": [7], "people": [11], "enquiries": [3], "consents": [1]}
    files = export_files.write(tmp_path / "export", cases=1600, notes_per_case=9, bad=bad, today=TODAY)
    total = sum(sum(1 for _ in open(p)) - 1 for p in files.values())
    assert total >= 20_000
    plan = importer.dry_run(session, files, export_files.MAPPING, today=TODAY)
    said = {(r.kind, r.ref): r.reason for r in plan.rejections}
    assert said[("notes", "N000000-005")] == "Date '31/02/2020' is not a date (use 31/12/2024 or 2024-12-31)"
    assert said[("cases", "OLD-000007")].startswith("Caseworker 'Nobody Known' is not a member of staff here")
    assert said[("people", "P000005")] == ("Kind of person 'Alien' is not one of: child, parent carer, "
                                           "family member, professional")
    assert said[("enquiries", "ENQ-OLD-000003")] == ("Channel 'Carrier pigeon' is not one of: phone, email, face to "
                                                     "face, letter, web form, other")
    assert said[("consents", "CON-000004")].startswith("What it allows 'share with school' is not one")
    # Rows that hang off a rejected row are named too, each with its own reason.
    assert said[("notes", "N000007-000")] == "its case OLD-000007 was itself rejected"
    assert said[("cases", "OLD-000005")] == "Client P000005 was itself rejected"
    assert all(r.line > 1 for r in plan.rejections)
    before = session.conn.execute("SELECT count(*) FROM person").fetchone()[0]
    with pytest.raises(ValidationError, match=f"Nothing was imported: {len(plan.rejections)} rows would be rejected"):
        importer.import_files(session, files, export_files.MAPPING, today=TODAY)
    assert session.conn.execute("SELECT count(*) FROM person").fetchone()[0] == before
    assert session.conn.execute("SELECT count(*) FROM note").fetchone()[0] == 0
    # Put right, the same size imports whole.
    files = export_files.write(tmp_path / "fixed", cases=1600, notes_per_case=9, today=TODAY)
    counts = importer.import_files(session, files, export_files.MAPPING, today=TODAY)
    assert counts["notes"] == 1600 * 9 and counts["cases"] == 1600


def test_a_mapping_without_a_required_column_is_refused_in_plain_words(session):
    files = _sample()
    mapping = {k: dict(v) for k, v in export_files.MAPPING.items()}
    del mapping["notes"]["author"]
    with pytest.raises(ValidationError, match="The notes file's mapping has no column for: Written by"):
        importer.dry_run(session, files, mapping, today=TODAY)


def test_only_the_manager_imports(session, data_dir):
    worker = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied):
        importer.dry_run(worker, _sample())
