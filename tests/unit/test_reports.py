"""Every figure of the service report against a hand-built dataset whose counts are known."""

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest

from app.domain import periods
from app.errors import PermissionDenied, ValidationError
from app.pdf.report_pdf import render_report
from app.services.casework import cases, enquiries, safeguarding
from app.services.casework.enquiries import EnquiryInput
from app.services.casework.people import PersonInput
from app.services.reports import export as report_export
from app.services.reports import figures as reports
from tests.unit.casework_helpers import add_worker, child, family

FY = periods.financial_year(2025)  # 1 April 2025 to 31 March 2026


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _rows(report, key):
    return {row[0]: row[1:] if len(row) > 2 else row[1] for row in report.table(key).rows}


def _parts(report, key):
    """The rows without the table's total row."""
    table = report.table(key)
    rows = table.rows[:-1] if table.total_last else table.rows
    return {row[0]: row[1] for row in rows}


@pytest.fixture
def dataset(session):
    """
    Enquiries in FY 2025-26 (UK local dates): 9 in all.
      - 01/04/2025 00:30 BST (31/03 23:30 UTC): phone, parent, topics EHC plan + tribunal
      - 31/03/2026 23:59 BST (22:59 UTC): email, anonymous
      - 6 phone parent enquiries in May 2025 (topic SEN support), one by professional route
      - 1 letter from a young person in June 2025
    Outside: 31/03/2025 23:59 BST and 01/04/2026 00:00 BST.
    """
    now = utc("2026-06-01T12:00:00")
    parent, kid = family(session)
    from app.services.casework import enquiries

    def enquiry(when, **kw):
        data = dict(channel="phone", caller_role="parent_carer", topics=["sen_support"])
        data.update(kw)
        return enquiries.record_enquiry(session, enquiries.EnquiryInput(received_at=utc(when), **data), now=now)

    enquiry("2025-03-31T23:30:00", caller_id=parent.id, child_id=kid.id, topics=["ehc_plan", "tribunal"])
    enquiry("2026-03-31T22:59:00", channel="email", caller_role="anonymous", anonymous=True, topics=[])
    enquiry("2025-03-31T22:59:00", channel="letter")  # outside (31 March 2025 local)
    enquiry("2026-03-31T23:00:00", channel="letter")  # outside (1 April 2026 local)
    for day in range(1, 7):
        extra = {"route": "professional", "referrer": PersonInput(kind="professional", first_name="Priya",
                                                                  last_name="Okafor")} if day == 1 else {}
        enquiry(f"2025-05-{day:02d}T10:00:00", caller_id=parent.id, **extra)
    yp = child(session, "Jordan", "Reeve", born="2008-06-01")
    enquiry("2025-06-10T10:00:00", channel="letter", caller_role="young_person", caller_id=yp.id, topics=["transport"])

    # Cases: one continuing from 2024 (still open), two new in the FY (one closed), one after.
    old = cases.open_case(session, parent.id, kid.id, level="level_2", opened_on=date(2024, 12, 1))
    new1 = cases.open_case(session, yp.id, yp.id, level="level_3", opened_on=date(2025, 4, 1))
    new2 = cases.open_case(session, parent.id, kid.id, level="level_3", opened_on=date(2026, 3, 31))
    cases.open_case(session, parent.id, kid.id, level="level_1", opened_on=date(2026, 4, 1))
    gone = cases.open_case(session, parent.id, kid.id, level="level_1", opened_on=date(2024, 1, 1))
    cases.close_case(session, gone.id, "resolved", ["better_informed"], closed_on=date(2025, 3, 31))
    cases.close_case(session, new1.id, "resolved", ["better_informed", "placement_secured"],
                     closed_on=date(2025, 9, 1))
    safeguarding.raise_concern(session, old.id, date(2025, 7, 1), "Concern raised.", today=date(2026, 6, 1))
    safeguarding.raise_concern(session, old.id, date(2025, 3, 31), "Before the year.", today=date(2026, 6, 1))
    return {"parent": parent, "kid": kid, "yp": yp, "old": old, "new1": new1, "new2": new2}


def test_contacts_by_channel_and_month_use_uk_local_dates(session, dataset):
    report = reports.build_report(session, FY)
    channel = _rows(report, "contacts_by_channel")
    assert channel["Phone"] == 7 and channel["Email"] == 1 and channel["Letter"] == 1
    assert channel["All contacts"] == 9
    month = _parts(report, "contacts_by_month")
    assert month["Apr 2025"] == 1 and month["May 2025"] == 6 and month["Jun 2025"] == 1
    assert month["Mar 2026"] == 1 and sum(month.values()) == 9


def test_people_routes_and_topics(session, dataset):
    report = reports.build_report(session, FY)
    helped = _rows(report, "people_helped")
    assert helped["Parent or carer"] == 1  # one named parent, however often they called
    assert helped["Anonymous"] == 1 and helped["Young person (16-25)"] == 1
    assert _parts(report, "referral_routes") == {"Self-referral": 8, "Professional on the family's behalf": 1}
    topics = _rows(report, "topics")
    assert topics["SEN support"] == 6 and topics["EHC plan"] == 1 and topics["Tribunal"] == 1
    assert topics["Transport"] == 1


def test_cases_levels_outcomes_and_children(session, dataset):
    report = reports.build_report(session, FY)
    assert _rows(report, "cases") == {"New cases opened": 2, "Continuing from before the period": 1,
                                      "All cases active in the period": 3}
    assert _rows(report, "cases_closed")["All cases closed"] == 1 and _rows(report, "cases_closed")["Resolved"] == 1
    levels = _rows(report, "intervention_levels")
    assert levels["Level 3"] == 2 and levels["Level 2"] == 1 and levels["Level 1"] == 0
    outcomes = _rows(report, "outcomes")
    assert outcomes["Better informed"] == 1 and outcomes["Placement secured"] == 1
    ages = _parts(report, "age_bands")
    # Ellie (born 09/03/2014) is 11 on 01/04/2025; Jordan (born 01/06/2008) is 16 then.
    assert ages["11-15"] == 1 and ages["16-19"] == 1 and sum(ages.values()) == 2
    assert _rows(report, "primary_need")["Cognition and learning"] == 2
    assert _rows(report, "safeguarding")["Safeguarding concerns raised"] == 1


def test_small_numbers_are_suppressed_outside_the_service(session, dataset):
    report = reports.build_report(session, FY)
    out = report.to_json(exact=False)
    channel = {r[0]: r[1] for r in next(t for t in out["tables"] if t["key"] == "contacts_by_channel")["rows"]}
    # Phone (7) would be All contacts (9) less the two hidden ones: so it is withheld as well.
    assert channel["Phone"] == "withheld" and channel["Email"] == "fewer than 5" and channel["Face to face"] == 0
    assert channel["All contacts"] == 9
    inside = report.to_json(exact=True)
    channel = {r[0]: r[1] for r in next(t for t in inside["tables"] if t["key"] == "contacts_by_channel")["rows"]}
    assert channel["Email"] == 1
    workload = next(t for t in out["tables"] if t["key"] == "workload")["rows"]
    assert all(row[0].startswith("Worker ") for row in workload[:-1]) and workload[-1][0] == "All workers"


def test_reports_are_for_managers(session, data_dir, dataset):
    worker = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied):
        reports.build_report(worker, FY)
    worker.lock()


@pytest.mark.parametrize("factory,start,end", [
    (lambda: periods.financial_year(2025), date(2025, 4, 1), date(2026, 3, 31)),
    (lambda: periods.academic_year(2025), date(2025, 9, 1), date(2026, 8, 31)),
    (lambda: periods.quarter(2024, 1), date(2024, 1, 1), date(2024, 3, 31)),
    (lambda: periods.quarter(2024, 4), date(2024, 10, 1), date(2024, 12, 31)),
    (lambda: periods.month(2024, 2), date(2024, 2, 1), date(2024, 2, 29)),
    (lambda: periods.month(2025, 12), date(2025, 12, 1), date(2025, 12, 31)),
    (lambda: periods.last_financial_year(date(2026, 3, 31)), date(2024, 4, 1), date(2025, 3, 31)),
    (lambda: periods.last_financial_year(date(2026, 4, 1)), date(2025, 4, 1), date(2026, 3, 31)),
])
def test_period_boundaries(factory, start, end):
    period = factory()
    assert (period.start, period.end) == (start, end)


def test_period_utc_bounds_follow_british_summer_time():
    lo, hi = periods.financial_year(2025).utc_bounds
    assert lo == "2025-03-31T23:00:00+00:00" and hi == "2026-03-31T23:00:00+00:00"
    with pytest.raises(ValidationError):
        periods.custom(date(2026, 1, 2), date(2026, 1, 1))


def test_csv_json_and_pdf_agree(session, dataset, tmp_path):
    report = reports.build_report(session, FY)
    data = json.loads(report_export.to_json_bytes(report))
    written = report_export.write_csv_dir(session, report, tmp_path / "csv")
    assert not written.encrypted and written.path == tmp_path / "csv"
    assert {p.stem for p in (tmp_path / "csv").iterdir()} == {t.key for t in report.tables}
    channel_csv = (tmp_path / "csv" / "contacts_by_channel.csv").read_text().splitlines()
    assert channel_csv[0] == "Channel,Contacts" and "Email,fewer than 5" in channel_csv
    pdf = render_report(report)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (tmp_path / "r.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        body = "\f".join(text.split("\f")[2:])  # after the title page and the contents
        for table in data["tables"]:
            assert table["title"] in body
            section = body[body.index(table["title"]):]
            if table["text"]:   # a register of words (the standards): wrapped cells, checked in tests/unit/test_national.py
                continue
            for label, *values in table["rows"]:
                pattern = re.compile(rf"^\s*{re.escape(label)}\s{{2,}}(.+)$", re.M)
                cells = re.split(r"\s{2,}", pattern.search(section).group(1).strip())
                assert cells == [str(v) for v in values], (label, cells)
        assert "Page 1 of" in text


def test_financial_quarters_start_in_april_and_the_opening_period_has_contacts(session):
    opening_period = reports.opening_period
    assert periods.financial_quarter(2026, 1) == periods.custom(date(2026, 4, 1), date(2026, 6, 30))
    q4 = periods.financial_quarter(2026, 4)
    assert (q4.start, q4.end) == (date(2027, 1, 1), date(2027, 3, 31)) and q4.label.startswith("Q4 2026-27")
    assert periods.financial_quarter_of(date(2027, 3, 31)) == q4
    assert periods.latest_complete_quarter(date(2026, 12, 7)) == periods.financial_quarter(2026, 2)
    assert periods.latest_complete_quarter(date(2026, 4, 1)) == periods.financial_quarter(2025, 4)
    today = date(2026, 12, 7)
    # Nothing recorded: the quarter just ended.
    assert opening_period(session, today) == periods.financial_quarter(2026, 2)
    # Only this quarter has contacts: this quarter.
    enquiries.record_enquiry(session, EnquiryInput(
        channel="phone", caller_role="parent_carer", topics=["sen_support"], summary="Asked.",
        received_at=datetime(2026, 11, 2, 10, tzinfo=UTC)))
    assert opening_period(session, today) == periods.financial_quarter(2026, 3)
    # A contact at 00:30 BST on 1 July is in July to September (UTC says 30 June).
    enquiries.record_enquiry(session, EnquiryInput(
        channel="phone", caller_role="parent_carer", topics=["sen_support"], summary="Asked.",
        received_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC)))
    assert opening_period(session, today) == periods.financial_quarter(2026, 2)
