"""`confide demo` data: deterministic for a seed, shaped like real casework, and consistent
with the rules (every case eligible, young people's own cases firewalled)."""

from datetime import date

from app.security.device import KeyringStore
from app.services.casework import cases, search
from app.services.demo import build as demo
from app.services.vault.unlock import create_vault
from tests.conftest import PASSPHRASE

TODAY = date(2026, 11, 25)


def _snapshot(session):
    conn = session.conn
    return {
        "cases": conn.execute("SELECT id, reference, client_id, child_id, status, opened_on FROM casefile "
                              "ORDER BY reference").fetchall(),
        "people": conn.execute("SELECT id, first_name, last_name FROM person ORDER BY id").fetchall(),
        "notes": conn.execute("SELECT id, body FROM note ORDER BY id").fetchall(),
    }


def test_demo_is_deterministic_for_a_seed(tmp_path):
    snapshots = []
    for name in ("one", "two"):
        session, _ = create_vault(tmp_path / name, "Demo", "manager", "Test Manager", PASSPHRASE, KeyringStore())
        demo.populate(session, staff=3, cases=25, seed=42, today=TODAY)
        snapshots.append({k: [tuple(r) for r in v] for k, v in _snapshot(session).items()})
        session.lock()
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]["cases"]) == 25


def test_demo_data_follows_the_rules(session):
    demo.populate(session, staff=4, cases=60, seed=7, today=TODAY)
    conn = session.conn
    # R3: every case's client is the child or holds parental responsibility.
    bad = conn.execute(
        "SELECT count(*) FROM casefile c WHERE c.client_id != c.child_id AND NOT EXISTS (SELECT 1 FROM "
        "relationship r WHERE r.adult_id = c.client_id AND r.child_id = c.child_id AND r.parental_responsibility = 1)"
    ).fetchone()[0]
    assert bad == 0
    assert conn.execute("SELECT count(*) FROM casefile WHERE own_case = 1 AND client_id != child_id").fetchone()[0] == 0
    assert conn.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM note GROUP BY case_id)").fetchone()[0] == 500
    years = {r[0] for r in conn.execute("SELECT substr(received_at, 1, 4) FROM enquiry")}
    assert len(years) >= 8
    assert conn.execute("SELECT count(*) FROM enquiry WHERE anonymous = 1").fetchone()[0] > 0
    # References continue after the demo without colliding.
    some_case = conn.execute("SELECT client_id, child_id FROM casefile LIMIT 1").fetchone()
    new = cases.open_case(session, some_case[0], some_case[1])
    assert conn.execute("SELECT count(*) FROM casefile WHERE reference = ?", (new.reference,)).fetchone()[0] == 1
    # Search indexes were filled in bulk.
    surname = conn.execute("SELECT last_name FROM person LIMIT 1").fetchone()[0]
    assert any(h.kind == "person" for h in search.search(session, surname))
    assert search.search(session, "tribunal")
