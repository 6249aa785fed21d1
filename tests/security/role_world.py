"""A small service for the role-matrix attack: a manager, the case's caseworker, a colleague
not on the case, a volunteer, one family's case with a record of every kind, and a recipe that
calls each restricted service function with sensible arguments."""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.domain import periods
from app.services.casework import (
    actions,
    cases,
    enquiries,
    enquiry_corrections,
    enquiry_list,
    notes,
    paper_files,
    people,
    safeguarding,
)
from app.services.casework.people import PersonInput
from app.services.consent import disclosures
from app.services.consent import records as consent
from app.services.consent.disclosures import DisclosureInput
from app.services.sar import gather as sar_gather
from app.services.sar import register as sar
from app.services.sar import review as sar_review
from app.services.vault import staff
from tests.conftest import OTHER_PASSPHRASE
from tests.unit.casework_helpers import add_worker, phone_enquiry
from tests.unit.consent_helpers import family_case, share_with, signed

TODAY = date(2026, 11, 25)
TEMP = "a temporary passphrase 2026"


@dataclass
class World:
    tmp: Path
    manager: object
    worker: object  # works the case
    colleague: object  # a caseworker not on the case
    volunteer: object
    parent: object
    kid: object
    case: object
    senco: object
    note: object
    action: object
    consent: object
    disclosure: object
    concern: object
    incident: object
    paper: object
    general_enquiry: object
    sar: object
    spare: str  # a member of staff the manager's actions may change

    def session(self, role: str):
        return {"manager": self.manager, "worker": self.worker, "colleague": self.colleague,
                "volunteer": self.volunteer}[role]


def build(manager, data_dir, tmp) -> World:
    worker = add_worker(manager, data_dir, "casey")
    colleague = add_worker(manager, data_dir, "cara")
    volunteer = add_worker(manager, data_dir, "vera", role="volunteer")
    staff.add_staff(manager, "spare", "Spare Member", "caseworker", OTHER_PASSPHRASE)
    fam = family_case(manager)
    cases.update_case(manager, fam.case.id, worker="casey")
    note = notes.add_note(worker, fam.case.id, "phone_call", date(2026, 11, 2), 10, "Talked through the plan.")
    action = actions.add_action(worker, fam.case.id, "Send the letter", date(2026, 12, 1))
    given = signed(manager, fam, share_with(fam.senco), today=TODAY)[0]
    shared = disclosures.record_disclosure(worker, DisclosureInput(
        fam.case.id, "The draft plan", counterparty_person_id=fam.senco.id, disclosed_on=TODAY), today=TODAY)
    concern = safeguarding.raise_concern(worker, fam.case.id, date(2026, 11, 3), "A worry noted.", today=TODAY)
    incident = safeguarding.record_incident(worker, fam.parent.id, date(2026, 11, 4), "Shouted at staff.",
                                            case_id=fam.case.id, today=TODAY)
    paper = paper_files.add_file(worker, "HARTLEY-1", "Cabinet A", fam.case.id)
    general = enquiries.record_enquiry(volunteer, phone_enquiry(caller=PersonInput(
        kind="family_member", first_name="Nora", last_name="Pell"), caller_role="family_member")).enquiry
    request = sar.register(manager, "2026-11-02", fam.parent.id, "subject", identity_method="Known to us",
                           identity_received_on="2026-11-02", today=TODAY)
    return World(tmp, manager, worker, colleague, volunteer, fam.parent, fam.kid, fam.case, fam.senco, note,
                 action, given, shared, concern, incident, paper, general, request, "spare")


def _batch(w: World) -> consent.ConsentBatch:
    return consent.ConsentBatch(given_by_id=w.parent.id, method="verbal_phone", case_id=w.case.id,
                                items=[consent.ScopeItem("voicemail")])


def _standard(manager):
    """A standard in the register, added by the manager (the recipes' own fixture)."""
    standards = _module("national.standards")
    found = standards.list_standards(manager)
    return found[0] if found else standards.add_standard(manager, standards.StandardInput("2.1", "Access"))


def _review(s, w: World):
    return sar_review.Review([], [], [])


# Each recipe calls one function as session `s`. Arguments are valid for the manager; what
# matters is whether the service refuses the role before it does anything.
RECIPES = {
    # Data lifecycle (docs/lifecycle.md): ids that exist nowhere, so a manager's run changes nothing.
    "lifecycle.anonymise.anonymise_cases": lambda s, w: _module("lifecycle.anonymise").anonymise_cases(
        s, ["none"], "test"),
    "lifecycle.anonymise.anonymise_enquiries": lambda s, w: _module("lifecycle.anonymise").anonymise_enquiries(
        s, ["none"], "test"),
    "lifecycle.decisions.extend": lambda s, w: _module("lifecycle.decisions").extend(
        s, "case", w.case.id, "2099-01-01", "test"),
    "lifecycle.decisions.place_hold": lambda s, w: _module("lifecycle.decisions").place_hold(s, "none", "test"),
    "lifecycle.decisions.release_hold": lambda s, w: _module("lifecycle.decisions").release_hold(s, "none"),
    "lifecycle.erase.dashboard_section": lambda s, w: _module("lifecycle.erase").dashboard_section(s),
    "lifecycle.erase.erase": lambda s, w: _module("lifecycle.erase").erase(s, "case", ["none"], "test"),
    "lifecycle.erase.not_yet_carried_out": lambda s, w: _module("lifecycle.erase").not_yet_carried_out(s),
    "lifecycle.importer.run.dry_run": lambda s, w: _module("lifecycle.importer.run").dry_run(
        s, {"people": w.tmp / "absent.csv"}),
    "lifecycle.importer.run.import_files": lambda s, w: _module("lifecycle.importer.run").import_files(
        s, {"people": w.tmp / "absent.csv"}),
    "lifecycle.importer.run.mapping_for": lambda s, w: _module("lifecycle.importer.run").mapping_for(
        s, {"people": w.tmp / "absent.csv"}),
    "lifecycle.importer.run.save_mapping": lambda s, w: _module("lifecycle.importer.run").save_mapping(s, {}),
    "lifecycle.importer.run.saved_mapping": lambda s, w: _module("lifecycle.importer.run").saved_mapping(s),
    "lifecycle.requests.carry_out_request": lambda s, w: _module("lifecycle.requests").carry_out_request(
        s, "none", "case", []),
    "lifecycle.requests.carry_out_for_subject": lambda s, w: _module("lifecycle.requests").carry_out_for_subject(
        s, "none"),
    "lifecycle.requests.subject_records": lambda s, w: _module("lifecycle.requests").subject_records(s, "none"),
    "lifecycle.requests.dashboard_section": lambda s, w: _module("lifecycle.requests").dashboard_section(s, TODAY),
    "lifecycle.requests.get_request": lambda s, w: _module("lifecycle.requests").get_request(s, "none"),
    "lifecycle.requests.list_requests": lambda s, w: _module("lifecycle.requests").list_requests(s),
    "lifecycle.requests.refuse": lambda s, w: _module("lifecycle.requests").refuse(s, "none", "legal_claims", "x"),
    "lifecycle.requests.register": lambda s, w: _module("lifecycle.requests").register(s, TODAY, "Ann Example",
                                                                                         today=TODAY),
    "lifecycle.requests.withdraw": lambda s, w: _module("lifecycle.requests").withdraw(s, "none"),
    "lifecycle.review.dashboard_section": lambda s, w: _module("lifecycle.review").dashboard_section(s, TODAY),
    "lifecycle.review.list_due": lambda s, w: _module("lifecycle.review").list_due(s, TODAY),
    "lifecycle.schedule.set_rule": lambda s, w: _module("lifecycle.schedule").set_rule(s, "enquiry", 2),
    "casework.actions.actions_for_case": lambda s, w: actions.actions_for_case(s, w.case.id),
    "casework.actions.add_action": lambda s, w: actions.add_action(s, w.case.id, "Ring school", date(2026, 12, 2)),
    "casework.actions.complete_action": lambda s, w: actions.complete_action(s, w.action.id),
    "casework.actions.my_due_actions": lambda s, w: actions.my_due_actions(s, TODAY),
    "vault.backup.create_backup": lambda s, w: __import__("app.services.vault.backup", fromlist=["x"]).create_backup(
        s, w.tmp / f"{s.user.username}.confide-backup"),
    "casework.case_closing.gaps_before_closing": lambda s, w: __import__(
        "app.services.casework.case_closing", fromlist=["x"]).gaps_before_closing(s, w.case.id, []),
    "casework.cases.cases_of_person": lambda s, w: cases.cases_of_person(s, w.parent.id),
    "casework.cases.check_eligible": lambda s, w: cases.check_eligible(s, w.parent.id, w.kid.id),
    "casework.cases.close_case": lambda s, w: cases.close_case(s, w.case.id, "resolved", [], closed_on=TODAY),
    "casework.cases.get_case": lambda s, w: cases.get_case(s, w.case.id),
    "casework.cases.link_cases": lambda s, w: cases.link_cases(s, w.case.id, w.case.id, "same"),
    "casework.cases.linked_cases": lambda s, w: cases.linked_cases(s, w.case.id),
    "casework.cases.list_cases": lambda s, w: cases.list_cases(s),
    "casework.cases.load_case": lambda s, w: cases.load_case(s, w.case.id),
    "casework.cases.my_open_cases": lambda s, w: cases.my_open_cases(s),
    "casework.cases.my_inactive_cases": lambda s, w: cases.my_inactive_cases(s),
    "casework.cases.open_case": lambda s, w: cases.open_case(s, w.parent.id, w.kid.id, worker="casey"),
    "casework.cases.open_case_in_tx": lambda s, w: _in_tx(s, lambda: cases.open_case_in_tx(
        s, w.parent.id, w.kid.id, "level_3", "casey")),
    "casework.cases.record_young_person_agreement": lambda s, w: cases.record_young_person_agreement(s, w.case.id, True),
    "casework.cases.reopen_case": lambda s, w: cases.reopen_case(s, w.case.id),
    "casework.cases.update_case": lambda s, w: cases.update_case(s, w.case.id, level="level_3"),
    "national.levels.change_level": lambda s, w: _module("national.levels").change_level(s, w.case.id, "level_4"),
    "national.levels.level_history": lambda s, w: _module("national.levels").level_history(s, w.case.id),
    "national.levels.plan_level_mapping": lambda s, w: _module("national.levels").plan_level_mapping(
        s, {"advice": "level_2"}),
    "national.levels.apply_level_mapping": lambda s, w: _module("national.levels").apply_level_mapping(
        s, {"advice": "level_2"}, confirmed=True),
    "national.states.set_inactive_after_days": lambda s, w: _module("national.states").set_inactive_after_days(
        s, 60),
    "national.states.make_inactive": lambda s, w: _module("national.states").make_inactive(s, w.case.id, TODAY),
    "national.states.sweep_inactive": lambda s, w: _module("national.states").sweep_inactive(s, TODAY),
    "national.states.sweep_automatically": lambda s, w: _module("national.states").sweep_automatically(s, TODAY),
    "national.states.state_history": lambda s, w: _module("national.states").state_history(s, w.case.id),
    "national.evaluation.record_evaluation": lambda s, w: _module("national.evaluation").record_evaluation(
        s, w.case.id, {"q1": "agree"}, "on_screen", TODAY),
    "national.evaluation.evaluations_between": lambda s, w: _module("national.evaluation").evaluations_between(
        s, date(2026, 1, 1), TODAY),
    "national.standards.add_standard": lambda s, w: _module("national.standards").add_standard(
        s, _module("national.standards").StandardInput("1.1", "Governance")),
    "national.standards.update_standard": lambda s, w: _module("national.standards").update_standard(
        s, _standard(w.manager).id, _module("national.standards").StandardInput("1.2", "Impartiality")),
    "national.standards.get_standard": lambda s, w: _module("national.standards").get_standard(
        s, _standard(w.manager).id),
    "national.standards.list_standards": lambda s, w: _module("national.standards").list_standards(s),
    "reports.national_return.export_return": lambda s, w: _module("reports.national_return").export_return(
        s, _module("reports.figures").build_report(w.manager, periods.quarter(2026, 3)),
        w.tmp / f"return-{s.user.username}.csv", "csv"),
    "consent.records.batch_of": lambda s, w: consent.batch_of(s, w.consent.id),
    "consent.records.consents_for_case": lambda s, w: consent.consents_for_case(s, w.case.id),
    "consent.records.consents_of_person": lambda s, w: consent.consents_of_person(s, w.parent.id),
    "consent.records.get_consent": lambda s, w: consent.get_consent(s, w.consent.id),
    "consent.records.preview_wording": lambda s, w: consent.preview_wording(s, w.case.id, w.parent.id, "voicemail"),
    "consent.records.record_consent": lambda s, w: consent.record_consent(s, w.case.id, w.parent.id, "voicemail",
                                                                  "verbal_phone"),
    "consent.records.record_consents": lambda s, w: consent.record_consents(s, _batch(w)),
    "consent.records.replace_consent": lambda s, w: consent.replace_consent(s, w.consent.id, _batch(w)),
    "consent.records.signature_of": lambda s, w: consent.signature_of(s, w.consent.id),
    "consent.records.withdraw_consent": lambda s, w: consent.withdraw_consent(s, w.consent.id, "verbal_phone"),
    "consent.records.withdraw_consents": lambda s, w: consent.withdraw_consents(s, [w.consent.id], "verbal_phone"),
    "consent.export.consent_record_pdf": lambda s, w: _module("consent.export").consent_record_pdf(s, w.consent.id),
    "consent.export.export_consent_record": lambda s, w: _module("consent.export").export_consent_record(
        s, w.consent.id, w.tmp / f"consent-{s.user.username}.pdf"),
    "consent.rules.entitlement": lambda s, w: _module("consent.rules").entitlement(
        s, w.case, w.parent, __import__("app.domain.consent", fromlist=["x"]).ConsentScope.VOICEMAIL, TODAY),
    "consent.rules.possible_givers": lambda s, w: _module("consent.rules").possible_givers(s, w.case.id),
    "consent.rules.set_review_months": lambda s, w: _module("consent.rules").set_review_months(s, 12),
    "consent.rules.suggested_review_date": lambda s, w: _module("consent.rules").suggested_review_date(
        s, w.case.id, w.parent.id, TODAY),
    "consent.views.case_consents": lambda s, w: _module("consent.views").case_consents(s, w.case.id),
    "consent.views.expiring_consents": lambda s, w: _module("consent.views").expiring_consents(s, TODAY),
    "consent.views.expiring_section": lambda s, w: _module("consent.views").expiring_section(s, TODAY),
    "consent.views.manager_view": lambda s, w: _module("consent.views").manager_view(s, TODAY),
    "consent.views.overrides_section": lambda s, w: _module("consent.views").overrides_section(s, TODAY),
    "consent.counterparties.choices": lambda s, w: _module("consent.counterparties").choices(s),
    "consent.counterparties.resolve": lambda s, w: _module("consent.counterparties").resolve(s, w.senco.id, None),
    "reports.dashboard.build_dashboard": lambda s, w: _module("reports.dashboard").build_dashboard(s, TODAY),
    "demo.build.populate": lambda s, w: _module("demo.build").populate(s, staff=0, cases=0, seed=3),
    "demo.casework.populate_casework": lambda s, w: _module("demo.casework").populate_casework(
        s, 1, 3, big_case_notes=1),
    "demo.consent.populate_consent": lambda s, w: _module("demo.consent").populate_consent(s, 3),
    "demo.registers.populate_registers": lambda s, w: _module("demo.registers").populate_registers(s, 3),
    "demo.sar.populate_sars": lambda s, w: _module("demo.sar").populate_sars(s, 0, 3),
    "consent.disclosures.disclosures_for_case": lambda s, w: disclosures.disclosures_for_case(s, w.case.id),
    "consent.disclosures.get_disclosure": lambda s, w: disclosures.get_disclosure(s, w.disclosure.id),
    "consent.disclosures.mark_override_reviewed": lambda s, w: disclosures.mark_override_reviewed(s, w.disclosure.id),
    "consent.disclosures.matching_consent": lambda s, w: disclosures.matching_consent(s, w.case.id, "share", w.senco.id,
                                                                              on=TODAY),
    "consent.disclosures.record_disclosure": lambda s, w: disclosures.record_disclosure(s, DisclosureInput(
        w.case.id, "The plan again", counterparty_person_id=w.senco.id, disclosed_on=TODAY), today=TODAY),
    "consent.disclosures.record_records_request": lambda s, w: disclosures.record_records_request(s, DisclosureInput(
        w.case.id, "Reports", counterparty_person_id=w.senco.id, disclosed_on=TODAY), today=TODAY),
    "consent.disclosures.unreviewed_overrides": lambda s, w: disclosures.unreviewed_overrides(s),
    "consent.disclosures.self_reviewed_overrides": lambda s, w: disclosures.self_reviewed_overrides(s, TODAY),
    "consent.views.self_reviewed_section": lambda s, w: _module("consent.views").self_reviewed_section(s, TODAY),
    "reports.complaints.register.register_complaint": lambda s, w: _complaint(s),
    "reports.complaints.register.get_complaint": lambda s, w: _module("reports.complaints.register").get_complaint(
        s, _complaint(w.manager).id),
    "reports.complaints.register.list_complaints": lambda s, w: _module("reports.complaints.register").list_complaints(s),
    "reports.complaints.register.acknowledge": lambda s, w: _module("reports.complaints.register").acknowledge(
        s, _complaint(w.manager).id, TODAY),
    "reports.complaints.register.record_outcome": lambda s, w: _module("reports.complaints.register").record_outcome(
        s, _complaint(w.manager).id, "upheld", "We are sorry; the record was corrected.", TODAY),
    "reports.complaints.reporting.dashboard_section": lambda s, w: _module("reports.complaints.reporting").dashboard_section(
        s, TODAY),
    "casework.enquiry_corrections.correct_enquiry": lambda s, w: enquiry_corrections.correct_enquiry(
        s, w.general_enquiry.id, enquiry_corrections.EnquiryCorrection(
            datetime.fromisoformat(w.general_enquiry.received_at), "phone", "Corrected summary")),
    "casework.enquiry_corrections.enquiry_history": lambda s, w: enquiry_corrections.enquiry_history(s, w.general_enquiry.id),
    "casework.enquiries.enquiries_of_person": lambda s, w: enquiries.enquiries_of_person(s, w.parent.id),
    "casework.enquiries.get_enquiry": lambda s, w: enquiries.get_enquiry(s, w.general_enquiry.id),
    "casework.enquiries.recent_enquiries": lambda s, w: enquiries.recent_enquiries(s),
    "casework.enquiry_list.list_enquiries": lambda s, w: enquiry_list.list_enquiries(s),
    "casework.enquiries.record_enquiry": lambda s, w: enquiries.record_enquiry(s, phone_enquiry(anonymous=True,
                                                                                       caller_role="anonymous")),
    "consent.mailing_list.export_mailing_list": lambda s, w: _module("consent.mailing_list").export_mailing_list(
        s, w.tmp / f"list-{s.user.username}.pdf"),
    "consent.wording_edits.publish": lambda s, w: _module("consent.wording_edits").publish(
        s, "consent_share_easy", f"{{service}} can tell them. Words of {s.user.username}."),
    "consent.mailing_list.is_member": lambda s, w: _module("consent.mailing_list").is_member(s, w.parent.id),
    "consent.mailing_list.join": lambda s, w: _module("consent.mailing_list").join(s, w.parent.id),
    "consent.mailing_list.join_in_tx": lambda s, w: _in_tx(s, lambda: _module("consent.mailing_list").join_in_tx(
        s, w.parent.id, w.consent.id, TODAY)),
    "consent.mailing_list.lapsed": lambda s, w: _module("consent.mailing_list").lapsed(s),
    "consent.mailing_list.leave_in_tx": lambda s, w: _in_tx(s, lambda: _module("consent.mailing_list").leave_in_tx(
        s, w.senco.id, TODAY, "test")),
    "consent.mailing_list.members": lambda s, w: _module("consent.mailing_list").members(s),
    "casework.notes.add_note": lambda s, w: notes.add_note(s, w.case.id, "phone_call", date(2026, 11, 5), 5, "Rang."),
    "casework.notes.edit_note": lambda s, w: notes.edit_note(s, w.note.id, "phone_call", date(2026, 11, 2), 10,
                                                    "Talked through the plan again."),
    "casework.notes.get_note": lambda s, w: notes.get_note(s, w.note.id),
    "casework.notes.history": lambda s, w: notes.history(s, w.note.id),
    "casework.notes.notes_for_case": lambda s, w: notes.notes_for_case(s, w.case.id),
    "casework.paper_files.add_file": lambda s, w: paper_files.add_file(s, f"F-{s.user.username}", "Cabinet B"),
    "casework.paper_files.case_for_reference": lambda s, w: paper_files.case_for_reference(s, w.case.reference),
    "casework.paper_files.check_out": lambda s, w: paper_files.check_out(s, w.paper.id, date(2027, 1, 5)),
    "casework.people.find_people": lambda s, w: people.find_people(s, text="Ha"),
    "casework.people.get_person": lambda s, w: people.get_person(s, w.parent.id),
    "casework.people.link_relationship": lambda s, w: people.link_relationship(s, w.parent.id, w.kid.id, "mother", True),
    "casework.people.link_relationship_in_tx": lambda s, w: (lambda kid: _in_tx(s, lambda: people.link_relationship_in_tx(
        s, w.parent.id, kid, "mother", True)))(_new_child(w)),
    "casework.people.peek_person": lambda s, w: people.peek_person(s, w.parent.id),
    "casework.people.relationships_of": lambda s, w: people.relationships_of(s, w.parent.id),
    "casework.people.set_contact_preferences": lambda s, w: people.set_contact_preferences(s, w.parent.id, ok_post=1),
    "casework.people.update_person": lambda s, w: people.update_person(s, w.parent.id, people.as_input(
        people.peek_person(w.manager, w.parent.id))),
    "vault.registers.policy_reminder": lambda s, w: _module("vault.registers").policy_reminder(s, TODAY),
    "vault.registers.policy_reviews": lambda s, w: _module("vault.registers").policy_reviews(s),
    "vault.registers.record_policy_review": lambda s, w: _module("vault.registers").record_policy_review(
        s, date(2026, 11, 1), "Trustees", None, today=TODAY),
    "vault.registers.staff_register": lambda s, w: _module("vault.registers").staff_register(s),
    "vault.registers.staff_reminders": lambda s, w: _module("vault.registers").staff_reminders(s, TODAY),
    "vault.registers.update_staff_record": lambda s, w: _module("vault.registers").update_staff_record(
        s, w.spare, dp_training_on=date(2026, 10, 1), today=TODAY),
    "reports.figures.build_report": lambda s, w: _module("reports.figures").build_report(s, periods.quarter(2026, 3)),
    "reports.figures.opening_period": lambda s, w: _module("reports.figures").opening_period(s, date(2026, 12, 7)),
    "casework.safeguarding.concerns_for_case": lambda s, w: safeguarding.concerns_for_case(s, w.case.id),
    "casework.safeguarding.incidents_for_person": lambda s, w: safeguarding.incidents_for_person(s, w.parent.id),
    "casework.safeguarding.raise_concern": lambda s, w: safeguarding.raise_concern(s, w.case.id, date(2026, 11, 6),
                                                                          "Another worry.", today=TODAY),
    "casework.safeguarding.update_concern": lambda s, w: safeguarding.update_concern(s, w.concern.id, "Resolved", "closed"),
    "sar.register.clarification_received": lambda s, w: sar.clarification_received(s, w.sar.id, TODAY, today=TODAY),
    "sar.register.confirm_identity": lambda s, w: sar.confirm_identity(s, w.sar.id, "Passport", TODAY, today=TODAY),
    "sar.register.dashboard_section": lambda s, w: sar.dashboard_section(s, TODAY),
    "sar.register.extend": lambda s, w: sar.extend(s, w.sar.id, 1, "Many records", today=TODAY),
    "sar.register.get_sar": lambda s, w: sar.get_sar(s, w.sar.id),
    "sar.register.list_sars": lambda s, w: sar.list_sars(s),
    "sar.register.mark_sent": lambda s, w: sar.mark_sent(s, w.sar.id, TODAY, "Post", today=TODAY),
    "sar.register.record_young_person_agreement": lambda s, w: sar.record_young_person_agreement(s, w.sar.id, False),
    "sar.register.register": lambda s, w: sar.register(s, "2026-11-03", w.parent.id, "subject", today=TODAY),
    "sar.register.request_clarification": lambda s, w: sar.request_clarification(s, w.sar.id, TODAY, today=TODAY),
    "sar.register.withdraw": lambda s, w: sar.withdraw(s, w.sar.id),
    "sar.gather.gather": lambda s, w: sar_gather.gather(s, w.sar.id),
    "sar.gather.name_index": lambda s, w: sar_gather.name_index(s, w.sar),
    "sar.pack.disclosures": lambda s, w: _module("sar.pack").disclosures(s, w.sar.id),
    "sar.pack.generate_pack": lambda s, w: _module("sar.pack").generate_pack(
        s, w.sar.id, w.tmp / f"pack-{s.user.username}.pdf", password="open-sesame-2026"),
    "sar.pack.regenerate_pack": lambda s, w: _module("sar.pack").regenerate_pack(
        s, "no-such-disclosure", w.tmp / f"again-{s.user.username}.pdf", password="open-sesame-2026"),
    "sar.review.accept_suggestions": lambda s, w: sar_review.accept_suggestions(s, w.sar.id, _review(s, w)),
    "sar.review.build_content": lambda s, w: sar_review.build_content(s, w.sar.id),
    "sar.review.decide": lambda s, w: sar_review.decide(s, w.sar.id, "access:log", True),
    "sar.review.load_review": lambda s, w: sar_review.load_review(s, w.sar.id),
    "sar.review.redact": lambda s, w: sar_review.redact(s, w.sar.id, sar_gather.SarItem(
        "x:1", "note", "cases", "t", "", [sar_gather.Field("body", "Note", "Some words")]), "body", 0, 4,
        "third_party"),
    "sar.review.remove_redaction": lambda s, w: sar_review.remove_redaction(s, w.sar.id, "no-such-redaction"),
    "demo.build.mark_demo_vault": lambda s, w: _module("demo.build").mark_demo_vault(s),
    "sar.register.record_child_authority": lambda s, w: sar.record_child_authority(s, w.sar.id, "young_person",
                                                                          "Ellie agreed in writing"),
    "sar.review.complete_review": lambda s, w: sar_review.complete_review(s, w.sar.id),
    "sar.review.require_completed": lambda s, w: sar_review.require_completed(s, w.sar.id, _review(s, w)),
    "sar.settings.set_transfers": lambda s, w: _module("sar.settings").set_transfers(s, True),
    "casework.search.search": lambda s, w: _module("casework.search").search(s, "Hartley"),
    "settings_change.set_auto_lock_minutes": lambda s, w: _module("settings_change").set_auto_lock_minutes(s, 5),
    "settings_change.set_document_text_search": lambda s, w: _module("settings_change").set_document_text_search(s, True),
    "settings_change.set_service_name": lambda s, w: _module("settings_change").set_service_name(s, "Northshire SENDIASS"),
    "settings_change.put": lambda s, w: _module("settings_change").put(s, "auto_lock_minutes", 5),
    "consent.counterparties.add_professional": lambda s, w: _module("consent.counterparties").add_professional(
        s, "Aisha", "Rahman", "SENCo", "Brookfield Primary School"),
    "casework.read_budget.set_limits": lambda s, w: _module("casework.read_budget").set_limits(s, 150, 1500, 8),
    "casework.read_budget.accounts_refused": lambda s, w: _module("casework.read_budget").accounts_refused(s, TODAY),
    "vault.staff.add_staff": lambda s, w: staff.add_staff(s, f"new-{s.user.username}", "New Person", "volunteer", TEMP),
    "vault.staff.change_role": lambda s, w: staff.change_role(s, w.spare, "caseworker"),
    "vault.staff.disable": lambda s, w: staff.disable(s, f"new-{s.user.username}"),
    "vault.staff.reset_passphrase": lambda s, w: staff.reset_passphrase(s, w.spare, TEMP),
    # The world's vault is in no team: an allowed call is refused later for that reason.
    "team.conflicts.list_conflicts": lambda s, w: _module("team.conflicts").list_conflicts(s),
    "team.conflicts.waiting_on": lambda s, w: _module("team.conflicts").waiting_on(s, case_id=w.case.id),
    "team.laptop.checkout.ask_for_list": lambda s, w: _module("team.laptop.checkout").ask_for_list(s),
    "team.laptop.checkout.my_cases": lambda s, w: _module("team.laptop.checkout").my_cases(s),
    "team.laptop.checkout.refresh_list": lambda s, w: _module("team.laptop.checkout").refresh_list(s, wait=0),
    "team.conflicts.conflict_detail": lambda s, w: _module("team.conflicts").conflict_detail(s, "no-such"),
    "team.conflicts.resolve_conflict": lambda s, w: _module("team.conflicts").resolve_conflict(
        s, "no-such", take="mine"),
    "team.membership.create": lambda s, w: _module("team.membership").create(s, _no_hub_location(w), "Team"),
    "team.membership.start": lambda s, w: _module("team.membership").start(s, _no_hub_location(w), "Team"),
    "team.team.publish_settings": lambda s, w: _module("team.team").publish_settings(
        s, _gone_hub(w), {"auto_lock_minutes": 5}),
    "team.membership.invite": lambda s, w: _module("team.membership").invite(
        s, "Laptop", w.tmp / f"{s.user.username}.invite"),
    "team.membership.device_list": lambda s, w: _module("team.membership").device_list(s),
    "team.membership.find_device": lambda s, w: _module("team.membership").find_device(s, "Laptop"),
    "team.membership.revoke": lambda s, w: _module("team.membership").revoke(s, "Laptop"),
    "team.membership.disable_colleague": lambda s, w: _module("team.membership").disable_colleague(
        s, "no-such-colleague"),
    "team.laptop.checkout.set_due_days": lambda s, w: _module("team.laptop.checkout").set_due_days(s, 10),
    "team.laptop.checkout.request": lambda s, w: _module("team.laptop.checkout").request(s, ["CAS-2026-00001"]),
    "team.laptop.checkout.check_out": lambda s, w: _module("team.laptop.checkout").check_out(
        s, ["CAS-2026-00001"], wait=0),
    "team.laptop.checkout.check_in": lambda s, w: _module("team.laptop.checkout").check_in(s),
    "team.laptop.checkout.dashboard_section": lambda s, w: _module("team.laptop.checkout").dashboard_section(s),
    "team.laptop.lost.release_lost": lambda s, w: _module("team.laptop.lost").release_lost(s, "no-such"),
    "team.pending.export_pending": lambda s, w: _module("team.pending").export_pending(s, w.tmp / "stranded.bin"),
    "team.pending.review_pending": lambda s, w: _module("team.pending").review_pending(s, w.tmp / "stranded.bin"),
    "team.pending.import_pending": lambda s, w: _module("team.pending").import_pending(s, w.tmp / "stranded.bin"),
    "team.team.rotate_epoch": lambda s, w: _module("team.team").rotate_epoch(s, _gone_hub(w)),
    "team.blocks.void": lambda s, w: _module("team.blocks").void(s, _gone_hub(w), 1, "a forged entry"),
    "team.hub_care.repair.check_session": lambda s, w: _module("team.hub_care.repair").check_session(s, _gone_hub(w)),
    "team.hub_care.repair.repair_session": lambda s, w: _module("team.hub_care.repair").repair_session(
        s, _gone_hub(w)),
    "team.hub_care.on_team_hub.check_hub": lambda s, w: _module("team.hub_care.on_team_hub").check_hub(
        s, str(w.tmp / "gone-hub")),
    "team.hub_care.on_team_hub.repair_hub": lambda s, w: _module("team.hub_care.on_team_hub").repair_hub(
        s, str(w.tmp / "gone-hub")),
    "team.hub_care.on_team_hub.void_entry": lambda s, w: _module("team.hub_care.on_team_hub").void_entry(
        s, 1, "a forged entry"),
    "team.team.create_team": lambda s, w: _module("team.team").create_team(s, _gone_hub(w), "Team"),
    "team.team.invite_device": lambda s, w: _module("team.team").invite_device(s, _gone_hub(w), "Laptop"),
    "team.team.revoke_device": lambda s, w: _module("team.team").revoke_device(s, _gone_hub(w), "no-such"),
    "team.team.prepare_invitation": lambda s, w: _module("team.team").prepare_invitation(s, "Laptop"),
    "team.team.enrol": lambda s, w: _module("team.team").enrol(s, _gone_hub(w), {"device": {}}),
    "team.team.set_manager_rights": lambda s, w: _module("team.team").set_manager_rights(
        s, _gone_hub(w), "no-such", True),
    "team.membership.set_manager_rights": lambda s, w: _module("team.membership").set_manager_rights(
        s, "no-such", True),
    "vault.staff.rekey": lambda s, w: staff.rekey(s),
    "vault.staff.accounts_needing_reset": lambda s, w: staff.accounts_needing_reset(s),
    "vault.recovery.renew_recovery_key": lambda s, w: _module("vault.recovery").renew_recovery_key(s),
    "vault.checkpoint.current_checkpoint": lambda s, w: _module("vault.checkpoint").current_checkpoint(s),
}


def _no_hub_location(w: World) -> str:
    """A hub location under a plain file: no hub can be made there, so no team is founded."""
    blocker = w.tmp / "not-a-folder"
    blocker.write_text("a file, not a folder")
    return str(blocker / "hub")


def _gone_hub(w: World):
    """A folder hub whose folder has gone away: every call is HubUnavailable."""
    import shutil

    from app.storage.hub.folder import FolderHub

    folder = w.tmp / "gone-hub"
    hub = FolderHub(folder, "team-of-nobody", create=True)
    shutil.rmtree(folder)
    return hub


def _new_child(w: World) -> str:
    return people.create_person(w.manager, PersonInput(kind="child", first_name="Alfie", last_name="Hartley")).id


def _complaint(s):
    return _module("reports.complaints.register").register_complaint(
        s, TODAY, "email", "A parent", "Their letter was sent to the wrong address.")


def _module(name: str):
    import importlib

    return importlib.import_module(f"app.services.{name}")


def _in_tx(session, call):
    from app.storage.db import transaction

    with transaction(session.conn):
        return call()


def _document(w: World):
    """One document on the case, added by the manager once."""
    if getattr(w, "_document", None) is None:
        import io

        from app.services.documents import documents as docs

        w._document = docs.add_document(w.manager, _document_input(w), io.BytesIO(b"%PDF-1.4 tiny"), today=TODAY)
    return w._document


def _document_input(w: World):
    from app.services.documents.documents import DocumentInput

    return DocumentInput("School letter", "letter_received", TODAY, "Hillside Primary", "letter.pdf", case_id=w.case.id)


def _documents():
    return _module("documents.documents")


def _checked(s, w: World):
    return disclosures.check_disclosure(s, DisclosureInput(
        w.case.id, "A letter", counterparty_person_id=w.senco.id, disclosed_on=TODAY), today=TODAY)


RECIPES.update({
    "consent.disclosures.check_disclosure": _checked,
    "consent.disclosures.write_disclosure_in_tx": lambda s, w: _in_tx(
        s, lambda: disclosures.write_disclosure_in_tx(s, _checked(w.manager, w))),
    "documents.documents.add_document": lambda s, w: _documents().add_document(
        s, _document_input(w), __import__("io").BytesIO(b"%PDF-1.4 tiny"), today=TODAY),
    "documents.documents.add_documents": lambda s, w: _documents().add_documents(
        s, [(_document_input(w), __import__("io").BytesIO(b"%PDF-1.4 many"))], today=TODAY),
    "documents.documents.get_document": lambda s, w: _documents().get_document(s, _document(w).id),
    "documents.documents.documents_for_case": lambda s, w: _documents().documents_for_case(s, w.case.id),
    "documents.documents.documents_for_person": lambda s, w: _documents().documents_for_person(s, w.parent.id),
    "documents.documents.records_requests": lambda s, w: _documents().records_requests(s, w.case.id),
    "documents.documents.read_for_viewing": lambda s, w: _documents().read_for_viewing(s, _document(w).id),
    "documents.documents.save_copy": lambda s, w: _documents().save_copy(
        s, _document(w).id, w.tmp / f"copy-{s.user.username}.pdf"),
    "documents.documents.remove_document": lambda s, w: _documents().remove_document(
        s, _documents().add_document(s, _document_input(w), __import__("io").BytesIO(b"%PDF-1.4 x"),
                                     today=TODAY).id),
})


def _letters():
    return _module("documents.letters")


def _draft(s, w: World):
    return _letters().draft_letter(s, w.case.id, "letter_to_professional", w.senco.id, today=TODAY)


RECIPES.update({
    "documents.letters.draft_letter": _draft,
    "documents.letters.send_letter": lambda s, w: _letters().send_letter(
        s, _draft(w.manager, w), "Dear Priya, the plan.", today=TODAY),
    "documents.letters.save_template": lambda s, w: _letters().save_template(
        s, "case_closure", "Case closure", f"Dear {{recipient_name}}, closed by {s.user.username}."),
    "documents.letters.letter_text": lambda s, w: _letters().letter_text(
        s, _letters().send_letter(w.manager, _draft(w.manager, w), "Dear Priya.", today=TODAY).document.id),
})


RECIPES.update({
    "documents.sar_pages.append_documents": lambda s, w: _module("documents.sar_pages").append_documents(
        s, __import__("tests.unit.document_helpers", fromlist=["x"]).pdf_bytes("Pack"), [{"id": _document(w).id,
                                                                                         "title": "Letter"}]),
})


RECIPES["demo.documents.populate_documents"] = lambda s, w: _module("demo.documents").populate_documents(s, 3, limit=1)
