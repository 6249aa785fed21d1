"""A consent override (R5) is reviewed by a manager other than the one who made it; when no
other manager exists, the maker's own review is allowed and stays on the dashboard as
"self-reviewed"."""

import pytest

from app.errors import ValidationError
from app.services.consent import disclosures
from app.services.reports import dashboard
from tests.unit.casework_helpers import add_worker
from tests.unit.consent_helpers import TODAY, family_case
from tests.unit.test_disclosure import share


def _override(session, fam):
    return share(session, fam, fam.ep, lawful_reason="safeguarding", justification="Risk of harm that day.")


def test_the_only_manager_may_review_their_own_override_and_it_shows_as_self_reviewed(session):
    fam = family_case(session)
    override = _override(session, fam)
    reviewed = disclosures.mark_override_reviewed(session, override.id, "No one else to review it.")
    assert reviewed.reviewed_by == "manager"
    board = dashboard.build_dashboard(session, TODAY)
    items = board.section("overrides_self_reviewed").items
    assert [i.target_id for i in items] == [override.id] and "self-reviewed" in items[0].text
    assert board.section("overrides_unreviewed").items == []
    audit = session.conn.execute("SELECT detail FROM audit_event WHERE action = 'override_reviewed'").fetchone()[0]
    assert "self_reviewed" in audit


def test_with_another_manager_the_maker_cannot_review_it_and_the_other_can(session, data_dir):
    fam = family_case(session)
    override = _override(session, fam)
    other = add_worker(session, data_dir, username="morgan", role="manager")
    with pytest.raises(ValidationError, match="another manager reviews it: Morgan Worker"):
        disclosures.mark_override_reviewed(session, override.id)
    assert disclosures.get_disclosure(session, override.id).reviewed_at is None
    reviewed = disclosures.mark_override_reviewed(other, override.id, "Appropriate.")
    assert reviewed.reviewed_by == "morgan"
    assert dashboard.build_dashboard(session, TODAY).section("overrides_self_reviewed").items == []
    other.lock()


def test_a_caseworkers_override_reviewed_by_the_manager_is_not_self_reviewed(session, data_dir):
    fam = family_case(session)
    worker = add_worker(session, data_dir)
    override = _override(worker, fam)
    disclosures.mark_override_reviewed(session, override.id)
    assert dashboard.build_dashboard(session, TODAY).section("overrides_self_reviewed").items == []
    worker.lock()
