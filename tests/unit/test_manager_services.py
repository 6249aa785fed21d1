"""Small service helpers the manager's screens need: a paper file's case from the reference
written on the folder, and progress while a report is counted."""

from datetime import date

import pytest

from app.domain import periods
from app.errors import PermissionDenied, ValidationError
from app.services.casework import cases, paper_files
from app.services.reports import figures as reports
from tests.unit.casework_helpers import add_worker, family


def test_case_for_reference_reads_the_folder_as_typed(session):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    assert paper_files.case_for_reference(session, f"  {case.reference.lower()} ") == case.id
    assert paper_files.case_for_reference(session, "") is None
    with pytest.raises(ValidationError, match="no case") as raised:
        paper_files.case_for_reference(session, "CAS-1999-0001")
    assert raised.value.field == "case"


def test_case_for_reference_is_for_casework_staff(session, data_dir):
    volunteer = add_worker(session, data_dir, "vicky", "volunteer")
    with pytest.raises(PermissionDenied):
        paper_files.case_for_reference(volunteer, "CAS-2026-0001")
    volunteer.lock()


def test_build_report_reports_progress_per_table(session):
    steps = []
    report = reports.build_report(session, periods.financial_year(2025), today=date(2026, 5, 1),
                                  progress=lambda percent, text: steps.append((percent, text)))
    assert len(steps) == len(report.tables) == reports.table_count(report.period) == reports.TABLE_COUNT + 1  # annual
    assert [p for p, _ in steps] == sorted(p for p, _ in steps) and steps[-1][0] == 99
    assert steps[0][1] == report.tables[0].title
