"""Writing a letter in the window: the template filled from the case, the caseworker's words,
the consent check for a letter to a professional (refusal, then an override), and the letter
kept on the case's Documents tab."""

from app.services.consent import disclosures
from tests.ui.casework_support import make_workspace, wait_idle
from tests.unit.consent_helpers import family_case


def _tab(qtbot, session, ops, data_dir):
    fam = family_case(session)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.open_record("case", fam.case.id)
    wait_idle(qtbot, ops)   # the case's tabs are read on the worker
    return fam, view.show_tab("documents")


def test_a_family_letter_is_written_and_listed(qtbot, session, ops, data_dir):
    fam, tab = _tab(qtbot, session, ops, data_dir)
    dialog = tab.write_letter()
    qtbot.waitExposed(dialog)
    dialog.template.setCurrentIndex(dialog.template.findData("case_closure"))
    assert fam.case.reference in dialog.text.toPlainText() and not dialog.party.isVisible()
    dialog.ok_button.click()          # the [reason] is still there: refused in plain words
    wait_idle(qtbot, ops)
    assert "bracketed" in dialog.errors._fields["text"][1].text()
    dialog.text.setPlainText(dialog.text.toPlainText().replace("[the reason]", "your question was answered"))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    wait_idle(qtbot, ops)
    assert tab.tree.topLevelItemCount() == 1 and tab.tree.topLevelItem(0).text(2) == "Letter sent"


def test_a_letter_to_a_professional_without_consent_asks_for_an_override(qtbot, session, ops, data_dir):
    fam, tab = _tab(qtbot, session, ops, data_dir)
    dialog = tab.write_letter()
    qtbot.waitExposed(dialog)
    dialog.template.setCurrentIndex(dialog.template.findData("letter_to_professional"))
    assert dialog.party.isVisible()
    dialog.party.setCurrentIndex(next(i for i in range(dialog.party.count())
                                      if getattr(dialog.party.itemData(i), "person_id", None) == fam.senco.id))
    assert "Dear Priya Okafor" in dialog.text.toPlainText()
    dialog.text.setPlainText(dialog.text.toPlainText().replace(
        "[what the family has asked us to share or to ask]", "Please send the provision map."))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.refusal.isVisible(), timeout=5000)
    assert "No live consent covers sharing information with Priya Okafor" in dialog.refusal.text()
    assert "Please send the provision map." in dialog.text.toPlainText()      # nothing typed is lost
    dialog.reason.setCurrentIndex(dialog.reason.findData("statutory_duty"))
    dialog.justification.setPlainText("The local authority's statutory assessment needs it this week.")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    wait_idle(qtbot, ops)
    [logged] = disclosures.disclosures_for_case(session, fam.case.id)
    assert logged.basis == "override" and logged.channel == "letter"
    assert tab.tree.topLevelItemCount() == 1
