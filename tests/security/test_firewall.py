"""Attack: the separate-enquiry firewall (R4) on every read path.

The rule is one definition (app.domain.firewall) with a Python and an SQL form; the first
test proves they agree on every combination. Then every public read function of the services
is called by the parent's caseworker and by a volunteer, pointed at the young person's own
case, and nothing of it may come back: no id, no canary word."""

import functools
import itertools
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import pytest

from app.domain import firewall
from app.domain.role_matrix import MATRIX, Scope
from app.errors import NotFound, PermissionDenied
from app.services import settings, settings_change
from app.services.casework import (
    actions,
    case_closing,
    cases,
    drafts,
    enquiries,
    enquiry_corrections,
    enquiry_list,
    notes,
    paper_files,
    people,
    read_budget,
    safeguarding,
    search,
    search_tidy,
)
from app.services.consent import counterparties, disclosures, mailing_list, wording_edits
from app.services.consent import export as consent_export
from app.services.consent import records as consent
from app.services.consent import rules as consent_rules
from app.services.consent import views as consent_views
from app.services.documents import documents, letters
from app.services.lifecycle import erase as lifecycle_erase
from app.services.lifecycle import schedule as lifecycle_schedule
from app.services.national import levels as national_levels
from app.services.national import states as national_states
from app.services.sar import settings as sar_settings
from app.services.team import conflicts as team_conflicts
from app.services.team import membership, pending, search_build, settings_entry, staff_keys
from app.services.team import sync as team_sync
from app.services.team import team as team_team
from app.services.team.hub_care import on_team_hub
from app.services.team.hub_care import repair as hub_repair
from app.services.team.laptop import checkout as laptop_checkout
from app.services.vault import backup, staff
from tests.security.firewall_world import CANARIES, TODAY, build
from tests.security.test_role_matrix import public_functions
from tests.unit.casework_helpers import child

# --- one rule, two forms -----------------------------------------------------------------------

VIEWERS = [firewall.Viewer(*v) for v in itertools.product(
    (False, True), (False, True), ("", "casey", "cara"), ("", "p1", "p2"), (False, True))]
CASES = [dict(zip(firewall.CASE_COLUMNS, c, strict=True))
         for c in itertools.product(("casey", "cara"), (0, 1), (0, 1), ("p1", "p2"))]


def _table(rows: list[dict], columns: str) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    db.execute(f"CREATE TABLE casefile (id INTEGER PRIMARY KEY, {columns})")
    for i, row in enumerate(rows):
        names = ", ".join(row)
        db.execute(f"INSERT INTO casefile (id, {names}) VALUES (?, {', '.join('?' * len(row))})", (i, *row.values()))
    return db


def test_the_sql_form_is_the_python_rule_on_every_combination():
    db = _table(CASES, "worker TEXT NOT NULL, own_case INT, shared_with_family INT, client_id TEXT NOT NULL")
    condition = firewall.sql("c")
    assert ":fw_" in condition and "NULL" not in condition
    for viewer in VIEWERS:
        by_sql = {r[0] for r in db.execute(f"SELECT id FROM casefile c WHERE {condition}", firewall.params(viewer))}
        by_python = {i for i, case in enumerate(CASES) if firewall.allows(viewer, case)}
        assert by_sql == by_python, viewer
    # The outsider's view is what "firewalled" means: a young person's own case, not shared.
    assert [firewall.is_firewalled(c) for c in CASES] == [bool(c["own_case"] and not c["shared_with_family"])
                                                          for c in CASES]


def test_the_enquiry_form_matches_too():
    db = _table(CASES, "worker TEXT NOT NULL, own_case INT, shared_with_family INT, client_id TEXT NOT NULL")
    db.execute("CREATE TABLE enquiry (id INTEGER PRIMARY KEY, case_id INT, caller_id TEXT, child_id TEXT, "
               "handled_by TEXT)")
    rows = list(itertools.product((None, 0, 3, 5), (None, "p1", "p2"), (None, "p1", "p2"), ("casey", "cara")))
    db.executemany("INSERT INTO enquiry (case_id, caller_id, child_id, handled_by) VALUES (?, ?, ?, ?)", rows)
    enquiry_rows = db.execute("SELECT * FROM enquiry ORDER BY id").fetchall()
    for viewer in VIEWERS:
        by_sql = {r[0] for r in db.execute(f"SELECT id FROM enquiry e WHERE {firewall.enquiry_sql('e')}",
                                           firewall.params(viewer))}
        by_python = {row["id"] for row in enquiry_rows if firewall.allows(viewer, firewall.enquiry_scope(
            row, CASES[row["case_id"]] if row["case_id"] is not None else None))}
        assert by_sql == by_python, viewer


# --- every read path -----------------------------------------------------------------------------

def _reads(w):
    """Every public read function, pointed at the young person's own case where it takes an id."""
    return {
        "casework.actions.actions_for_case": lambda s: actions.actions_for_case(s, w.own_case.id),
        "documents.documents.documents_for_case": lambda s: documents.documents_for_case(s, w.own_case.id),
        "documents.documents.documents_for_person": lambda s: documents.documents_for_person(s, w.yp.id),
        "documents.documents.get_document": lambda s: documents.get_document(s, w.document.id),
        "documents.documents.read_for_viewing": lambda s: documents.read_for_viewing(s, w.document.id),
        "documents.documents.records_requests": lambda s: documents.records_requests(s, w.own_case.id),
        "documents.documents.save_copy": lambda s: documents.save_copy(
            s, w.person_document.id, Path(tempfile.mkdtemp()) / "copy.txt"),
        "documents.letters.current_template": lambda s: letters.current_template(s, "case_closure"),
        "documents.letters.template_versions": lambda s: letters.template_versions(s, "case_closure"),
        "documents.letters.draft_letter": lambda s: letters.draft_letter(s, w.own_case.id, "case_closure"),
        "documents.letters.letter_text": lambda s: letters.letter_text(s, w.letter.id),
        "casework.search_tidy.tidy_some": lambda s: search_tidy.tidy_some(s),   # returns no records
        "casework.search_tidy.segment_counts": lambda s: search_tidy.segment_counts(s),
        "team.pending.stranded": lambda s: pending.stranded(s),   # two counts, no family's data
        "casework.actions.my_due_actions": lambda s: actions.my_due_actions(s, TODAY, owner="casey"),
        "casework.case_closing.gaps_before_closing": lambda s: case_closing.gaps_before_closing(s, w.own_case.id, []),
        "casework.cases.cases_of_person": lambda s: cases.cases_of_person(s, w.yp.id),
        "casework.cases.get_case": lambda s: cases.get_case(s, w.own_case.id),
        "casework.cases.linked_cases": lambda s: cases.linked_cases(s, w.parent_case.id),
        "casework.cases.list_cases": lambda s: cases.list_cases(s, cases.CaseQuery(status=None, limit=1000)),
        "casework.cases.load_case": lambda s: cases.load_case(s, w.own_case.id),
        "casework.cases.may_see_case": lambda s: cases.may_see_case(s, w.own_case.id) or None,
        "casework.cases.my_open_cases": lambda s: cases.my_open_cases(s),
        "casework.cases.my_inactive_cases": lambda s: cases.my_inactive_cases(s),
        "national.levels.level_history": lambda s: national_levels.level_history(s, w.own_case.id),
        "national.states.state_history": lambda s: national_states.state_history(s, w.own_case.id),
        "national.states.inactive_after_days": lambda s: national_states.inactive_after_days(s),  # a number
        "consent.records.batch_of": lambda s: consent.batch_of(s, w.consent.id),
        "consent.records.consents_for_case": lambda s: consent.consents_for_case(s, w.own_case.id),
        "consent.records.consents_of_person": lambda s: consent.consents_of_person(s, w.yp.id),
        "consent.records.get_consent": lambda s: consent.get_consent(s, w.consent.id),
        "consent.records.signature_of": lambda s: consent.signature_of(s, w.consent.id),
        "consent.export.consent_record_pdf": lambda s: consent_export.consent_record_pdf(s, w.consent.id),
        "consent.rules.possible_givers": lambda s: consent_rules.possible_givers(s, w.own_case.id),
        "consent.rules.suggested_review_date": lambda s: consent_rules.suggested_review_date(
            s, w.own_case.id, w.yp.id, TODAY),
        "consent.views.case_consents": lambda s: consent_views.case_consents(s, w.own_case.id),
        "consent.views.expiring_consents": lambda s: consent_views.expiring_consents(s, TODAY, within_days=4000),
        # Professionals are on record in their own right; which young person consented to one is not.
        "consent.counterparties.choices": lambda s: [c for c in counterparties.choices(s) if c.person_id != w.nurse.id],
        "consent.counterparties.resolve": lambda s: counterparties.resolve(s, w.nurse.id, None).person_id,
        "consent.disclosures.disclosures_for_case": lambda s: disclosures.disclosures_for_case(s, w.own_case.id),
        "consent.disclosures.get_disclosure": lambda s: disclosures.get_disclosure(s, w.disclosure.id),
        "consent.disclosures.matching_consent": lambda s: disclosures.matching_consent(s, w.own_case.id, "share",
                                                                                w.nurse.id, on=TODAY),
        "casework.drafts.take_drafts": lambda s: drafts.take_drafts(s),
        "casework.enquiry_corrections.enquiry_history": lambda s: enquiry_corrections.enquiry_history(s, w.yp_enquiry.id),
        "casework.enquiries.enquiries_of_person": lambda s: enquiries.enquiries_of_person(s, w.yp.id),
        "casework.enquiries.get_enquiry": lambda s: enquiries.get_enquiry(s, w.yp_enquiry.id),
        "casework.enquiries.recent_enquiries": lambda s: enquiries.recent_enquiries(s, limit=1000),
        "casework.enquiry_list.list_enquiries": lambda s: enquiry_list.list_enquiries(s, enquiry_list.EnquiryQuery(limit=500))[0],
        "consent.mailing_list.is_member": lambda s: mailing_list.is_member(s, w.yp.id) or None,
        "casework.notes.get_note": lambda s: notes.get_note(s, w.note.id),
        "casework.notes.history": lambda s: notes.history(s, w.note.id),
        "casework.notes.notes_for_case": lambda s: notes.notes_for_case(s, w.own_case.id),
        "casework.paper_files.case_for_reference": lambda s: paper_files.case_for_reference(s, w.own_case.reference),
        "casework.paper_files.find_file": lambda s: paper_files.find_file(s, w.paper.label),
        "casework.paper_files.get_file": lambda s: paper_files.get_file(s, w.paper.id),
        "casework.paper_files.list_files": lambda s: paper_files.list_files(s),
        "casework.paper_files.movements": lambda s: paper_files.movements(s, w.paper.id),
        "casework.paper_files.overdue": lambda s: paper_files.overdue(s, date(2030, 1, 1)),
        "casework.people.find_people": lambda s: people.find_people(s, text="Hartley"),
        "casework.people.get_person": lambda s: people.get_person(s, w.yp.id),
        "casework.people.organisation_name": lambda s: people.organisation_name(s, None),
        "casework.people.peek_person": lambda s: people.peek_person(s, w.yp.id),
        "casework.people.relationships_of": lambda s: people.relationships_of(s, w.parent.id),
        "casework.safeguarding.concerns_for_case": lambda s: safeguarding.concerns_for_case(s, w.own_case.id),
        "casework.safeguarding.incidents_for_person": lambda s: safeguarding.incidents_for_person(s, w.yp.id),
        "casework.search.search": lambda s: [h for kind, word in CANARIES.items() if kind != "counterparty"
                                    for h in search.search(s, word)],
        "vault.backup.last_backup": lambda s: backup.last_backup(s),
        "team.laptop.checkout.due_days": lambda s: laptop_checkout.due_days(s),
        "team.laptop.checkout.list_checkouts": lambda s: laptop_checkout.list_checkouts(s, include_closed=True),
        "team.laptop.checkout.out_on_laptops": lambda s: laptop_checkout.out_on_laptops(s),
        "team.laptop.checkout.this_is_a_laptop": lambda s: laptop_checkout.this_is_a_laptop(s),
        "team.laptop.checkout.past_due": lambda s: laptop_checkout.past_due(s),
        "settings.auto_lock_minutes": lambda s: settings.auto_lock_minutes(s),
        # The consent texts in force: wording, no family's data.
        "consent.wording_edits.current_template": lambda s: wording_edits.current_template(s, "consent_share"),
        "consent.wording_edits.wordings": lambda s: wording_edits.wordings(s),
        "settings.get": lambda s: settings.get(s, "auto_lock_minutes"),
        "settings.service_name": lambda s: settings.service_name(s),
        "settings.document_text_search": lambda s: settings.document_text_search(s),
        "settings_change.team_wide": lambda s: settings_change.team_wide(s),
        "casework.read_budget.limits": lambda s: read_budget.limits(s),
        "sar.settings.transfers": lambda s: sar_settings.transfers(s),
        "consent.rules.review_months": lambda s: consent_rules.review_months(s),
        "vault.staff.list_staff": lambda s: staff.list_staff(s),
        # The service's published retention policy, and carrying out erasures: nothing of a family.
        "lifecycle.schedule.get_schedule": lambda s: lifecycle_schedule.get_schedule(s),
        "lifecycle.schedule.describe_schedule": lambda s: lifecycle_schedule.describe_schedule(s),
        "lifecycle.erase.carry_out": lambda s: lifecycle_erase.carry_out(s),
        # The team functions on a vault in no team: they return or refuse, and leak nothing.
        **{f"team.{name}": functools.partial(_outside_team, call) for name, call in {
            "conflicts.conflict_detail": lambda s: team_conflicts.conflict_detail(s, w.own_case.id),
            "conflicts.list_conflicts": lambda s: team_conflicts.list_conflicts(s),
            "conflicts.waiting_on": lambda s: team_conflicts.waiting_on(s, case_id=w.own_case.id,
                                                                       person_id=w.yp.id),
            "laptop.checkout.ask_for_list": lambda s: laptop_checkout.ask_for_list(s),
            "laptop.checkout.my_cases": lambda s: laptop_checkout.my_cases(s),
            "laptop.checkout.refresh_list": lambda s: laptop_checkout.refresh_list(s, wait=0),
            "settings_entry.follow_service_name": lambda s: settings_entry.follow_service_name(s),
            "conflicts.resolve_conflict": lambda s: team_conflicts.resolve_conflict(s, w.own_case.id, "mine"),
            "membership.hub_location": lambda s: membership.hub_location(s),
            "membership.hub_described": lambda s: membership.hub_described(s),
            "membership.hub_target": lambda s: membership.hub_target(s),
            "membership.open_team_hub": lambda s: membership.open_team_hub(s),
            "membership.sync": lambda s: membership.sync(s),
            "membership.sync_status": lambda s: membership.sync_status(s),
            "staff_keys.follow_staff_keys": lambda s: staff_keys.follow_staff_keys(s),
            "staff_keys.rekey_if_team_key_changed": lambda s: staff_keys.rekey_if_team_key_changed(s),
            "search_build.status": lambda s: search_build.status(s),
            "search_build.build_some": lambda s: search_build.build_some(s),
            "search_build.build_rest": lambda s: search_build.build_rest(s),
            "sync.last_synced": lambda s: team_sync.last_synced(s),
            "sync.pending_count": lambda s: team_sync.pending_count(s),
            "sync.sync_now": lambda s: team_sync.sync_now(s, None),
            "team.join_team": lambda s: team_team.join_team(s, None, {}),
            "hub_care.repair.repair_session": lambda s: hub_repair.repair_session(s, None),
            "hub_care.on_team_hub.repair_hub": lambda s: on_team_hub.repair_hub(s),
        }.items()},
    }


def _outside_team(call, session):
    from app.services.team.state import NotInTeam
    from app.services.team.team import TeamError

    try:
        return call(session)
    except (NotInTeam, TeamError):
        return None


WRITE_NAMES = {"request"}   # a laptop asking for cases (team.laptop.checkout.request)
WRITES = ("add_", "record_", "open_", "close_", "reopen_", "update_", "edit_", "complete_", "link_", "set_",
          "create_", "withdraw", "replace_", "raise_", "mark_", "join", "leave_", "check_", "export_", "register",
          "confirm_", "request_", "clarification_", "extend", "decide", "redact", "remove_", "accept_",
          "generate_", "regenerate_", "populate", "disable", "change_", "reset_", "preview_", "entitlement",
          "blank_form", "write_", "keep_", "correct_", "make_", "send_", "repair_", "sweep_")


def test_the_walk_covers_every_read_function_staff_other_than_the_manager_can_call():
    public_functions()   # imports every service module, so every declared row is in MATRIX
    reads = {name for name, g in MATRIX.items()
             if g.scope in (Scope.ANY, Scope.GENERAL, Scope.CASEWORK, Scope.RESTRICTED)
             and not name.rsplit(".", 1)[1].startswith(WRITES) and name.rsplit(".", 1)[1] not in WRITE_NAMES
             and not name.endswith("_in_tx")}
    assert sorted(reads - set(_reads(None))) == []


def _leaks(result, w) -> list[str]:
    text = repr(result)
    found = [f"{kind} id" for kind, value in w.firewalled_ids().items() if value in text]
    found += [f"canary of the {kind}" for kind, word in CANARIES.items() if word.lower() in text.lower()]
    return found


@pytest.mark.parametrize("who", ["parent_worker", "volunteer"])
def test_no_read_function_returns_the_young_persons_own_case(session, data_dir, who):
    w = build(session, data_dir)
    reader = getattr(w, who)
    problems = []
    for name, call in sorted(_reads(w).items()):
        try:
            result = call(reader)
        except (PermissionDenied, NotFound):
            continue  # withheld
        leaks = _leaks(result, w)
        if leaks:
            problems.append(f"{name}: {', '.join(leaks)}")
    assert problems == []
    # The same calls do reach it for the young person's own caseworker: the walk can see a leak.
    seen = [name for name, call in _reads(w).items() if _try(call, w.yp_worker) and _leaks(_try(call, w.yp_worker), w)]
    assert {"casework.cases.get_case", "casework.notes.notes_for_case", "casework.enquiries.get_enquiry", "consent.records.get_consent",
            "consent.disclosures.get_disclosure", "casework.safeguarding.concerns_for_case", "casework.paper_files.get_file",
            "casework.search.search", "casework.safeguarding.incidents_for_person"} <= set(seen)


def _try(call, session):
    try:
        return call(session)
    except (PermissionDenied, NotFound):
        return None


def test_the_young_persons_agreement_lifts_it_for_the_parents_worker(session, data_dir):
    w = build(session, data_dir)
    with pytest.raises(PermissionDenied):
        enquiries.get_enquiry(w.parent_worker, w.yp_enquiry.id)
    cases.record_young_person_agreement(w.yp_worker, w.own_case.id, True)
    assert enquiries.get_enquiry(w.parent_worker, w.yp_enquiry.id).id == w.yp_enquiry.id
    assert [n.id for n in notes.notes_for_case(w.parent_worker, w.own_case.id)] == [w.note.id]
    with pytest.raises(PermissionDenied):  # safeguarding stays with the case's own worker (R16)
        safeguarding.concerns_for_case(w.parent_worker, w.own_case.id)


def test_a_young_person_known_only_through_their_own_case_is_hidden(session, data_dir):
    w = build(session, data_dir)
    alone = child(session, "Rowan", "Achterberg", born="2008-12-01")
    yp_case = cases.open_case(w.yp_worker, alone.id, alone.id, worker="casey")
    for reader in (w.parent_worker, w.volunteer):
        withheld = PermissionDenied if reader is w.parent_worker else NotFound  # not in a volunteer's compartment
        with pytest.raises(withheld):
            people.get_person(reader, alone.id)
        with pytest.raises(withheld):
            people.peek_person(reader, alone.id)
        assert alone.id not in {p.id for p in people.find_people(reader, text="Achterberg")}
        assert alone.id not in {h.ref_id for h in search.search(reader, "Achterberg")}
    with pytest.raises(PermissionDenied):
        people.update_person(w.parent_worker, alone.id, people.as_input(people.peek_person(session, alone.id)))
    assert people.get_person(w.yp_worker, alone.id).id == alone.id
    assert people.get_person(session, alone.id).id == alone.id
    assert {h.ref_id for h in search.search(w.yp_worker, "Achterberg")} >= {alone.id, yp_case.id}
