"""As a new user would (docs/national.md): a caseworker moves a case to inactive and back from
the case screen, changes its level seeing what the level means, and closes it with the parent
answering the evaluation on screen; the answers are stored with nothing that names the family.
The manager maps the old levels only after a dry run."""

import json
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QLabel

from app.services.casework import cases, notes
from tests.unit.consent_helpers import family_case
from ui.clipboard import SecretClipboard
from ui.dialogs import messages
from ui.dialogs.national_dialogs import LevelMappingDialog
from ui.views.case_summary_tab import CaseSummaryTab
from ui.widgets.choices import set_combo_value
from ui.widgets.screen_fit import available_area


def _tab(qtbot, session, ops, clipboard, case_id):
    tab = CaseSummaryTab(session, ops, clipboard)
    qtbot.addWidget(tab)
    tab.show_case(cases.load_case(session, case_id))
    tab.show()
    return tab


def _submit(qtbot, dialog):
    qtbot.addWidget(dialog, before_close_func=lambda d: d.guard.mark_clean())
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.ok_button.click()


def test_inactive_and_back_a_new_level_and_the_evaluation_at_closure(qtbot, session, ops):
    clipboard = SecretClipboard()
    fam = family_case(session)
    notes.add_note(session, fam.case.id, "phone_call", date(2026, 1, 6), 10, "Spoke about the plan.")
    tab = _tab(qtbot, session, ops, clipboard, fam.case.id)
    assert tab.inactive_button.isVisibleTo(tab) and not tab.reopen_button.isVisibleTo(tab)

    _submit(qtbot, tab.make_inactive())
    tab.show_case(cases.load_case(session, fam.case.id))
    assert cases.load_case(session, fam.case.id).status == "inactive"
    assert tab.reopen_button.isVisibleTo(tab) and not tab.inactive_button.isVisibleTo(tab)
    messages.set_next_answer(True)
    tab.reopen()
    qtbot.waitUntil(lambda: cases.load_case(session, fam.case.id).status == "open", timeout=5000)
    tab.show_case(cases.load_case(session, fam.case.id))   # what the case view does on the "cases" change

    level = tab.change_level()
    set_combo_value(level.level.combo, "level_4")
    assert "Tribunal" in level.level.definition.text() and level.level.time.text().startswith("Typical time:")
    _submit(qtbot, level)
    assert cases.load_case(session, fam.case.id).level == "level_4"

    tab.show_case(cases.load_case(session, fam.case.id))
    close = tab.close_case()
    close.reason.setCurrentIndex(1)
    close.outcomes.item(0).setCheckState(close.outcomes.item(0).checkState().Checked)
    assert close.answer_on_screen          # offered by default: the parent is in the room
    _submit(qtbot, close)
    qtbot.waitUntil(lambda: tab.evaluation_dialog is not None, timeout=5000)
    asked = tab.evaluation_dialog
    assert len(asked.answers) == 5         # work above level 1: all five questions
    # Handed to the parent at the meeting: it covers the screen, so none of the case's
    # records (notes, safeguarding) show around it.
    qtbot.waitExposed(asked)
    area = available_area(asked)
    assert asked.frameGeometry().contains(tab.mapToGlobal(tab.rect().center()))
    assert asked.width() >= area.width() - 20 and asked.height() >= area.height() - 60
    set_combo_value(asked.answers["q1"], "strongly_agree")
    set_combo_value(asked.answers["q3"], "agree")
    _submit(qtbot, asked)
    row = session.conn.execute("SELECT * FROM service_evaluation").fetchone()
    assert json.loads(row["answers"]) == {"q1": "strongly_agree", "q3": "agree"} and row["level"] == "level_4"
    assert fam.case.id not in [str(v) for v in dict(row).values()]
    # Answered on screen: the printed form's answers are no longer offered, so they cannot be
    # counted a second time.
    answered = cases.load_case(session, fam.case.id)
    assert answered.evaluation == cases.EVALUATION_ANSWERED
    tab.show_case(answered)
    assert not tab.paper_button.isVisibleTo(tab)


def test_the_mapping_applies_only_after_a_dry_run(qtbot, session, ops):
    fam = family_case(session)
    session.conn.execute("UPDATE casefile SET level = 'advice' WHERE id = ?", (fam.case.id,))
    dialog = LevelMappingDialog(session, ops)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.guard.mark_clean())
    dialog.show()
    set_combo_value(dialog.targets["advice"], "level_2")
    assert not dialog.ok_button.isEnabled()
    dialog.dry_run()
    qtbot.waitUntil(dialog.ok_button.isEnabled, timeout=5000)
    assert "Advice: 1 case → Level 2: advice and support" in dialog.plan_text.text()
    assert cases.load_case(session, fam.case.id).level == "advice"      # a dry run changes nothing
    set_combo_value(dialog.targets["casework"], "level_3")               # changed after the dry run
    assert not dialog.ok_button.isEnabled()
    dialog.dry_run()
    qtbot.waitUntil(dialog.ok_button.isEnabled, timeout=5000)
    messages.set_next_answer(True)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.ok_button.click()
    # The confirmation says how many cases, as the dry run counted them.
    assert messages.last_shown[1].startswith("1 case at a mapped old level gets its network level")
    assert cases.load_case(session, fam.case.id).level == "level_2"


def test_a_note_after_the_case_went_inactive_reopens_it_and_the_summary_says_why(qtbot, session, ops):
    fam = family_case(session)
    tab = _tab(qtbot, session, ops, SecretClipboard(), fam.case.id)
    dialog = tab.make_inactive()
    assert "A note dated after this day opens it again by itself" in dialog.intro.text()
    dialog.on.setDate(QDate(2026, 1, 10))
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.ok_button.click()
    notes.add_note(session, fam.case.id, "phone_call", date(2026, 1, 20), 10, "The parent rang back.",
                   today=date(2026, 2, 1))
    tab.show_case(cases.load_case(session, fam.case.id))
    assert tab.reopen_button.isHidden() and not tab.inactive_button.isHidden()
    assert any("20/01/2026: open (reopened by a note of that day)" in label.text()
               for label in tab.findChildren(QLabel))
