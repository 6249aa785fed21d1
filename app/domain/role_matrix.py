"""Who may call each public service function, and with what scope: the role matrix, once.

The services enforce it themselves (session.require, access.require_casework, the firewall);
this table is what they promise. tests/security/test_role_matrix.py walks every public function
in app.services (subpackages included) and fails when one has no entry here, then calls each
restricted one as the manager, a caseworker and a volunteer to prove the service refuses or
allows it. A new service function therefore needs a line here before the suite passes.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.domain.staff import Role


class Scope(StrEnum):
    NO_SESSION = "no session: a pure helper, or works before sign-in with the credentials it is given"
    HELPER = "a check or query helper other services call; it reads no family's records by itself"
    ANY = "any signed-in member of staff"
    GENERAL = "everyone; volunteers only what general-information enquiries need, casework staff within the firewall"
    CASEWORK = "caseworkers and the manager, in the cases the firewall lets them see"
    RESTRICTED = "the manager and the case's own worker"
    MANAGER = "the manager only"


ROLES = {
    Scope.NO_SESSION: frozenset(), Scope.HELPER: frozenset(),
    Scope.ANY: frozenset(Role), Scope.GENERAL: frozenset(Role),
    Scope.CASEWORK: frozenset({Role.MANAGER, Role.CASEWORKER}),
    Scope.RESTRICTED: frozenset({Role.MANAGER, Role.CASEWORKER}),
    Scope.MANAGER: frozenset({Role.MANAGER}),
}


@dataclass(frozen=True)
class Grant:
    scope: Scope
    note: str = ""

    @property
    def roles(self) -> frozenset[Role]:
        return ROLES[self.scope]

    @property
    def restricted(self) -> bool:
        """A volunteer or a caseworker can be refused: the test calls it as each role."""
        return self.scope in (Scope.CASEWORK, Scope.RESTRICTED, Scope.MANAGER)


N, H, A, G, C, R, M = (Scope.NO_SESSION, Scope.HELPER, Scope.ANY, Scope.GENERAL, Scope.CASEWORK,
                       Scope.RESTRICTED, Scope.MANAGER)

_TABLE: dict[str, tuple[Scope, str]] = {
    # access: the checks themselves
    "access.audit_bulk_read": (H, ""), "access.can_see_restricted": (H, ""), "access.can_view_case": (H, ""),
    "access.case_visible_sql": (N, ""), "access.check_case": (H, ""), "access.check_person_visible": (H, ""),
    "access.enquiry_visible_sql": (N, ""), "access.in_visible_case_sql": (N, ""),
    "access.person_hidden_sql": (N, ""), "access.person_as_seen": (H, ""), "access.require_casework": (H, ""), "access.sar_viewer": (N, ""),
    "access.viewer": (H, ""), "access.visibility_params": (H, ""),
    # casework
    "casework.actions.actions_for_case": (C, ""), "casework.actions.add_action": (C, ""), "casework.actions.complete_action": (C, ""),
    "casework.actions.my_due_actions": (C, ""),
    "casework.case_closing.gaps_before_closing": (C, ""),
    "casework.cases.cases_of_person": (C, ""), "casework.cases.check_eligible": (C, ""), "casework.cases.close_case": (C, ""),
    "casework.cases.get_case": (C, "audited as a view"), "casework.cases.link_cases": (M, "R4: the link is the manager's"),
    "casework.cases.linked_cases": (M, "R4: only the manager sees the link"), "casework.cases.list_cases": (C, "audited bulk read"),
    "casework.cases.load_case": (C, ""), "casework.cases.may_see_case": (H, ""), "casework.cases.my_open_cases": (C, ""),
    "casework.cases.open_case": (C, "R3 eligibility"), "casework.cases.open_case_in_tx": (C, ""),
    "casework.cases.record_young_person_agreement": (R, ""), "casework.cases.reopen_case": (C, ""),
    "casework.cases.update_case": (C, "changing the worker is the manager's alone"),
    "casework.notes.add_note": (C, ""), "casework.notes.edit_note": (C, "the author or the manager"), "casework.notes.get_note": (C, ""),
    "casework.notes.history": (C, ""), "casework.notes.notes_for_case": (C, ""),
    "casework.safeguarding.can_see_concerns": (H, ""), "casework.safeguarding.concerns_for_case": (R, "R16"),
    "casework.safeguarding.incidents_for_person": (R, "R16: the manager, or a worker of the person's case"),
    "casework.safeguarding.raise_concern": (R, "R16"), "casework.safeguarding.update_concern": (R, "R16"),
    "casework.safeguarding.record_incident": (A, "R16: any member of staff must be able to report it"),
    # enquiries and people
    "casework.enquiry_corrections.correct_enquiry": (G, "volunteers: general enquiries they handled; history kept"),
    "casework.enquiry_corrections.enquiry_history": (G, "volunteers: general enquiries they handled"),
    "casework.enquiries.caller_kind_for": (N, ""), "casework.enquiries.statement_text": (N, ""),
    "casework.enquiries.enquiries_of_person": (G, "volunteers: general enquiries they handled"),
    "casework.enquiries.get_enquiry": (G, "volunteers: general enquiries they handled"),
    "casework.enquiries.recent_enquiries": (G, "volunteers: general enquiries they handled; audited bulk read"),
    "casework.enquiry_list.list_enquiries": (G, "volunteers: general enquiries they handled; pages; audited bulk read"),
    "casework.enquiries.record_enquiry": (G, "volunteers: general information only"),
    "casework.people.as_input": (N, ""), "casework.people.validate_person": (N, ""), "casework.people.holds_parental_responsibility": (N, ""),
    "casework.people.create_person": (A, "a caller for a general enquiry"), "casework.people.create_person_in_tx": (A, ""),
    "casework.people.find_people": (G, "volunteers: a typed name, at most 20, name and area only; audited bulk read"),
    "casework.people.get_person": (G, "volunteers: name and area only; audited as a view"),
    "casework.people.peek_person": (G, "volunteers: name and area only"),
    "casework.people.relationships_of": (G, ""), "casework.people.organisation_name": (A, ""),
    "casework.people.link_relationship": (C, ""), "casework.people.link_relationship_in_tx": (A, "inside an enquiry; changing a recorded link is casework"),
    "casework.people.update_person": (C, "volunteers cannot change addresses"),
    "casework.people.set_contact_preferences": (C, "R9: volunteers cannot change them"),
    "casework.search.search": (G, "volunteers: people only; audited bulk read"), "casework.search.fts_query": (H, ""),
    "casework.search.tokens": (N, ""),
    # consent and disclosures
    "consent.records.batch_of": (C, ""), "consent.records.consent_from_row": (N, ""), "consent.records.consents_for_case": (C, ""),
    "consent.records.consents_of_person": (C, ""), "consent.records.get_consent": (C, ""), "consent.records.preview_wording": (C, ""),
    "consent.records.record_consent": (C, ""), "consent.records.record_consents": (C, ""), "consent.records.replace_consent": (C, ""),
    "consent.records.signature_of": (C, ""), "consent.records.withdraw_consent": (C, ""), "consent.records.withdraw_consents": (C, ""),
    "consent.export.blank_form_pdf": (A, "no personal data"), "consent.export.export_blank_form": (A, ""),
    "consent.export.consent_record_pdf": (C, ""), "consent.export.export_consent_record": (C, ""),
    "consent.rules.entitlement": (C, ""), "consent.rules.possible_givers": (C, ""),
    "consent.rules.review_months": (A, "a setting"), "consent.rules.set_review_months": (M, ""),
    "consent.rules.sixteenth_birthday": (N, ""), "consent.rules.suggested_review_date": (C, ""),
    "consent.views.case_consents": (C, ""), "consent.views.expiring_consents": (C, "caseworkers: their cases"),
    "consent.views.expiring_section": (M, "dashboard"), "consent.views.manager_view": (M, ""),
    "consent.views.overrides_section": (M, "dashboard"),
    "consent.views.self_reviewed_section": (M, "dashboard"),
    "consent.wording.blank": (N, ""), "consent.wording.general": (N, ""), "consent.wording.paragraphs": (N, ""),
    "consent.wording.render": (N, ""), "consent.wording.template_name": (N, ""), "consent.wording.values": (N, ""),
    "consent.counterparties.choices": (C, ""), "consent.counterparties.label": (N, ""), "consent.counterparties.resolve": (C, ""),
    "consent.disclosures.disclosures_for_case": (C, ""), "consent.disclosures.get_disclosure": (C, ""),
    "consent.disclosures.mark_override_reviewed": (M, ""), "consent.disclosures.matching_consent": (C, ""),
    "consent.disclosures.record_disclosure": (C, ""), "consent.disclosures.record_records_request": (C, ""),
    "consent.disclosures.unreviewed_overrides": (M, ""),
    "consent.disclosures.self_reviewed_overrides": (M, "dashboard"), "consent.disclosures.is_self_review": (H, ""),
    "consent.disclosures.other_reviewers": (H, "managers' names, for the review rule"),
    "consent.mailing_list.export_mailing_list": (M, ""), "consent.mailing_list.is_member": (C, ""), "consent.mailing_list.join": (C, ""),
    "consent.mailing_list.join_in_tx": (C, ""), "consent.mailing_list.leave_in_tx": (C, ""), "consent.mailing_list.lapsed": (M, ""),
    "consent.mailing_list.members": (M, ""),
    # registers, paper files, staff, settings
    "casework.paper_files.add_file": (C, ""), "casework.paper_files.case_for_reference": (C, ""),
    "casework.paper_files.check_out": (C, ""), "casework.paper_files.check_in": (A, "files of cases they may see"),
    "casework.paper_files.find_file": (A, "files in no case or in a case they may see"),
    "casework.paper_files.get_file": (A, "files in no case or in a case they may see"),
    "casework.paper_files.list_files": (A, "files in no case or in a case they may see"),
    "casework.paper_files.movements": (A, "files they may see"), "casework.paper_files.overdue": (A, "files they may see"),
    "vault.registers.policy_reminder": (M, ""), "vault.registers.policy_reviews": (M, ""),
    "vault.registers.record_policy_review": (M, ""), "vault.registers.staff_register": (M, ""),
    "vault.registers.staff_reminders": (M, ""), "vault.registers.update_staff_record": (M, ""),
    "vault.staff.add_staff": (M, ""), "vault.staff.change_role": (M, ""), "vault.staff.disable": (M, ""),
    "vault.staff.reset_passphrase": (M, ""), "vault.staff.list_staff": (A, "colleagues' names and roles"),
    "vault.staff.change_own_passphrase": (A, "their own"), "vault.staff.slot_params": (N, ""),
    "settings.get": (A, ""), "settings.auto_lock_minutes": (A, ""), "settings.set_auto_lock_minutes": (M, ""),
    "reports.dashboard.build_dashboard": (M, ""),
    "casework.drafts.keep_draft": (A, "the author's own typing"), "casework.drafts.take_drafts": (A, "only the author's own drafts"),
    # reports and subject access
    "reports.figures.build_report": (M, "aggregate counts: firewalled cases count in statistics (R1), never by person"),
    "reports.counts.count_all": (N, "fills a report the manager is building"), "reports.counts.choice_rows": (N, ""),
    "reports.counts.hours": (N, ""), "reports.counts.with_total": (N, ""),
    # data protection complaints (s.164A DPA 2018): the manager's register
    "reports.complaints.register.register_complaint": (M, ""), "reports.complaints.register.acknowledge": (M, ""),
    "reports.complaints.register.record_outcome": (M, ""), "reports.complaints.register.get_complaint": (M, ""),
    "reports.complaints.register.list_complaints": (M, ""), "reports.complaints.reporting.dashboard_section": (M, "dashboard"),
    "reports.complaints.reporting.report_table": (N, "counts for a report the manager is building"),
    "reports.complaints.rules.acknowledgement_due": (N, ""),
    "reports.export.table_csv": (N, "a report already built by the manager"),
    "reports.export.to_json_bytes": (N, "a report already built by the manager"),
    "reports.export.write_csv_dir": (A, "a report already built by the manager (build_report is manager-only)"),
    "sar.register.clarification_received": (M, ""), "sar.register.confirm_identity": (M, ""), "sar.register.dashboard_section": (M, ""),
    "sar.register.extend": (M, ""), "sar.register.get_sar": (M, ""), "sar.register.list_sars": (M, ""), "sar.register.mark_sent": (M, ""),
    "sar.register.record_young_person_agreement": (M, ""), "sar.register.register": (M, ""),
    "sar.register.request_clarification": (M, ""), "sar.register.withdraw": (M, ""),
    "sar.gather.gather": (M, "read as the requester: the firewall holds (R4)"),
    "sar.gather.is_own_record": (N, ""), "sar.gather.name_index": (M, ""),
    "sar.gather.suggest_redactions": (N, ""),
    "sar.pack.disclosures": (M, ""), "sar.pack.generate_pack": (M, ""), "sar.pack.regenerate_pack": (M, ""),
    "sar.review.accept_suggestions": (M, ""), "sar.review.build_content": (M, ""), "sar.review.decide": (M, ""),
    "sar.review.load_review": (M, ""), "sar.review.redact": (M, ""), "sar.review.remove_redaction": (M, ""),
    # the vault, backups and demo data
    "vault.backup.create_backup": (M, "the manager's action"),
    "vault.backup.last_backup": (A, "when this computer last made a backup: no family's records"),
    "vault.restore.restore_backup": (N, "before sign-in: an active manager's passphrase (checked, throttled) or the recovery key"),
    "vault.recovery.recover": (N, "the recovery key"), "vault.recovery.open_with_recovery": (N, "the recovery key"),
    "vault.recovery.renew_recovery_key": (M, ""), "vault.checkpoint.current_checkpoint": (M, "audited"),
    "vault.staff.rekey": (M, ""), "vault.staff.accounts_needing_reset": (M, ""),
    "vault.unlock.check_credentials": (N, "the passphrase"),
    "vault.keys.record_staff_key": (N, "called by the services that create or change a slot"),
    "vault.keys.settle_after_unlock": (N, "called by unlock"),
    "vault.keys.follow_key_change": (H, "an open session picks up a re-key made by another"),
    "vault.backup_file.read_backup": (N, "reads a file's manifest; opens nothing"),
    "vault.backup_file.manifest_aad": (N, ""), "vault.backup_file.manifest_mac": (N, ""),
    "vault.backup_file.no_progress": (N, ""), "vault.backup_file.sha256_hex": (N, ""),
    "vault.backup_file.stream_sha256": (N, ""),
    "vault.unlock.create_vault": (N, ""), "vault.unlock.device_check": (N, ""),
    "vault.unlock.resolve_store": (N, ""), "vault.unlock.unlock": (N, "the passphrase"), "vault.unlock.unwrap_key": (N, ""),
    "vault.unlock.utc_now": (N, ""), "vault.unlock.vault_exists": (N, ""), "vault.unlock.vault_summary": (N, ""),
    "vault.verify.verify_vault": (N, "the passphrase"),
    "demo.build.is_demo_vault": (H, "reads one setting"), "demo.build.demo_refusal": (H, "counts rows, returns a reason"),
    "demo.build.mark_demo_vault": (M, ""), "demo.build.random_passphrase": (N, ""),
    "exports.must_encrypt": (N, ""), "exports.refuse_clear_stream": (N, ""), "exports.encrypted_zip": (N, ""),
    "exports.export_pdf": (A, "writes what its caller built; the caller's own entry decides who"),
    "exports.export_tables": (A, "writes what its caller built; the caller's own entry decides who"),
    "reports.export.kind_for": (N, ""), "reports.export.report_files": (N, "a report already built by the manager"),
    "reports.export.export_report": (A, "a report already built by the manager (build_report is manager-only)"),
    "sar.register.record_child_authority": (M, ""),
    "sar.parent.authority_values": (H, "the rule for a parent's request"),
    "sar.parent.check_parent_authority": (H, "the rule for a parent's request"),
    "sar.review.complete_review": (M, ""), "sar.review.require_completed": (M, ""),
    "sar.settings.transfers": (A, "the service's settings"), "sar.settings.set_transfers": (M, ""),
    "selftest.hub.check_hub": (N, "packaging self-test: a hub location, no vault"),
    "selftest.install.run_self_test": (N, "packaging self-test: a throwaway vault in a temporary folder"),
    "selftest.hub.claim_with": (N, ""), "selftest.postgres.check_postgres_hub": (N, "packaging self-test"),
    "demo.build.populate": (M, ""), "demo.casework.populate_casework": (M, ""), "demo.casework.rng_uuid7": (N, ""),
    "demo.consent.populate_consent": (M, ""), "demo.registers.populate_registers": (M, ""),
    "demo.sar.populate_sars": (M, ""), "demo.text.note_text": (N, ""),
    # team vault: the engine works on a connection; the use cases take a session
    **{f"team.{name}": (N, "sync engine: works on a connection inside a use case below") for name in (
        "apply.apply_change", "apply.key_json", "apply.open_conflict", "apply.reindex", "apply.utc_now",
        "apply.write_remote", "audit_hub.verify_against_hub", "audit_hub.verify_remote_chains",
        "bundle.bundle_hash", "bundle.canonical", "bundle.open_bundle", "bundle.parse", "bundle.seal",
        "capture.base_image", "capture.changed_fields", "capture.collect", "capture.current_image",
        "capture.decode_value", "capture.drop_pending", "capture.has_pending", "capture.meta_of",
        "capture.pending_count", "capture.pending_keys", "capture.pending_rows", "capture.replicated_set",
        "capture.set_base", "capture.write_image", "capture.write_images", "control.apply", "control.check",
        "control.seal", "control.read_unverified", "compaction.plan", "compaction.compact", "compaction.open_admin_hub", "invitation.new_code", "invitation.normalise_code", "invitation.read_invitation",
        "invitation.write_invitation", "keys.new_device_keys", "keys.new_epoch_key",
        "keys.open_sealed_for_device", "keys.seal_to_device", "keys.sign", "keys.verify",
        "snapshot.put_snapshot", "snapshot.restore_latest", "snapshot.index_everything", "snapshot.restart_after_compaction", "snapshot.read", "snapshot.put_if_due",
        "snapshot_file.dump", "snapshot_file.dump_to", "snapshot_file.load",
        "join_staging.prepare", "join_staging.publish", "join_staging.finish", "join_staging.discard",
        "join_staging.leftovers", "state.add_device", "state.add_epoch",
        "state.advance_device", "state.current_epoch", "state.device", "state.devices", "state.epoch_key",
        "state.get", "state.in_team", "state.last_applied", "state.put", "state.reference_letter",
        "state.require_team", "state.set_capture", "sync.audit_pending", "sync.build",
        "sync.open_conflict_count", "sync.pull", "sync.push", "sync.sync_conn", "sync.utc_now")},
    **{f"team.{name}": (N, "sync engine: works on a connection inside a use case") for name in (
        "apply.changes_case_titles", "apply.changes_search", "capture.write_changes",
        "control.rekeyed_epochs", "control.rekeyed_proof", "rekeyed.announce_if_owed", "rekeyed.owed",
        "snapshot.rebase_pending", "search_build.start", "search_build.index_everything", "search_build.step",
        "search_build.finish", "search_build.progress", "search_build.reindex_ids")},
    **{f"team.{name}": (N, "hub care: works on a connection inside sync or a use case below") for name in (
        "blocks.author", "blocks.sentence", "blocks.record", "blocks.current", "blocks.clear", "blocks.publish",
        "blocks.published", "blocks.stopped_at_mine", "blocks.look_ahead", "blocks.skip_voided",
        "copies.digest", "copies.keep", "copies.prune", "copies.get", "copies.digests", "copies.highest",
        "copies.saw_snapshot", "copies.newest_snapshot_seen", "hub_care.check.check",
        "hub_care.signed.well_signed", "hub_care.repair.repair")},
    "team.blocks.void": (M, "a manager's signed decision that every computer passes over one hub entry"),
    "team.hub_care.repair.check_session": (C, "compares the hub with this computer's copies: no family's data shown"),
    "team.hub_care.repair.repair_session": (C, "puts back hub entries from this computer's own copies"),
    "team.search_build.status": (A, "how far this computer's own search index is built"),
    "team.search_build.build_some": (A, "builds this computer's own search index; returns no records"),
    "team.search_build.build_rest": (A, "builds this computer's own search index; returns no records"),
    "team.conflicts.conflict_detail": (C, "both sides are rows this computer's own user edited"),
    "team.conflicts.list_conflicts": (C, ""), "team.conflicts.resolve_conflict": (C, ""),
    "team.membership.create": (M, ""), "team.membership.invite": (M, ""),
    "team.membership.device_list": (M, ""), "team.membership.find_device": (M, ""),
    "team.membership.revoke": (M, ""),
    "team.membership.join": (N, "a new vault from an invitation file and its code"),
    "team.membership.save_location": (H, "where this computer's hub is"),
    "team.membership.hub_location": (A, "where this computer's hub is: no family's records"),
    "team.membership.hub_target": (A, ""),
    "team.membership.open_watch_hub": (N, "a hub object for the waiting thread; no vault"), "team.membership.open_team_hub": (A, ""),
    "team.membership.sync": (A, "replicates every row; what each person sees stays with the read paths"),
    "team.membership.sync_status": (A, ""),
    "team.sync.sync_now": (A, ""), "team.sync.pending_count": (A, ""), "team.sync.last_synced": (A, ""),
    "team.staff_keys.slot_from_record": (N, ""), "team.staff_keys.team_records": (N, ""),
    "team.staff_keys.follow_staff_keys": (A, "this computer's own slots, from the replicated key records"),
    "team.staff_keys.rekey_if_team_key_changed": (A, "this computer's own database key"),
    "team.membership.disable_colleague": (M, ""), "team.team.rotate_epoch": (M, ""),
    "team.team.create_team": (M, ""), "team.team.invite_device": (M, ""), "team.team.revoke_device": (M, ""),
    "team.team.join_team": (A, "joins a new, empty vault (membership.join makes it)"),
    # laptops: the engine's laptop side works on a connection inside sync
    **{f"team.laptop.{name}": (N, "laptop engine: works on a connection inside sync or check-in") for name in (
        "closure.case_closure", "closure.rows_of_closure", "closure.keep_remote", "closure.id_column",
        "replica.is_laptop", "replica.mark_laptop", "replica.select_changes", "replica.receive_packages",
        "replica.out_here", "replica.erase_outside", "replica.compact", "office.answer_requests",
        "office.packages", "lost.last_on_hub", "checkout.parse_refs")},
    "team.laptop.checkout.due_days": (A, "the team's setting"),
    "team.laptop.checkout.set_due_days": (M, ""),
    "team.laptop.checkout.request": (C, "a laptop asks for cases; the office checks the person again"),
    "team.laptop.checkout.check_out": (C, ""), "team.laptop.checkout.check_in": (C, ""),
    "team.laptop.checkout.list_checkouts": (A, "ids, references, computer and staff names: no family's data"),
    "team.laptop.checkout.out_on_laptops": (A, ""), "team.laptop.checkout.this_is_a_laptop": (A, ""), "team.laptop.checkout.past_due": (A, ""),
    "team.laptop.lost.release_lost": (M, ""), "team.laptop.checkout.dashboard_section": (M, ""),
}

MATRIX: dict[str, Grant] = {name: Grant(scope, note) for name, (scope, note) in _TABLE.items()}


def grant(function: str) -> Grant | None:
    """The entry for "module.function" (the module's path below app.services)."""
    return MATRIX.get(function)


def allows(role: Role, function: str) -> bool:
    """Whether `role` may call "module.function": the one rule the menus and the services share.
    Helpers and functions needing no session are open to every role.

    May raise: KeyError when the function has no entry (a menu naming a function that does not
    exist must fail its test, not quietly show the item)."""
    entry = MATRIX[function]
    return not entry.roles or role in entry.roles
