"""Add a professional from inside another form (Record consent): name, role, organisation and
how to contact them. The form underneath keeps everything typed and signed; the new
professional is chosen in it when this one saves."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.errors import ValidationError
from app.security.session import Session
from app.services.consent import counterparties
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.forms import line_edit

SERVICE_FIELDS = {"phone_work": "phone", "organisation_name": "organisation"}
FIELDS = (("first_name", "&First name", ""), ("last_name", "&Last name", ""),
          ("job_title", "&Role", "for example SENCo, educational psychologist"),
          ("organisation", "&Organisation", "for example Hillside Primary School"),
          ("phone", "Work &phone", ""), ("email", "&Email", ""))


class AddProfessionalDialog(FormDialog):
    added = Signal(object)    # counterparties.Counterparty

    def __init__(self, session: Session, ops: Operations | None, parent: QWidget | None = None):
        super().__init__(ops, "Add a professional", "Someone the family names who is not yet on record. "
                         "Give their role or organisation, and how to reach them if you know it.",
                         ok_text="Add the professional", discard_what="this professional's details",
                         parent=parent)
        self.session = session
        self.setMinimumWidth(560)
        self.edits = {}
        for key, label, placeholder in FIELDS:
            edit = line_edit(label.replace("&", ""), placeholder=placeholder)
            self.edits[key] = edit
            self.errors.row(self.form, label, key, edit)

    def values(self) -> dict:
        return {key: edit.text() for key, edit in self.edits.items()}

    def submit(self) -> None:
        session, values = self.session, self.values()

        def work(_progress=None):
            return counterparties.add_professional(session, **values)

        if self.ops is None:
            self._added(work())
            return
        self.run(work, self._added, changes={"people"})

    def _added(self, party: counterparties.Counterparty) -> None:
        self.added.emit(party)
        self.finish()

    def failed(self, exc: Exception) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationError) and exc.field in SERVICE_FIELDS:
            # The person service names its own fields; shown beside this form's.
            exc = ValidationError(exc.message, field=SERVICE_FIELDS[exc.field])
        self.errors.show(exc)
