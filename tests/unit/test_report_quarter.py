"""A quarter's report checked by hand: a few dozen records made for the purpose, with every
figure worked out on paper (the comments) and asserted; then the published version, the
totals of every table and the PDF."""

import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from faker import Faker

from app.domain import periods
from app.domain.periods import LONDON
from app.domain.suppression import FEWER, WITHHELD
from app.pdf.report_pdf import render_report
from app.services.casework import cases, enquiries, notes, people, safeguarding
from app.services.casework.enquiries import EnquiryInput
from app.services.casework.people import PersonInput
from app.services.reports import figures as reports
from app.services.reports.complaints import register as complaints
from tests.unit import report_attacker
from tests.unit.casework_helpers import add_worker
from tests.unit.test_report_suppression import WORKLOAD_LINKS

Q2 = periods.quarter(2026, 2)  # 01/04/2026 to 30/06/2026, all in British Summer Time
NOW = datetime(2026, 7, 15, 12, tzinfo=UTC)
TODAY = date(2026, 7, 15)


def _rows(report, key):
    return {r[0]: (r[1] if len(r) == 2 else r[1:]) for r in report.table(key).rows}


@pytest.fixture
def quarter(session, data_dir):
    fake = Faker("en_GB")
    fake.seed_instance(2026)

    def family(born, phase, need):
        surname = fake.last_name()
        kid = people.create_person(session, PersonInput(kind="child", first_name=fake.first_name(), last_name=surname,
                                                        date_of_birth=born, school_phase=phase, primary_need=need))
        parent = people.create_person(session, PersonInput(kind="parent_carer", first_name=fake.first_name(),
                                                           last_name=surname))
        people.link_relationship(session, parent.id, kid.id, "mother", True)
        return parent, kid

    def enquiry(when, channel, n, **kw):
        topics = (["sen_support"] if n % 3 == 0 else []) + (["transport"] if n % 5 == 0 else [])
        data = dict(channel=channel, caller_role="anonymous", anonymous=True, topics=topics)
        if n in (0, 12, 22):  # the first of each month: a professional on the family's behalf
            data.update(route="professional", referrer=PersonInput(kind="professional", first_name=fake.first_name(),
                                                                   last_name=fake.last_name()))
        data.update(kw)
        enquiries.record_enquiry(session, EnquiryInput(received_at=when, **data), now=NOW)

    f1 = family("2015-05-01", "primary", "cognition_learning")
    # 30 contacts: April 12 (phone 6, email 4, face to face 2), May 10 (phone 5, email 3, letter 2),
    # June 8 (phone 3, email 2, face to face 2, letter 1). Five April phone calls by one named parent.
    plan = ([(4, "phone")] * 6 + [(4, "email")] * 4 + [(4, "face_to_face")] * 2 +
            [(5, "phone")] * 5 + [(5, "email")] * 3 + [(5, "letter")] * 2 +
            [(6, "phone")] * 3 + [(6, "email")] * 2 + [(6, "face_to_face")] * 2 + [(6, "letter")])
    for n, (month, channel) in enumerate(plan):
        named = {"caller_role": "parent_carer", "anonymous": False, "caller_id": f1[0].id} if 1 <= n <= 5 else {}
        enquiry(datetime(2026, month, 1 + n % 28, 10, tzinfo=UTC), channel, n, **named)
    # Outside the quarter by half an hour each, in local time.
    enquiry(datetime(2026, 3, 31, 23, 30, tzinfo=LONDON), "phone", 1)
    enquiry(datetime(2026, 7, 1, 0, 30, tzinfo=LONDON), "phone", 1)

    f2 = family("2009-02-14", "post_16", "semh")
    f3 = family("2013-01-01", "secondary", "semh")
    f4 = family("2012-07-20", "secondary", "communication_interaction")
    f5 = family("2021-01-05", "early_years", "sensory_physical")
    f6 = family("2011-09-09", "secondary", "cognition_learning")
    f7 = family("2002-08-30", "further_education", None)
    f8 = family(None, None, "semh")
    add_worker(session, data_dir).lock()

    def case(fam, level, opened, worker=None):
        return cases.open_case(session, fam[0].id, fam[1].id, level=level, opened_on=opened, worker=worker)

    c1 = case(f1, "level_2", date(2026, 1, 10))                 # continuing, open
    c2 = case(f2, "level_3", date(2025, 11, 3))               # continuing, closed in the quarter
    c3 = case(f3, "level_3", date(2026, 2, 1))                # closed before the quarter: not counted
    c4 = case(f4, "level_3", date(2026, 4, 2))                # new, closed in the quarter
    case(f5, "level_1", date(2026, 4, 15))                 # new
    c6 = case(f6, "level_3", date(2026, 5, 6))                # new, closed in the quarter
    case(f7, "level_2", date(2026, 5, 20))                      # new
    c8 = case(f8, "level_3", date(2026, 6, 3), worker="casey")  # new, Casey's
    case(f4, "level_4", date(2026, 6, 30))             # new; the same child as c4
    cases.close_case(session, c3.id, "resolved", ["better_informed"], closed_on=date(2026, 3, 15))
    cases.close_case(session, c2.id, "resolved", ["better_informed"], closed_on=date(2026, 5, 20))
    cases.close_case(session, c4.id, "resolved", ["better_informed", "placement_secured"], closed_on=date(2026, 6, 30))
    cases.close_case(session, c6.id, "referred_on", ["other"], closed_on=date(2026, 6, 12))

    safeguarding.raise_concern(session, c4.id, date(2026, 5, 1), "Concern raised.", today=TODAY)
    safeguarding.raise_concern(session, c1.id, date(2026, 3, 1), "Before the quarter.", today=TODAY)
    notes.add_note(session, c4.id, "phone_call", date(2026, 4, 10), 30, "Called the school.", today=TODAY)
    notes.add_note(session, c1.id, "phone_call", date(2026, 5, 7), 45, "Called the parent.", today=TODAY)
    notes.add_note(session, c1.id, "phone_call", date(2026, 3, 30), 15, "Before the quarter.", today=TODAY)
    from app.services.vault import unlock as vault_service
    from tests.unit.casework_helpers import FRESH

    casey = vault_service.unlock(data_dir, "casey", FRESH)
    notes.add_note(casey, c8.id, "phone_call", date(2026, 6, 4), 30, "Half an hour.", today=TODAY)
    casey.lock()

    # Complaints: 20/03 acknowledged 02/04 (on time) and answered 20/04; 10/04 acknowledged 05/05 (day 25);
    # 01/05 acknowledged 15/06 (day 45: late); 20/06 not yet acknowledged.
    march = complaints.register_complaint(session, date(2026, 3, 20), "email", fake.name(), "Letter sent to "
                                          "the wrong address.", today=TODAY)
    complaints.acknowledge(session, march.id, date(2026, 4, 2), today=TODAY)
    complaints.record_outcome(session, march.id, "upheld", "We apologise.", date(2026, 4, 20), today=TODAY)
    april = complaints.register_complaint(session, date(2026, 4, 10), "letter", fake.name(), "Notes kept too long.",
                                          today=TODAY)
    complaints.acknowledge(session, april.id, date(2026, 5, 5), today=TODAY)
    may = complaints.register_complaint(session, date(2026, 5, 1), "phone", fake.name(), "Asked for a copy.",
                                        today=TODAY)
    complaints.acknowledge(session, may.id, date(2026, 6, 15), today=TODAY)
    complaints.register_complaint(session, date(2026, 6, 20), "web_form", fake.name(), "Mailing list.", today=TODAY)
    return reports.build_report(session, Q2, today=TODAY)


def test_every_figure_of_the_quarter_matches_the_hand_count(quarter):
    r = quarter
    assert _rows(r, "contacts_by_channel") == {"Phone": 14, "Email": 9, "Face to face": 4, "Letter": 3,
                                               "Web form": 0, "Other": 0, "All contacts": 30}
    assert _rows(r, "contacts_by_month") == {"Apr 2026": 12, "May 2026": 10, "Jun 2026": 8, "All contacts": 30}
    helped = _rows(r, "people_helped")
    assert helped["Parent or carer"] == 1 and helped["Anonymous"] == 25 and helped["All people helped"] == 26
    assert _rows(r, "cases") == {"New cases opened": 6, "Continuing from before the period": 2,
                                 "All cases active in the period": 8}
    assert _rows(r, "cases_closed") == {"Resolved": 2, "No further contact": 0, "Client withdrew": 0,
                                        "Referred on": 1, "Other": 0, "All cases closed": 3}
    levels = _rows(r, "intervention_levels")
    assert levels == {"Level 1": 1, "Level 2": 2, "Level 3": 4, "Level 4": 1, "All cases active in the period": 8}
    topics = _rows(r, "topics")
    assert topics["SEN support"] == 10 and topics["Transport"] == 6 and topics["EHC plan"] == 0
    assert _rows(r, "referral_routes") == {"Self-referral": 27, "Professional on the family's behalf": 3,
                                           "All contacts": 30}
    assert _rows(r, "age_bands") == {"0-4": 0, "5-10": 2, "11-15": 2, "16-19": 1, "20-25": 1, "Not known": 1,
                                     "All children and young people": 7}
    phase = _rows(r, "school_phase")
    assert (phase["Primary"], phase["Secondary"], phase["Not known"], phase["All children and young people"]) \
        == (1, 2, 1, 7)
    assert [row[0] for row in r.table("school_phase").rows].count("Not known") == 1
    assert all(row[0] != "not_known" for t in r.tables for row in t.rows)
    need = _rows(r, "primary_need")
    assert (need["Cognition and learning"], need["Not known"], need["All children and young people"]) == (2, 1, 7)
    outcomes = _rows(r, "outcomes")
    assert (outcomes["Better informed"], outcomes["Placement secured"], outcomes["Other"]) == (2, 1, 1)
    assert _rows(r, "safeguarding")["Safeguarding concerns raised"] == 1
    assert _rows(r, "complaints") == {"Received": 3, "Acknowledged": 3, "Acknowledged within 30 days": 2,
                                      "Answered": 1}
    work = {row[0]: row[1:] for row in r.table("workload").rows}
    assert work["Casey Worker"] == [1, 1, 1, Decimal("0.5")]  # 30 minutes is half an hour, not 0 h
    assert work["Test Manager"] == [7, 5, 2, Decimal("1.3")]  # 75 minutes
    assert work["All workers"] == [8, 6, 3, Decimal("1.8")]


def test_every_total_is_the_sum_of_its_rows(quarter):
    for table in quarter.tables:
        if table.total_last:
            for column in range(1, len(table.columns)):
                assert table.rows[-1][column] == table.total(column), (table.key, column)


def test_the_published_quarter(quarter, tmp_path):
    published = quarter.to_json(exact=False)
    rows = {t["key"]: {r[0]: r[1:] if len(r) > 2 else r[1] for r in t["rows"]} for t in published["tables"]}
    assert rows["contacts_by_channel"]["Face to face"] == FEWER and rows["contacts_by_channel"]["Email"] == 9
    # 30 - 27 = 3: self-referral would give professional referrals away.
    assert rows["referral_routes"] == {"Self-referral": WITHHELD, "Professional on the family's behalf": FEWER,
                                       "All contacts": 30}
    assert rows["contacts_by_channel"]["Web form"] == 0  # zero is 0, not "fewer than 5"
    assert report_attacker.attack(published, WORKLOAD_LINKS) == {}
    pdf = render_report(quarter)
    if shutil.which("pdftotext"):
        (tmp_path / "q.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "q.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "withheld" in text and "%" not in text.split("\f", 2)[2]  # bars, no percentages
        assert "Casey" not in text and "Worker 1" in text
