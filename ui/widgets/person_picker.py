"""Pick a person during a call: type part of a name and choose from what matches, or add
someone new in a few fields without leaving the form.

The matches come from people.find_people (by kind, a name's start) and are narrowed here
to those whose name holds every word typed. Picking from a list is not a view of the
person's record, so it is not audited; opening the record is.
"""

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.choices import PersonKind
from app.domain.records import Person
from app.domain.text import uk_date
from app.errors import ConfideError, ValidationError
from app.security.session import Session
from app.services.casework import people
from app.services.casework.people import PersonInput
from ui.operations import Operations
from ui.widgets.forms import FieldErrors, line_edit, text_label

PersonRole = Qt.ItemDataRole.UserRole + 1
NameRole = Qt.ItemDataRole.UserRole + 2
NewRole = Qt.ItemDataRole.UserRole + 3  # the "add someone new" line
MAX_MATCHES = 12

# The few fields that matter while someone is on the phone; the rest can wait.
NEW_FIELDS = {
    PersonKind.CHILD.value: [("first_name", "First name"), ("last_name", "Last name"),
                             ("date_of_birth", "Date of birth")],
    PersonKind.PROFESSIONAL.value: [("first_name", "First name"), ("last_name", "Last name"),
                                    ("job_title", "Role or job title"), ("organisation_name", "Organisation")],
}
DEFAULT_FIELDS = [("first_name", "First name"), ("last_name", "Last name"), ("phone_mobile", "Mobile"),
                  ("area", "Area")]
PLACEHOLDERS = {"date_of_birth": "dd/mm/yyyy", "organisation_name": "school or service",
                "area": "if they say"}


def describe(person: Person) -> str:
    """One line that tells two people of the same name apart."""
    parts = [PersonKind(person.kind).label]
    if person.date_of_birth:
        parts.append(f"born {uk_date(person.date_of_birth)}")
    if person.job_title:
        parts.append(person.job_title)
    if person.area or person.postcode:
        parts.append(person.area or person.postcode)
    return f"{person.full_name} — {', '.join(parts)}"


class PersonPicker(QWidget):
    changed = Signal()

    def __init__(self, session: Session, ops: Operations, kind: str, name: str, label: str,
                 errors: FieldErrors, parent: QWidget | None = None, allow_new: bool = True):
        super().__init__(parent)
        self.session, self.ops, self.kind, self.field_name, self.label = session, ops, kind, name, label
        self.errors = errors
        self.allow_new = allow_new  # False: only someone already on record (a SAR's subject)
        self._person: Person | None = None

        self.search_edit = line_edit(f"{label}: find by name", placeholder="Type a name to find them")
        self.new_button = QPushButton("New person")
        self.new_button.setCheckable(True)
        self.new_button.setAutoDefault(False)  # Enter saves the form, never toggles this
        self.new_button.setAccessibleName(f"{label}: add someone new")
        self.new_button.setVisible(allow_new)
        row_widget = QWidget()
        row = QHBoxLayout(row_widget)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.search_edit, 1)
        row.addWidget(self.new_button)
        self.chosen = text_label("", "hint")
        self.safety = text_label("", "alert")
        self.safety.hide()

        self.new_box = QWidget()
        self.new_grid = QGridLayout(self.new_box)
        self.new_grid.setContentsMargins(0, 0, 0, 0)
        self.new_grid.setHorizontalSpacing(10)
        self.new_grid.setVerticalSpacing(4)
        self.new_grid.setColumnStretch(0, 1)
        self.new_grid.setColumnStretch(1, 1)
        self.new_edits: dict[str, QLineEdit] = {}

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(errors.block(name, row_widget))
        column.addWidget(self.chosen)
        column.addWidget(self.safety)
        column.addWidget(self.new_box)

        self.model = QStandardItemModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCompletionRole(NameRole)
        self.completer.setMaxVisibleItems(MAX_MATCHES)
        # Attached with setWidget (not setCompleter) so the typed text stays as typed
        # until a person is picked.
        self.completer.setWidget(self.search_edit)
        self.completer.activated[QModelIndex].connect(self._picked_index)
        self.search_edit.textEdited.connect(self._typed)
        self.new_button.toggled.connect(self._new_toggled)
        self._build_new_fields()
        self._new_toggled(False)

    # --- state -----------------------------------------------------------------------------
    @property
    def person(self) -> Person | None:
        return None if self.is_new else self._person

    @property
    def is_new(self) -> bool:
        return self.new_button.isChecked()

    @property
    def is_empty(self) -> bool:
        return self.person is None and not (self.is_new and any(e.text().strip() for e in self.new_edits.values()))

    def set_kind(self, kind: str) -> None:
        """A different kind of person: what was picked may no longer fit."""
        if kind == self.kind:
            return
        self.kind = kind
        if self._person is not None and self._person.kind != kind:
            self.choose(None)
        typed = {k: e.text() for k, e in self.new_edits.items()}
        self._build_new_fields()
        for key, text in typed.items():
            if key in self.new_edits:
                self.new_edits[key].setText(text)

    def choose(self, person: Person | None) -> None:
        self._person = person
        self.search_edit.setText(person.full_name if person else "")
        self._show_chosen()
        self.changed.emit()

    def clear(self) -> None:
        self.model.clear()
        self.new_button.setChecked(False)
        for edit in self.new_edits.values():
            edit.clear()
        self.choose(None)

    def new_input(self) -> PersonInput | None:
        """The new person typed in, checked; None if nobody new was typed.

        May raise: ValidationError, its field prefixed with this picker's name
        (for example 'child.date_of_birth').
        """
        if not self.is_new or not any(e.text().strip() for e in self.new_edits.values()):
            return None
        typed = {k: e.text() for k, e in self.new_edits.items()}
        # A caller who gives their mobile on the call gives it to be called back on (R9); the
        # rest (voicemail, messages) is still to be asked.
        given = {"ok_mobile": 1} if typed.get("phone_mobile", "").strip() else {}
        data = PersonInput(kind=self.kind, **typed, **given)
        try:
            people.validate_person(data)
        except ValidationError as exc:
            field = f"{self.field_name}.{exc.field}"
            field = field if self.errors.has(field) else self.field_name
            raise ValidationError(exc.message, field=field) from None
        return data

    # --- searching -------------------------------------------------------------------------
    def _typed(self, text: str) -> None:
        if self._person is not None:
            self._person = None
            self._show_chosen()
            self.changed.emit()
        self.search(text)

    def search(self, text: str) -> list[Person]:
        """Fill the pop-up list with the people whose name holds every word of `text`."""
        words = text.casefold().split()
        self.model.clear()
        if not words or len(text.strip()) < 2 or self.ops.busy or self.session.locked:
            self.completer.popup().hide()
            self._say("")
            return []
        try:
            # "Dana Hart": the first word finds Dana; "Hartley Dana" should too. One call, so
            # one audit event per keystroke, not two.
            found = people.find_people(self.session, self.kind, words[0], limit=200,
                                       also=words[-1] if len(words) > 1 else "")
        except ConfideError:
            return []
        seen, matches = set(), []
        for person in found:
            name = person.full_name.casefold()
            if person.id not in seen and all(w in name for w in words):
                seen.add(person.id)
                matches.append(person)
        for person in matches[:MAX_MATCHES]:
            item = QStandardItem(describe(person))
            item.setData(person, PersonRole)
            item.setData(person.full_name, NameRole)
            item.setEditable(False)
            self.model.appendRow(item)
        # Last in the list, so a new caller is two keys away (Down, Enter) from what was typed.
        if self.allow_new:
            add = QStandardItem(f"+ Add “{text.strip()}” as someone new")
            add.setData(True, NewRole)
            add.setData(text.strip(), NameRole)
            add.setEditable(False)
            self.model.appendRow(add)
        if self.model.rowCount():
            self._fit_popup()
            self.completer.complete()
        else:
            self.completer.popup().hide()
        self._say("" if matches else f"Nobody on record matches “{text.strip()}”.")
        return matches[:MAX_MATCHES]

    def _fit_popup(self) -> None:
        """The pop-up is as wide as its longest line (up to the screen): at the search box's
        width "Ellie Hartley — Child or young person, born 02/02/20…" lost the year."""
        popup = self.completer.popup()
        metrics = popup.fontMetrics()
        widest = max(metrics.horizontalAdvance(self.model.item(r).text()) for r in range(self.model.rowCount()))
        chrome = 2 * popup.frameWidth() + popup.verticalScrollBar().sizeHint().width() + 24
        screen = self.screen().availableGeometry().width() if self.screen() else 1366
        popup.setMinimumWidth(min(widest + chrome, screen - 40))

    def _say(self, text: str) -> None:
        self.chosen.setText(text)
        self.chosen.setVisible(bool(text) and not self.is_new)

    def pick_row(self, row: int) -> None:
        self._picked_index(self.model.index(row, 0))

    def _picked_index(self, index: QModelIndex) -> None:
        if index.isValid() and index.data(NewRole):
            self.completer.popup().hide()
            self.new_button.setChecked(True)
            return
        person = index.data(PersonRole) if index.isValid() else None
        if person is not None:
            self.completer.popup().hide()
            self.choose(person)

    def _show_chosen(self) -> None:
        person = self._person
        self._say(describe(person) if person else "")
        marker = bool(person and person.staff_safety_marker)
        self.safety.setVisible(marker)
        if marker:
            self.safety.setText(f"Staff safety: {person.staff_safety_note or 'do not visit alone'}.")

    # --- someone new -----------------------------------------------------------------------
    def _build_new_fields(self) -> None:
        # Two fields to a row: a new person takes half the height while the call goes on.
        while self.new_grid.count():
            item = self.new_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for key in self.new_edits:
            self.errors.forget(f"{self.field_name}.{key}")
        self.new_edits = {}
        for i, (key, text) in enumerate(NEW_FIELDS.get(self.kind, DEFAULT_FIELDS)):
            edit = line_edit(f"{self.label}: {text.lower()}", placeholder=PLACEHOLDERS.get(key, ""))
            self.new_edits[key] = edit
            # The caption above its field: two fields side by side keep their full width.
            cell = QWidget()
            cell_column = QVBoxLayout(cell)
            cell_column.setContentsMargins(0, 0, 0, 0)
            cell_column.setSpacing(1)
            caption = QLabel(text)
            caption.setBuddy(edit)
            cell_column.addWidget(caption)
            cell_column.addWidget(self.errors.block(f"{self.field_name}.{key}", edit))
            row, column = divmod(i, 2)
            self.new_grid.addWidget(cell, row, column)
            edit.textEdited.connect(lambda _t: self.changed.emit())

    def _new_toggled(self, on: bool) -> None:
        self.new_box.setVisible(on)
        self.search_edit.setVisible(not on)
        self.new_button.setText("Find someone on record" if on else "New person")
        if on:
            self.completer.popup().hide()
            typed = self.search_edit.text().split()
            first = self.new_edits.get("first_name")
            last = self.new_edits.get("last_name")
            # Whatever was typed into the search is most likely the new person's name.
            if typed and first is not None and not first.text() and self._person is None:
                first.setText(typed[0])
                if last is not None and len(typed) > 1 and not last.text():
                    last.setText(" ".join(typed[1:]))
            if first is not None:
                first.setFocus()
        self.chosen.setVisible(not on and bool(self.chosen.text()))
        self.safety.setVisible(not on and bool(self._person and self._person.staff_safety_marker))
        self.changed.emit()
