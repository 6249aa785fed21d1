"""Every top-level window of ui/, found by walking the package (so a new dialog cannot be
missed), and a recipe to build each one over a demo vault with a record of every kind."""

import importlib
import inspect
import pkgutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QDialog, QMainWindow

import ui
from app.security.session import Session
from app.services.casework import enquiries, notes, paper_files
from app.services.consent import disclosures
from app.services.consent.disclosures import DisclosureInput
from app.services.demo import build as demo
from app.services.lifecycle import requests as erasure_requests
from app.services.lifecycle import review as retention_review
from app.services.reports.complaints import register as complaints
from app.services.sar import register as sar
from app.services.sar import review as sar_review
from app.services.vault import registers, staff
from tests.unit.consent_helpers import TODAY, family_case, share_with, signed
from ui import main_window
from ui.clipboard import SecretClipboard
from ui.dialogs import (
    case_dialogs,
    change_passphrase,
    complaint_dialogs,
    consent_capture,
    consent_dialogs,
    disclosure_dialog,
    enquiry_correction,
    enquiry_form,
    erasure_request_dialogs,
    national_dialogs,
    note_dialogs,
    override_review_dialog,
    person_dialogs,
    professional_dialog,
    recovery_dialog,
    redact_dialogs,
    register_dialogs,
    restore_dialog,
    retention_dialogs,
    sar_dialogs,
    sar_pack_dialog,
    staff_dialogs,
    verify_dialog,
    wording_dialog,
)
from ui.menus import help_window
from ui.operations import Operations
from ui.team import (
    checkout_dialog,
    hub_care_dialog,
    hub_location_dialog,
    join_dialog,
    start_team,
    team_view,
)
from ui.widgets import message_bar, secret_panel
from ui.wizard import setup_wizard

# Bases that are never shown by themselves.
ABSTRACT = {"ui.dialogs.form_dialog.FormDialog", "ui.dialogs.sar_dialogs._SarStepDialog"}


def top_level_classes() -> dict[str, type]:
    found = {}
    for module_info in pkgutil.walk_packages(ui.__path__, "ui."):
        module = importlib.import_module(module_info.name)
        for cls in vars(module).values():
            if (inspect.isclass(cls) and issubclass(cls, QDialog | QMainWindow)
                    and cls.__module__ == module.__name__):
                name = f"{cls.__module__}.{cls.__qualname__}"
                if name not in ABSTRACT:
                    found[name] = cls
    return found


@dataclass
class World:
    session: Session
    ops: Operations
    data_dir: Path
    tmp: Path
    clipboard: SecretClipboard

    def __post_init__(self):
        s = self.session
        demo.populate(s, staff=3, cases=12, seed=7, today=TODAY)
        fam = family_case(s)
        self.case, self.person = fam.case, fam.parent
        self.consent = signed(s, fam, share_with(fam.senco))[0]
        self.note = notes.add_note(s, fam.case.id, "phone_call", date(2026, 1, 6), 10, "Talked about the plan.")
        notes.edit_note(s, self.note.id, "phone_call", date(2026, 1, 6), 15, "Talked about the plan at length.")
        # No consent covers the educational psychologist: sharing with them is an override.
        disclosures.record_disclosure(s, DisclosureInput(
            fam.case.id, "The draft plan", counterparty_person_id=fam.ep.id, disclosed_on=TODAY,
            lawful_reason="safeguarding", justification="A risk to the child that could not wait."), today=TODAY)
        self.override = disclosures.unreviewed_overrides(s)[0]
        complaints.register_complaint(s, TODAY, "email", "A parent", "Their letter went to the wrong address.")
        paper_files.add_file(s, "HARTLEY-1", "Cabinet A", fam.case.id)
        self.enquiry = enquiries.recent_enquiries(s, limit=1)[0]
        self.sar = sar.list_sars(s)[0]
        self.complaint = complaints.list_complaints(s)[0]
        self.paper = paper_files.list_files(s)[0]
        self.staff_entry = registers.staff_register(s)[0]
        self.member = next(m for m in staff.list_staff(s) if m.username != s.user.username)
        self.due = retention_review.due_records(s.conn, date(2060, 1, 1))[0]
        self.erasure_request = erasure_requests.register(s, TODAY, "A parent", fam.parent.id, today=TODAY)


def _review(w: World):
    return sar_review.load_review(w.session, w.sar.id, suggestions=True)


def _redact(w: World):
    item, field = next((i, f) for i in _review(w).items for f in i.fields if len(f.text) > 5)
    return redact_dialogs.RedactDialog(w.session, w.ops, w.sar.id, item, field.name, 0, 5)


_D = "ui.dialogs."
RECIPES = {
    _D + "case_dialogs.CloseCaseDialog": lambda w: case_dialogs.CloseCaseDialog(w.session, w.ops, w.case),
    _D + "case_dialogs.LinkCaseDialog": lambda w: case_dialogs.LinkCaseDialog(w.session, w.ops, w.case),
    _D + "national_dialogs.ChangeLevelDialog": lambda w: national_dialogs.ChangeLevelDialog(w.session, w.ops, w.case),
    _D + "national_dialogs.InactiveDialog": lambda w: national_dialogs.InactiveDialog(w.session, w.ops, w.case),
    _D + "national_dialogs.EvaluationDialog": lambda w: national_dialogs.EvaluationDialog(w.session, w.ops, w.case),
    _D + "national_dialogs.PaperEvaluationDialog": lambda w: national_dialogs.PaperEvaluationDialog(
        w.session, w.ops, w.case),
    _D + "national_dialogs.LevelMappingDialog": lambda w: national_dialogs.LevelMappingDialog(w.session, w.ops),
    _D + "national_dialogs.InactivePeriodDialog": lambda w: national_dialogs.InactivePeriodDialog(w.session, w.ops),
    _D + "national_dialogs.StandardDialog": lambda w: national_dialogs.StandardDialog(w.session, w.ops),
    _D + "national_dialogs.StandardsRegisterDialog": lambda w: national_dialogs.StandardsRegisterDialog(
        w.session, w.ops),
    _D + "case_dialogs.ActionDialog": lambda w: case_dialogs.ActionDialog(w.session, w.ops, w.case),
    _D + "case_dialogs.ConcernDialog": lambda w: case_dialogs.ConcernDialog(w.session, w.ops, w.case),
    _D + "change_passphrase.ChangePassphraseDialog": lambda w: change_passphrase.ChangePassphraseDialog(
        w.session, w.ops),
    _D + "complaint_dialogs.RegisterComplaintDialog": lambda w: complaint_dialogs.RegisterComplaintDialog(
        w.session, w.ops),
    _D + "complaint_dialogs.AcknowledgeDialog": lambda w: complaint_dialogs.AcknowledgeDialog(
        w.session, w.ops, w.complaint),
    _D + "complaint_dialogs.OutcomeDialog": lambda w: complaint_dialogs.OutcomeDialog(w.session, w.ops, w.complaint),
    _D + "retention_dialogs.ExtendDialog": lambda w: retention_dialogs.ExtendDialog(w.session, w.ops, w.due),
    _D + "retention_dialogs.DisposeDialog": lambda w: retention_dialogs.DisposeDialog(w.session, w.ops, [w.due],
                                                                                       erasing=True),
    _D + "erasure_request_dialogs.RegisterErasureRequestDialog":
        lambda w: erasure_request_dialogs.RegisterErasureRequestDialog(w.session, w.ops),
    _D + "erasure_request_dialogs.ErasureOutcomeDialog":
        lambda w: erasure_request_dialogs.ErasureOutcomeDialog(w.session, w.ops, w.erasure_request),
    _D + "consent_capture.ConsentCaptureDialog": lambda w: consent_capture.ConsentCaptureDialog(
        w.session, w.case.id, w.ops),
    _D + "consent_dialogs.ConsentRecordDialog": lambda w: consent_dialogs.ConsentRecordDialog(w.session, w.consent),
    _D + "consent_dialogs.WithdrawConsentDialog": lambda w: consent_dialogs.WithdrawConsentDialog(
        w.session, w.ops, w.consent),
    _D + "disclosure_dialog.DisclosureDialog": lambda w: disclosure_dialog.DisclosureDialog(w.session, w.ops, w.case),
    _D + "enquiry_correction.EnquiryCorrectionDialog": lambda w: enquiry_correction.EnquiryCorrectionDialog(
        w.session, w.ops, w.enquiry),
    _D + "enquiry_form.EnquiryForm": lambda w: enquiry_form.EnquiryForm(w.session, w.ops),
    _D + "note_dialogs.NoteDialog": lambda w: note_dialogs.NoteDialog(w.session, w.ops, w.case.id, w.case.reference),
    _D + "note_dialogs.NoteHistoryDialog": lambda w: note_dialogs.NoteHistoryDialog(
        w.note, notes.history(w.session, w.note.id)),
    _D + "override_review_dialog.OverrideReviewDialog": lambda w: override_review_dialog.OverrideReviewDialog(
        w.session, w.ops, w.override),
    _D + "person_dialogs.PersonDialog": lambda w: person_dialogs.PersonDialog(w.session, w.ops, w.person),
    _D + "person_dialogs.ContactPreferencesDialog": lambda w: person_dialogs.ContactPreferencesDialog(
        w.session, w.ops, w.person),
    _D + "person_dialogs.IncidentDialog": lambda w: person_dialogs.IncidentDialog(w.session, w.ops, w.person),
    _D + "recovery_dialog.RecoveryDialog": lambda w: recovery_dialog.RecoveryDialog(w.data_dir, None, w.ops),
    _D + "redact_dialogs.RedactDialog": _redact,
    _D + "redact_dialogs.SuggestionsDialog": lambda w: redact_dialogs.SuggestionsDialog(
        w.session, w.ops, w.sar.id, _review(w)),
    _D + "register_dialogs.StaffRecordDialog": lambda w: register_dialogs.StaffRecordDialog(
        w.session, w.ops, w.staff_entry),
    _D + "register_dialogs.AddPaperFileDialog": lambda w: register_dialogs.AddPaperFileDialog(w.session, w.ops),
    _D + "register_dialogs.CheckOutDialog": lambda w: register_dialogs.CheckOutDialog(
        w.session, w.ops, w.paper, staff.list_staff(w.session)),
    _D + "register_dialogs.PolicyReviewDialog": lambda w: register_dialogs.PolicyReviewDialog(w.session, w.ops),
    _D + "restore_dialog.RestoreDialog": lambda w: restore_dialog.RestoreDialog(
        w.tmp / "x.confide-backup", "manager", w.ops),
    _D + "sar_dialogs.RegisterSarDialog": lambda w: sar_dialogs.RegisterSarDialog(w.session, w.ops),
    _D + "sar_dialogs.IdentityDialog": lambda w: sar_dialogs.IdentityDialog(w.session, w.ops, w.sar),
    _D + "sar_dialogs.ClarificationDialog": lambda w: sar_dialogs.ClarificationDialog(w.session, w.ops, w.sar, False),
    _D + "sar_dialogs.ChildAuthorityDialog": lambda w: sar_dialogs.ChildAuthorityDialog(w.session, w.ops, w.sar),
    _D + "sar_dialogs.ExtendDialog": lambda w: sar_dialogs.ExtendDialog(w.session, w.ops, w.sar),
    _D + "sar_dialogs.MarkSentDialog": lambda w: sar_dialogs.MarkSentDialog(w.session, w.ops, w.sar),
    _D + "sar_pack_dialog.SarPackDialog": lambda w: sar_pack_dialog.SarPackDialog(
        w.session, w.ops, w.clipboard, w.sar),
    _D + "staff_dialogs.AddStaffDialog": lambda w: staff_dialogs.AddStaffDialog(w.session, w.ops),
    _D + "staff_dialogs.ResetPassphraseDialog": lambda w: staff_dialogs.ResetPassphraseDialog(
        w.session, w.ops, w.member),
    _D + "staff_dialogs.ChangeRoleDialog": lambda w: staff_dialogs.ChangeRoleDialog(w.session, w.ops, w.member),
    _D + "verify_dialog.VerifyDialog": lambda w: verify_dialog.VerifyDialog(w.data_dir, "manager", None, w.ops),
    _D + "wording_dialog.WordingDialog": lambda w: wording_dialog.WordingDialog(w.session, w.ops),
    "ui.menus.help_window.HelpWindow": lambda w: help_window.HelpWindow(["Home", "Enquiries", "Cases"]),
    "ui.widgets.message_bar.MessageHistory": lambda w: message_bar.MessageHistory(message_bar.MessageBar()),
    "ui.main_window.MainWindow": lambda w: main_window.MainWindow(w.data_dir, None, w.ops),
    "ui.team.join_dialog.JoinDialog": lambda w: join_dialog.JoinDialog(w.tmp / "new-vault", None, w.ops),
    "ui.team.team_view.InviteDialog": lambda w: team_view.InviteDialog(w.session, w.ops),
    "ui.team.hub_care_dialog.HubCareDialog": lambda w: hub_care_dialog.HubCareDialog(w.session, w.ops),
    "ui.team.start_team.StartTeamDialog": lambda w: start_team.StartTeamDialog(w.session, w.ops),
    "ui.team.checkout_dialog.CheckoutDialog": lambda w: checkout_dialog.CheckoutDialog(w.session, w.ops, 14),
    "ui.dialogs.professional_dialog.AddProfessionalDialog":
        lambda w: professional_dialog.AddProfessionalDialog(w.session, w.ops),
    "ui.team.hub_location_dialog.HubLocationDialog": lambda w: hub_location_dialog.HubLocationDialog(
        w.session, w.ops),
    "ui.widgets.secret_panel.PasswordDialog": lambda w: secret_panel.PasswordDialog(
        w.clipboard, "Consent record saved", "Keep this password.", "abcd-efgh-ijkl"),
    "ui.wizard.setup_wizard.SetupWizard": lambda w: setup_wizard.SetupWizard(w.tmp / "new-vault", None, w.ops),
}


def _add_document(w: World):
    from ui.dialogs import document_dialogs

    path = w.tmp / "EP-report.pdf"
    path.write_bytes(b"%PDF-1.4 a report")
    dialog = document_dialogs.AddDocumentDialog(w.session, w.ops, path, case_id=w.case.id,
                                                case_reference=w.case.reference)
    dialog.professional.setChecked(True)     # its tallest state
    return dialog


def _viewer(w: World):
    from app.services.documents import documents
    from ui.dialogs import document_viewer

    document_id = w.session.conn.execute("SELECT id FROM document WHERE media_type = 'application/pdf' "
                                         "LIMIT 1").fetchone()[0]
    return document_viewer.DocumentViewer(*documents.read_for_viewing(w.session, document_id))


def _letter(w: World):
    from ui.dialogs import letter_dialog

    dialog = letter_dialog.LetterDialog(w.session, w.ops, w.case)
    dialog.template.setCurrentIndex(dialog.template.findData("letter_to_professional"))
    dialog._show_override(True, "No live consent covers this.")     # its tallest state
    return dialog


RECIPES.update({
    _D + "document_dialogs.AddDocumentDialog": _add_document,
    _D + "document_viewer.DocumentViewer": _viewer,
    _D + "letter_dialog.LetterDialog": _letter,
})
