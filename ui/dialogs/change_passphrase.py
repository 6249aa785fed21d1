"""Change my passphrase; forced after a manager set a temporary one (session.must_change_passphrase)."""

from PySide6.QtWidgets import QWidget

from app.errors import WrongCredentials
from app.security.session import Session
from app.services.vault import staff
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.forms import line_edit
from ui.widgets.passphrase_fields import NewPassphrase

FORCED_INTRO = ("A manager gave you a temporary passphrase. Choose your own now; nobody else "
                "will know it. Confide stays locked until you do.")
NORMAL_INTRO = "Your new passphrase works from the next unlock. Nobody else's changes."


class ChangePassphraseDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, *, forced: bool = False,
                 parent: QWidget | None = None, temporary: str = ""):
        super().__init__(ops, "Change my passphrase", FORCED_INTRO if forced else NORMAL_INTRO,
                         ok_text="Change passphrase", cancel_text="Lock" if forced else "Cancel",
                         parent=parent)
        self.session = session
        self.forced = forced
        self.current = line_edit("Current passphrase", secret=True)
        label = "Temporary &passphrase" if forced else "&Current passphrase"
        current_row = self.errors.row(self.form, label, "current", self.current)
        self.new = NewPassphrase(self.form, self.errors, field="new_passphrase",
                                 label="&New passphrase")
        self.errors.route(WrongCredentials, "current")
        if forced and temporary:
            # Typed a moment ago to unlock: asking for it again only confuses.
            self.current.setText(temporary)
            self.form.setRowVisible(current_row, False)

    def submit(self) -> None:
        current = self.current.text()
        new = self.new.check(self.session.user.username)
        session = self.session
        self.run(lambda _p: staff.change_own_passphrase(session, current, new),
                 lambda _r: self.finish())
