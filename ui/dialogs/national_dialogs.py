"""The dialogs of the national picture (docs/national.md): a case's level and state, the service
user's evaluation at closure, and the manager's mapping of old levels, inactivity period and
Minimum Standards register."""

from datetime import date, timedelta

from PySide6.QtCore import QDate, QSize, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.domain.choices import StandardRating, SupportLevel
from app.domain.counting import plural
from app.domain.intervention import INACTIVE_DAYS_RANGE, level_label
from app.domain.records import Case
from app.errors import ValidationError
from app.resources import national
from app.security.session import Session
from app.services.national import evaluation, levels, standards, states
from app.services.national.standards import Standard, StandardInput
from ui.dialogs import messages
from ui.dialogs.form_dialog import FormDialog
from ui.dialogs.opening import open_dialog
from ui.operations import Operations
from ui.widgets.choices import choice_combo, date_edit, date_of, set_combo_value
from ui.widgets.forms import line_edit, text_box, text_label
from ui.widgets.level_choice import LevelChoice
from ui.widgets.screen_fit import available_area, fit_window, room

NO_ANSWER = "No answer"


class ChangeLevelDialog(FormDialog):
    """Move a case to another intervention level; the earlier one stays in its history."""

    def __init__(self, session: Session, ops: Operations, case: Case, parent: QWidget | None = None):
        super().__init__(ops, "Change level", f"Now: {level_label(case.level)}. The earlier level stays in the "
                         "case's history.", ok_text="Change level", heading=f"Level of case {case.reference}",
                         parent=parent)
        self.session, self.case = session, case
        self.level = LevelChoice(case.level)
        self.on = date_edit("From")
        self.reason = line_edit("Why the level changed", placeholder="for example: mediation booked")
        self.errors.row(self.form, "&Level", "level", self.level)
        self.errors.row(self.form, "&From", "on", self.on)
        self.errors.row(self.form, "&Why", "reason", self.reason)
        self.initial_focus = self.level.combo

    def submit(self) -> None:
        session, case_id, version = self.session, self.case.id, self.case.version
        level, day, reason = self.level.value(), date_of(self.on), self.reason.text()
        self.run(lambda _p: levels.change_level(session, case_id, level, reason, day, version),
                 lambda _r: self.finish(), changes={"cases"})


class InactiveDialog(FormDialog):
    """No further work is planned for now: the case stays in the figures as inactive."""

    def __init__(self, session: Session, ops: Operations, case: Case, parent: QWidget | None = None):
        super().__init__(ops, "Make inactive", "An inactive case has no further work planned for now. It still "
                         "counts in the service's figures. A note dated after this day opens it again by "
                         "itself, and Reopen case… opens it at any time.",
                         ok_text="Make inactive", heading=f"Make case {case.reference} inactive", parent=parent)
        self.session, self.case = session, case
        self.on = date_edit("Inactive from")
        self.errors.row(self.form, "Inactive &from", "on", self.on)

    def submit(self) -> None:
        session, case_id, day = self.session, self.case.id, date_of(self.on)
        self.run(lambda _p: states.make_inactive(session, case_id, day), lambda _r: self.finish(),
                 changes={"cases"})


class EvaluationDialog(FormDialog):
    """The network's questions on screen, for the parent or young person to answer at the closing
    meeting. Their answers are kept with nothing that names them."""

    enter_saves = False
    covers_the_screen = True    # handed to the parent: the case's records must not show around it

    def __init__(self, session: Session, ops: Operations, case: Case, parent: QWidget | None = None):
        super().__init__(ops, "Your views on our support",
                         "Please answer as many as you like; leave any you would rather not. Your answers are "
                         "counted with everyone else's and are never linked to you or your child.",
                         ok_text="Save my answers", heading="How did we do?", discard_what="the answers",
                         parent=parent)
        self.session, self.case = session, case
        form = national.questionnaire()
        self.answers: dict[str, QComboBox] = {}
        for number, question in enumerate(form.for_level(case.level), start=1):
            combo = QComboBox()
            combo.setAccessibleName(question.text)
            combo.addItem(NO_ANSWER, "")
            for answer in form.scale:
                combo.addItem(answer.label, answer.key)
            self.answers[question.key] = combo
            label = text_label(f"&{number}. {question.text}", "")
            label.setWordWrap(True)
            label.setBuddy(combo)
            self.form.addRow(label, self.errors.block(question.key, combo))

    def fit_to_screen(self, grow_only: bool = False) -> None:
        if not self.covers_the_screen:
            super().fit_to_screen(grow_only)
            return
        fit_window(self, room(self))
        self.move(available_area(self).topLeft())

    def submit(self) -> None:
        chosen = {key: combo.currentData() for key, combo in self.answers.items()}
        session, case_id = self.session, self.case.id
        self.run(lambda _p: evaluation.record_evaluation(session, case_id, chosen, "on_screen"),
                 lambda _r: self.finish(), changes={"evaluations"})


class PaperEvaluationDialog(EvaluationDialog):
    """The answers from a printed form that came back, typed in by staff."""

    covers_the_screen = False

    def __init__(self, session: Session, ops: Operations, case: Case, parent: QWidget | None = None):
        super().__init__(session, ops, case, parent)
        self.setWindowTitle("Answers from a printed form")
        self.heading.setText(f"Printed evaluation form back for case {case.reference}")
        self.received = date_edit("Form received on")
        self.errors.row(self.form, "Received &on", "received_on", self.received)
        self.ok_button.setText("Save answers")
        self.ok_text = "Save answers"

    def submit(self) -> None:
        chosen = {key: combo.currentData() for key, combo in self.answers.items()}
        session, case_id, day = self.session, self.case.id, date_of(self.received)
        self.run(lambda _p: evaluation.record_evaluation(session, case_id, chosen, "paper", day),
                 lambda _r: self.finish(), changes={"evaluations"})


class LevelMappingDialog(FormDialog):
    """The manager's mapping of Confide's old levels of support onto the network's: a dry run
    shows how many cases each would move, then the mapping is applied once confirmed."""

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(ops, "Map old levels", "Choose the network's level for each of Confide's old levels of "
                         "support. Press Dry run to see what would change; nothing changes until you apply it.",
                         ok_text="Apply mapping", heading="Map the old levels of support", parent=parent)
        self.session = session
        self.tried: dict | None = None
        self.tried_cases = 0
        self.plan_text = text_label("", "hint")
        self.plan_text.setAccessibleName("Dry run result")
        self.targets: dict[str, QComboBox] = {}
        for old in SupportLevel:
            combo = QComboBox()
            combo.setAccessibleName(f"Network level for {old.label}")
            combo.addItem("Leave as it is", None)
            for n in range(1, 5):
                combo.addItem(level_label(f"level_{n}"), f"level_{n}")
            self.targets[old.value] = combo
            self.errors.row(self.form, old.label, f"mapping_{old.value}", combo)
            combo.currentIndexChanged.connect(self._changed)
        # No suggestion: an old level (meeting support) can fall either side of a network level
        # (mediation at 3, tribunal at 4), and the manager's reading of their own records decides.
        self.dry_run_button = QPushButton("&Dry run")
        row = QHBoxLayout()
        row.addWidget(self.dry_run_button)
        row.addStretch(1)
        self.form.addRow(row)
        self.form.addRow(self.plan_text)
        self.dry_run_button.clicked.connect(self.dry_run)
        self.ok_button.setEnabled(False)

    def mapping(self) -> dict[str, str]:
        return {old: combo.currentData() for old, combo in self.targets.items() if combo.currentData()}

    def _changed(self) -> None:
        self.tried = None
        self.ok_button.setEnabled(False)
        self.plan_text.setText("")

    def dry_run(self) -> None:
        session, mapping = self.session, self.mapping()

        def shown(plan) -> None:
            lines = [f"{SupportLevel(old).label}: {n} case{'s' if n != 1 else ''} → "
                     + (level_label(new) if new else "left as it is") for old, n, new in plan.rows]
            self.plan_text.setText("Dry run, nothing changed:\n" + "\n".join(lines)
                                + f"\n\n{plan.cases} case{'s' if plan.cases != 1 else ''} would change.")
            self.tried = mapping
            self.tried_cases = plan.cases
            self.ok_button.setEnabled(True)
            QTimer.singleShot(0, self, lambda: self.fit_to_screen(grow_only=True))

        self.ops.run(lambda _p: levels.plan_level_mapping(session, mapping), on_done=shown,
                     on_error=self.failed)

    def submit(self) -> None:
        mapping = self.mapping()
        if self.tried != mapping:
            raise ValidationError("Press Dry run first to see what the mapping would change.", field="mapping")
        n = self.tried_cases
        if not messages.ask(self, "Apply the mapping?", f"{plural(n, 'case')} at a mapped old level "
                            f"{'gets its' if n == 1 else 'get their'} network level, in the case history too, as "
                            "the dry run showed. This cannot be undone from here.", confirm="Apply mapping"):
            return
        session = self.session
        self.run(lambda _p: levels.apply_level_mapping(session, mapping, confirmed=True),
                 lambda _r: self.finish(), changes={"cases"})


class InactivePeriodDialog(FormDialog):
    """How long an open case may go with no contact before it falls inactive; saving also makes
    inactive every case already past it."""

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(ops, "Inactive after", "An open case with no contact (a note, its opening or reopening) "
                         "for this many days becomes inactive. Its worker can reopen it.", ok_text="Save",
                         heading="When a case becomes inactive", parent=parent)
        self.session = session
        self.days = QSpinBox()
        self.days.setAccessibleName("Days with no contact")
        self.days.setRange(*INACTIVE_DAYS_RANGE)
        self.days.setSuffix(" days")
        self.days.setValue(states.inactive_after_days(session))
        self.errors.row(self.form, "&No contact for", "inactive_after_days", self.days)
        self.changed: list[str] = []

    def submit(self) -> None:
        session, days = self.session, self.days.value()

        def work(_p):
            states.set_inactive_after_days(session, days)
            return states.sweep_inactive(session)

        def done(changed: list[str]) -> None:
            self.changed = changed
            self.finish()

        self.run(work, done, changes={"cases"})


class StandardDialog(FormDialog):
    """One standard of the register: its number and words, the evidence, a rating, an owner and
    when it is next reviewed."""

    enter_saves = False

    def __init__(self, session: Session, ops: Operations, standard: Standard | None = None,
                 parent: QWidget | None = None):
        super().__init__(ops, "Minimum Standard", "As numbered and worded in your copy of the Minimum Standards.",
                         ok_text="Save", heading="Edit the standard" if standard else "Add a standard",
                         parent=parent)
        self.session, self.standard = session, standard
        self.reference = line_edit("Standard number", placeholder="for example 3.5")
        self.title_edit = line_edit("Standard")
        self.evidence = text_box("Evidence", 110)
        self.rating = choice_combo(StandardRating, "Rating", current=StandardRating.NOT_ASSESSED.value)
        self.owner = line_edit("Owner", placeholder="for example: service manager")
        self.review = date_edit("Review by", date.today().replace(day=1) + timedelta(days=365),
                                not_after_today=False)
        for label, field, widget in (("&Number", "reference", self.reference), ("&Standard", "title", self.title_edit),
                                     ("&Evidence", "evidence", self.evidence), ("&Rating", "rating", self.rating),
                                     ("&Owner", "owner", self.owner), ("Re&view by", "review_on", self.review)):
            self.errors.row(self.form, label, field, widget)
        if standard:
            self.reference.setText(standard.reference)
            self.title_edit.setText(standard.title)
            self.evidence.setPlainText(standard.evidence)
            set_combo_value(self.rating, standard.rating)
            self.owner.setText(standard.owner)
            if standard.review_on:
                day = date.fromisoformat(standard.review_on)
                self.review.setDate(QDate(day.year, day.month, day.day))

    def submit(self) -> None:
        data = StandardInput(self.reference.text(), self.title_edit.text(), self.evidence.toPlainText(),
                             self.rating.currentData(), self.owner.text(), date_of(self.review))
        session, standard = self.session, self.standard
        if standard is None:
            work = lambda _p: standards.add_standard(session, data)  # noqa: E731
        else:
            work = lambda _p: standards.update_standard(session, standard.id, data, standard.version)  # noqa: E731
        self.run(work, lambda _r: self.finish(), changes={"standards"})


class StandardsRegisterDialog(FormDialog):
    """The register as a table; Add and Edit open a standard."""

    COLUMNS = ("Standard", "Rating", "Owner", "Review by")

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(ops, "Minimum Standards", "The service's self-assessment against the National Minimum "
                         "Standards. It is printed in the annual report (a financial or academic year).",
                         ok_text="Done", cancel_text="Close", heading="Minimum Standards self-assessment",
                         parent=parent)
        self.session = session
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setAccessibleName("Standards")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((380, 110, 170)):
            self.table.setColumnWidth(column, width)
        self.preferred_size = QSize(860, 520)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(260)
        self.add_button = QPushButton("&Add a standard…")
        self.edit_button = QPushButton("&Edit…")
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.edit_button)
        row.addStretch(1)
        self.body_column.addWidget(self.table)
        self.body_column.addLayout(row)
        self.add_button.clicked.connect(lambda: self.open_standard(None))
        self.edit_button.clicked.connect(self._edit_selected)
        self.table.doubleClicked.connect(self._edit_selected)
        self.standards: list[Standard] = []
        self.child: StandardDialog | None = None
        self.reload()

    def reload(self) -> None:
        self.standards = standards.list_standards(self.session)
        self.table.setRowCount(len(self.standards))
        for i, s in enumerate(self.standards):
            cells = (f"{s.reference} {s.title}", StandardRating(s.rating).label, s.owner,
                     date.fromisoformat(s.review_on).strftime("%d/%m/%Y") if s.review_on else "")
            for c, value in enumerate(cells):
                self.table.setItem(i, c, QTableWidgetItem(value))

    def _edit_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.standards):
            self.open_standard(self.standards[row])

    def open_standard(self, standard: Standard | None) -> StandardDialog:
        self.child = open_dialog(StandardDialog(self.session, self.ops, standard, self), delete_when_closed=True)
        self.child.accepted.connect(self.reload)
        return self.child

    def submit(self) -> None:
        self.finish()

