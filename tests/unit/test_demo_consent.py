"""Demo consent data: deterministic for a seed, about three consents per case, and every row
one the services themselves would have accepted."""

from datetime import date

from app.domain.consent import Capacity, ConsentScope
from app.domain.signature import Signature
from app.security.device import KeyringStore
from app.services.casework import cases, people
from app.services.consent import disclosures
from app.services.consent import records as consent
from app.services.demo import build as demo
from app.services.vault.unlock import create_vault
from tests.conftest import PASSPHRASE

TODAY = date(2026, 11, 25)


def _snapshot(session):
    conn = session.conn
    return {
        "consent": [tuple(r) for r in conn.execute(
            "SELECT id, case_id, given_by_id, scope, counterparty_person_id, wording_text, method, signature, "
            "given_on, expires_on FROM consent ORDER BY id")],
        "disclosure": [tuple(r) for r in conn.execute("SELECT id, consent_id, basis, what FROM disclosure ORDER BY id")],
        "withdrawal": [tuple(r) for r in conn.execute("SELECT consent_id, withdrawn_on FROM consent_withdrawal "
                                                      "ORDER BY consent_id")],
    }


def test_demo_consent_is_deterministic_for_a_seed(tmp_path):
    snapshots = []
    for name in ("one", "two"):
        session, _ = create_vault(tmp_path / name, "Demo", "manager", "Test Manager", PASSPHRASE, KeyringStore())
        demo.populate(session, staff=3, cases=20, seed=5, today=TODAY)
        snapshots.append(_snapshot(session))
        session.lock()
    assert snapshots[0] == snapshots[1] and len(snapshots[0]["consent"]) > 20


def test_demo_consent_follows_the_rules(session):
    demo.populate(session, staff=4, cases=80, seed=9, today=TODAY)
    conn = session.conn
    per_case = conn.execute("SELECT count(*) * 1.0 / (SELECT count(*) FROM casefile) FROM consent").fetchone()[0]
    assert 2.3 <= per_case <= 3.6
    for row in conn.execute("SELECT id, case_id, given_by_id, capacity, scope, given_on, expires_on FROM consent"):
        case = cases.load_case(session, row["case_id"])
        giver = people.peek_person(session, row["given_by_id"])
        right = consent.entitlement(session, case, giver, ConsentScope(row["scope"]),
                                    date.fromisoformat(row["given_on"]))
        assert right.capacity == Capacity(row["capacity"])
        assert row["given_on"] < row["expires_on"]
        if right.latest_expiry:
            assert row["expires_on"] < right.latest_expiry.isoformat()
    for row in conn.execute("SELECT case_id, kind, counterparty_person_id, counterparty_organisation_id, "
                            "disclosed_on FROM disclosure WHERE basis = 'consent'"):
        assert disclosures.matching_consent(session, row["case_id"], row["kind"], row["counterparty_person_id"],
                                            row["counterparty_organisation_id"],
                                            on=date.fromisoformat(row["disclosed_on"]))
    assert conn.execute("SELECT count(*) FROM disclosure WHERE basis = 'override'").fetchone()[0] >= 1
    assert conn.execute("SELECT count(*) FROM disclosure WHERE kind = 'records_request'").fetchone()[0] > 10
    # Mailing-list members joined on their own mailing-list consent.
    assert conn.execute("SELECT count(*) FROM mailing_list_member m JOIN consent c ON c.id = m.consent_id "
                        "WHERE c.scope != 'mailing_list' OR c.subject_id != m.person_id").fetchone()[0] == 0
    for (blob,) in conn.execute("SELECT signature FROM consent WHERE method = 'signed_on_screen'"):
        assert not Signature.from_bytes(blob).is_blank
    assert conn.execute("SELECT count(*) FROM consent WHERE method = 'signed_on_screen' AND signature IS NULL"
                        ).fetchone()[0] == 0
