"""What the status bar says: the last backup of this computer, a "saved" message after every
save (every change that Operations broadcasts: notes, actions, consents, …), and locked or
unlocked. The sync item beside it says when the computer last synced.

Saves are heard through Operations.changed, the one broadcast every change goes through, so
a new form needs no code here to be confirmed; only a new topic needs its words below."""

from datetime import datetime

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QStatusBar

from app.domain.counting import plural
from app.errors import ConfideError
from app.security.session import Session
from app.services.vault import backup
from ui.formatting import uk_datetime

MESSAGE_MS = 10_000
# First match wins: an enquiry that opened a case says "Enquiry saved", not "Case saved"; a
# retention decision (which touches cases, enquiries and notes) says what it was.
SAVED = (("retention_schedule", "Retention schedule saved"), ("erasure_requests", "Erasure request register saved"),
         ("retention", "Retention review saved"), ("enquiries", "Enquiry saved"), ("notes", "Note saved"), ("actions", "Action saved"),
         ("documents", "Document saved"),     # before disclosures: a letter logs one too
         ("consent", "Consent saved"), ("disclosures", "Disclosure recorded"),
         ("safeguarding", "Safeguarding concern saved"), ("incidents", "Incident report saved"),
         ("cases", "Case saved"), ("people", "Person saved"), ("paper_files", "Paper file register saved"),
         ("complaints", "Complaint saved"), ("sar_review", "Review saved"), ("sars", "Access request saved"),
         ("staff_register", "Staff register saved"), ("policy_reviews", "Policy review saved"),
         ("staff", "Staff list saved"), ("settings", "Settings saved"), ("team", "Team saved"),
         ("backup", "Backup saved"), ("records", "Conflict resolved"),
         ("checkin", "Cases checked in"), ("checkout", "Laptop check-out saved"),
         ("evaluations", "Evaluation saved, with nothing that names the family"),
         ("standards", "Minimum Standards register saved"))
QUIET = {"sync"}  # the sync item reports each sync itself
LOCK_WORDS = {"idle": "Confide locked itself after {idle} without use.",
              "screen_lock": "Confide locked when the screen locked.", "manual": "Confide is locked."}


def saved_words(topics) -> str | None:
    """What to say after a change to these topics, or None (a sync is reported by its item)."""
    return next((words for topic, words in SAVED if topic in topics), None)


class StatusFeedback(QObject):
    def __init__(self, bar: QStatusBar):
        super().__init__(bar)
        self.bar = bar
        self.session: Session | None = None
        self.backup_label = QLabel()
        self.backup_label.setAccessibleName("Last backup")
        self.backup_label.hide()
        bar.addPermanentWidget(self.backup_label)

    def unlocked(self, session: Session) -> None:
        self.session = session
        self.show_backup()
        self.bar.showMessage("Unlocked.", MESSAGE_MS)

    def locked(self, reason: str, idle_minutes: int) -> None:
        self.session = None
        self.backup_label.hide()
        words = LOCK_WORDS.get(reason)
        if words:
            idle = plural(idle_minutes, "minute") if idle_minutes else "less than a minute"
            self.bar.showMessage(words.format(idle=idle))

    def show_backup(self) -> None:
        try:
            when = backup.last_backup(self.session) if self.session is not None else None
        except ConfideError:
            return
        self.backup_label.setText(f"Last backup: {uk_datetime(when)}" if when else "No backup yet")
        self.backup_label.setProperty("kind", "" if when else "warning")
        self.backup_label.show()

    def changed(self, topics) -> None:
        if self.session is None or self.session.locked:
            return
        if "backup" in topics:
            self.show_backup()
        words = saved_words(topics)
        if words:
            self.bar.showMessage(f"{words} at {datetime.now():%H:%M}.", MESSAGE_MS)
