""""Mother" and "Father" suggest parental responsibility (still a choice), and a case opened
from an enquiry shows what the enquiry asked."""

from app.domain.choices import Relationship, usually_has_parental_responsibility
from tests.ui.casework_support import make_workspace
from tests.unit.casework_helpers import family, record


def test_the_rule():
    assert usually_has_parental_responsibility("mother") and usually_has_parental_responsibility("father")
    assert not usually_has_parental_responsibility("grandparent")
    assert not usually_has_parental_responsibility(None)


def test_mother_suggests_parental_responsibility_until_the_person_chooses(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    form = workspace.casework.new_enquiry()
    qtbot.waitExposed(form)
    who = form.who
    pick = who.relationship
    pick.setCurrentIndex(pick.findData(Relationship.MOTHER.value))
    assert who.parental_responsibility.isChecked()
    pick.setCurrentIndex(pick.findData(Relationship.GRANDPARENT.value))
    assert not who.parental_responsibility.isChecked()
    pick.setCurrentIndex(pick.findData(Relationship.FATHER.value))
    assert who.parental_responsibility.isChecked()
    who.parental_responsibility.click()  # the person says no: that stands
    pick.setCurrentIndex(pick.findData(Relationship.MOTHER.value))
    assert not who.parental_responsibility.isChecked()
    form.done(0)


def test_a_new_case_shows_the_enquirys_summary(qtbot, session, ops, data_dir):
    parent, kid = family(session, pr=True)
    result = record(session, caller_id=parent.id, child_id=kid.id, enquiry_type="casework",
                    summary="Asked how to appeal the refusal to assess.")
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.open_record("case", result.case.id)
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)   # the case's tabs are read on the worker
    summary_tab = view.tabs_by_name["summary"]
    shown = {summary_tab.facts.itemAt(r, summary_tab.facts.ItemRole.LabelRole).widget().text():
             summary_tab.facts.itemAt(r, summary_tab.facts.ItemRole.FieldRole).widget().text()
             for r in range(summary_tab.facts.rowCount())}
    assert shown["What the enquiry asked"] == f"{result.enquiry.reference}: Asked how to appeal the refusal to assess."
