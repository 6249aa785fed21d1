"""The manager writes a new version of a consent text, standard or easy read. The text in
force is shown to start from; saving makes the next version, used for consents recorded from
then on. Consents already given keep their words (app/services/consent/wording_edits.py)."""

from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QWidget

from app.security.session import Session
from app.services.consent import wording_edits
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.forms import text_label


class WordingDialog(FormDialog):
    enter_saves = False  # Enter starts a new line in the text

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        placeholders = ", ".join("{" + p + "}" for p in wording_edits.PLACEHOLDERS)
        super().__init__(ops, "Consent wording", "Families agree to these words. Each consent keeps the "
                         "version it was given under; saving here makes a new version for consents from now "
                         f"on. Confide fills in {placeholders}. A blank line starts a new paragraph; in "
                         "easy-read words, give each short sentence its own paragraph.",
                         ok_text="Save as a new version", discard_what="the new wording", parent=parent)
        self.session = session
        self.entries = {w.name: w for w in wording_edits.wordings(session)}
        self.which = QComboBox()
        self.which.setAccessibleName("Which wording")
        for entry in self.entries.values():
            self.which.addItem(entry.label, entry.name)
        self.version = text_label("", "hint")
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Wording")
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(220)
        self.errors.row(self.form, "&Wording of", "name", self.which)
        self.form.addRow("", self.version)
        self.errors.row(self.form, "&Text", "text", self.text)
        self.which.currentIndexChanged.connect(lambda _i: self._show_current())
        self._show_current()
        self.initial_focus = self.which

    def _show_current(self) -> None:
        entry = self.entries[self.which.currentData()]
        self.version.setText(f"In force: {entry.version}" + (", easy read" if entry.easy_read else ""))
        self.text.setPlainText(entry.text)

    def submit(self) -> None:
        session, name, text = self.session, self.which.currentData(), self.text.toPlainText()
        self.run(lambda _p: wording_edits.publish(session, name, text), lambda _v: self.finish(),
                 changes={"settings"})  # set in Settings; says "Settings saved"
