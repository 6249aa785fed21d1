"""Nothing typed is lost to the auto-lock: just before the session locks, every open form
that keeps drafts (`FormDialog.draft_kind`) and has changes is kept, with the records open
in tabs, through app/services/casework/drafts.py (inside the encrypted database, for its author only,
never replicated). After the same person unlocks, the tabs open again and each form opens
again, one after another, filled in as it was, with a line saying so.

A consent form comes back without its signature: a signature kept apart from the moment it
was drawn could end up under words the person never saw, so they sign again.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from app.errors import ConfideError
from app.security.session import Session
from app.services.casework import drafts
from ui.dialogs.form_dialog import FormDialog
from ui.dialogs.unsaved import apply_values, form_values

if TYPE_CHECKING:    # the workspace is imported when a session opens (launch)
    from ui.workspace import Workspace

RESTORED = "Kept from before Confide locked. Check it, then save."
CASE_FORMS = ("note", "action", "consent", "letter")   # forms opened on a case's tab
CONSENT_RESTORED = RESTORED + " The signature was not kept: ask them to sign again."


Work = list[tuple[str, dict, dict]]   # (kind, context, fields) of each draft to keep


def open_work(host: QWidget, workspace: "Workspace | None") -> Work:
    """What the open forms hold and which records are open, read from the screen on the
    window's thread; `keep` writes it (the lock does on the worker: a write and a sync of the
    disk, which on a busy disk held the window still)."""
    work: Work = []
    for dialog in host.findChildren(FormDialog):
        if not (dialog.isVisible() and dialog.draft_kind and dialog.guard.changed):
            continue
        try:
            work.append((dialog.draft_kind, dialog.draft_context(), form_values(dialog)))
        except (TypeError, ValueError):
            continue  # a form that cannot be kept: lock regardless
    if workspace is not None:
        opened = [{"kind": view.kind, "id": view.record_id} for view in workspace.casework.records.views()]
        if opened:
            work.append(("records", {"open": opened}, {}))
    return work


def keep(session: Session, work: Work) -> int:
    """Keep `work` (any thread, while the connection is open); returns how many forms were
    kept. Never raises: the lock must happen whatever goes wrong here."""
    kept = 0
    for kind, context, fields in work:
        try:
            drafts.keep_draft(session, kind, context, fields)
        except (ConfideError, TypeError, ValueError):
            continue  # a form too large to keep, or a closed connection: lock regardless
        kept += kind != "records"
    return kept


def keep_open_work(session: Session, host: QWidget, workspace: "Workspace | None") -> int:
    """Keep the open forms' typing and the open records; returns how many forms were kept."""
    return keep(session, open_work(host, workspace))


class DraftRestorer:
    """Offers the kept work back after unlock: tabs at once, forms one at a time."""

    def __init__(self, session: Session, workspace: "Workspace"):
        self.session, self.workspace = session, workspace
        self.queue: list[drafts.Draft] = []
        self.current: FormDialog | None = None

    def restore(self) -> None:
        try:
            taken = drafts.take_drafts(self.session)
        except ConfideError:
            return
        for draft in taken:
            if draft.kind == "records":
                self._reopen_records(draft.context.get("open", []))
            else:
                self.queue.append(draft)
        ops = self.workspace.casework.ops
        if self.queue and ops.busy:
            # Unlocking is still finishing (or sync started): forms open once the worker is idle.
            ops.busyChanged.connect(self._when_idle)
        else:
            self._next()

    def keep_pending(self) -> None:
        """Locked again before every form came back: keep the ones still waiting."""
        pending, self.queue = self.queue, []
        for draft in pending:
            try:
                drafts.keep_draft(self.session, draft.kind, draft.context, draft.fields)
            except ConfideError:
                continue

    def _when_idle(self, busy: bool) -> None:
        if busy:
            return
        self.workspace.casework.ops.busyChanged.disconnect(self._when_idle)
        if not self.session.locked:
            self._next()

    def _reopen_records(self, opened: list[dict]) -> None:
        records = self.workspace.casework.records
        for item in opened:
            try:
                if item.get("kind") == "case":
                    records.open_case(item["id"])
                elif item.get("kind") == "person":
                    records.open_person(item["id"])
            except (ConfideError, KeyError):
                continue  # since deleted, or no longer theirs to see
        if records.views():
            self.workspace.show_page("Records")

    def _next(self) -> None:
        self.current = None
        ops = self.workspace.casework.ops
        while self.queue:
            if ops.busy or self._case_being_read(self.queue[0]):
                # The worker has the connection (a save, or the case's tabs being read): the
                # form opens once it is free, onto its case's notes.
                ops.busyChanged.connect(self._when_idle)
                return
            draft = self.queue.pop(0)
            opener = self._openers().get(draft.kind)
            try:
                dialog = opener(draft.context) if opener else None
            except ConfideError:
                dialog = None
            if dialog is None:
                continue
            dialog.guard.ensure_marked()  # the empty form is "clean": the restored text is a change
            apply_values(dialog, draft.fields)
            dialog.show_notice(CONSENT_RESTORED if draft.kind == "consent" else RESTORED)
            dialog.finished.connect(lambda _r: self._next())
            self.current = dialog
            return

    def _case_being_read(self, draft: drafts.Draft) -> bool:
        """Opens the draft's case (if it has one); whether its tabs are still being read."""
        case_id = draft.context.get("case_id") if draft.kind in CASE_FORMS else None
        if not case_id:
            return False
        try:
            view = self.workspace.casework.records.open_case(case_id)
        except ConfideError:
            return False    # the opener meets the same refusal and skips the form, as before
        return view.loading

    def _openers(self) -> dict[str, Callable[[dict], FormDialog | None]]:
        return {"note": self._note, "action": lambda c: self._case_tab(c, "actions").add(),
                "consent": lambda c: self._case_tab(c, "consent").record_consent(),
                "letter": lambda c: self._case_tab(c, "documents").write_letter(),
                "enquiry": lambda _c: self.workspace.casework.new_enquiry()}

    def _case_tab(self, context: dict, name: str):
        view = self.workspace.casework.records.open_case(context["case_id"])
        self.workspace.show_page("Records")
        return view.show_tab(name)

    def _note(self, context: dict) -> FormDialog | None:
        tab = self._case_tab(context, "notes")
        if not context.get("note_id"):
            return tab.add()
        tab.select(context["note_id"])
        return tab.edit()
