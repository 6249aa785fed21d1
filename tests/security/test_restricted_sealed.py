"""Attack: a caseworker who is not a case's worker reads its safeguarding concern and the
staff-safety incidents about its family at the file level (R16; docs/security.md, "Restricted
records sealed to their readers").

The attacker, Otto, is a caseworker of the team with his own computer. He holds what his
account can read: each computer's database opened raw with the data key his unlock gives
(his own computer and the office's, where he can sign in too), the device secret, his own
staff private key, every team key in those databases, and the hub's files. Nothing of
Confide's services is asked.

Before: the restricted text was stored as written in every replica and every bundle; the
manager-and-worker rule held only in Python, so a raw open of any computer's database, or
any bundle opened with the team key, read it.
"""

import json
from datetime import date

import pytest
import sqlcipher3

from app.security import restricted
from app.security.device import KeyringStore
from app.services.casework import cases, people, safeguarding
from app.services.casework import restricted as restricted_records
from app.services.team import membership
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from app.storage import db
from app.storage.hub.location import open_hub
from tests.conftest import PASSPHRASE
from tests.security import leaver
from tests.security.support import text_needles
from tests.unit.consent_helpers import TODAY, family_case

CANARY = {"concern": "CANARY-SAFEGUARDING-kestrel-anvil", "outcome": "CANARY-OUTCOME-plum-lantern",
          "incident": "CANARY-INCIDENT-gravel-orchid", "volunteer": "CANARY-VOLUNTEER-report-ember"}
TEMP = {"casey": "temporary words for casey 1", "otto": "temporary words for otto 2",
        "vera": "temporary words for vera 3"}


def _raw_text(path, key: bytes) -> str:
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(json.dumps([str(v) for v in row]) for t in tables
                         for row in conn.execute(f'SELECT * FROM "{t}"'))
    finally:
        conn.close()


@pytest.fixture
def office(tmp_path, session, data_dir):
    for user, role in (("casey", "caseworker"), ("otto", "caseworker"), ("vera", "volunteer")):
        staff.add_staff(session, user, f"{user.title()} Colleague", role, TEMP[user])
    fam = family_case(session)
    cases.update_case(session, fam.case.id, worker="casey")
    hub_dir = tmp_path / "hub"
    hub_dir.mkdir()
    team_id = membership.create(session, str(hub_dir), "Northshire SENDIASS")
    concern = safeguarding.raise_concern(session, fam.case.id, date(2026, 11, 3), CANARY["concern"],
                                         outcome=CANARY["outcome"], today=TODAY)
    safeguarding.record_incident(session, fam.parent.id, date(2026, 11, 4), CANARY["incident"],
                                 case_id=fam.case.id, today=TODAY)
    session.lock("test")
    # A volunteer reports abuse towards them from their own compartment.
    vera = vault_service.unlock(data_dir, "vera", TEMP["vera"])
    vera.must_change_passphrase = False
    found = people.find_people(vera, text=fam.parent.last_name[:3])
    safeguarding.record_incident(vera, found[0].id if found[0].id == fam.parent.id else fam.parent.id,
                                 date(2026, 11, 5), CANARY["volunteer"], today=TODAY)
    vera.lock("test")
    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)   # takes the report in
    membership.sync(manager)
    code = membership.invite(manager, "Otto's computer", tmp_path / "otto.invite")
    otto = membership.join(tmp_path / "otto-pc", tmp_path / "otto.invite", code, "otto", TEMP["otto"],
                           KeyringStore())
    otto.must_change_passphrase = False
    yield manager, otto, fam, concern, hub_dir, team_id
    for s in (manager, otto):
        if not s.locked:
            s.lock("test")


def test_another_caseworker_reads_no_restricted_text_on_any_computer_or_the_hub(office, data_dir, tmp_path):
    manager, otto, fam, concern, hub_dir, team_id = office
    membership.sync(otto)
    # What Otto's account opens: his own computer, and the office's when he signs in there.
    keys = {"otto-pc": bytes(otto.data_key), "private": bytes(otto.private_key)}
    otto.lock("test")
    manager.lock("test")
    at_office = vault_service.unlock(data_dir, "otto", TEMP["otto"])
    office_key = bytes(at_office.data_key)
    at_office.lock("test")
    found = {}
    for name, path, key in (("otto-pc", tmp_path / "otto-pc" / "confide.db", keys["otto-pc"]),
                            ("office", data_dir / "confide.db", office_key)):
        text = _raw_text(path, key)
        found[name] = [k for k, word in CANARY.items() if word in text]
        # His own private key opens no envelope there.
        for table in ("safeguarding_concern", "incident"):
            conn = sqlcipher3.connect(str(path))
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            rows = conn.execute(f"SELECT id, description FROM {table}").fetchall()
            conn.close()
            assert rows, f"the {table} rows reached {name}"
            for record_id, envelope in rows:
                assert restricted.is_sealed(envelope), f"a {table} row is in the clear on {name}"
                assert restricted.open_fields(envelope, table, record_id, "otto", keys["private"]) is None
    assert found == {"otto-pc": [], "office": []}
    # The hub: every bundle opened with every team key his databases hold, and its raw files.
    loot = leaver.plunder(tmp_path / "otto-pc" / "confide.db", keys["otto-pc"], None)
    entries = list(open_hub(str(hub_dir), team_id).read_after(0))
    texts = leaver.read_bundles(loot, entries)
    assert texts, "the team keys open the bundles"
    assert not [k for k, word in CANARY.items() if any(word in t for t in texts)]
    on_hub = b"".join(p.read_bytes() for p in hub_dir.rglob("*") if p.is_file())
    assert not [k for k, word in CANARY.items() if any(n in on_hub for n in text_needles("c", word).values())]


def test_the_manager_and_the_worker_read_it_and_a_new_worker_is_added(office, data_dir, tmp_path):
    manager, otto, fam, concern, _hub_dir, _team_id = office
    assert safeguarding.concerns_for_case(manager, fam.case.id)[0].description == CANARY["concern"]
    incidents = {i.description for i in safeguarding.incidents_for_person(manager, fam.parent.id)}
    assert incidents == {CANARY["incident"], CANARY["volunteer"]}
    manager.lock("test")
    casey = vault_service.unlock(data_dir, "casey", TEMP["casey"])
    casey.must_change_passphrase = False
    assert safeguarding.concerns_for_case(casey, fam.case.id)[0].outcome == CANARY["outcome"]
    casey.lock("test")
    # The case is given to Otto: the manager's computer adds him as a reader at its next sync.
    manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    cases.update_case(manager, fam.case.id, worker="otto")
    membership.sync(manager)
    manager.lock("test")
    membership.sync(otto)
    assert safeguarding.concerns_for_case(otto, fam.case.id)[0].description == CANARY["concern"]
    assert CANARY["incident"] in {i.description for i in safeguarding.incidents_for_person(otto, fam.parent.id)}


def test_a_record_written_in_the_clear_is_sealed_by_the_next_staff_session(session, data_dir):
    fam = family_case(session)
    concern = safeguarding.raise_concern(session, fam.case.id, date(2026, 11, 3), "written first", today=TODAY)
    with session.conn:
        session.conn.execute("UPDATE safeguarding_concern SET description = ? WHERE id = ?",
                             (CANARY["concern"], concern.id))     # as an older Confide wrote it
    session.lock("test")
    again = vault_service.unlock(data_dir, "manager", PASSPHRASE)
    row = again.conn.execute("SELECT description FROM safeguarding_concern WHERE id = ?", (concern.id,)).fetchone()
    assert restricted.is_sealed(row[0])
    assert safeguarding.concerns_for_case(again, fam.case.id)[0].description == CANARY["concern"]
    assert restricted_records.seal_in_clear(again.conn, "manager") == 0


def _follow_steps(session) -> int:
    steps = [0]

    def tick():
        steps[0] += 1
    session.conn.set_progress_handler(tick, 1)
    try:
        restricted_records.follow(session)
    finally:
        session.conn.set_progress_handler(None, 1)
    return steps[0]


def test_checking_for_missing_readers_reads_the_staff_once_not_once_per_sealed_record(session):
    # Failed before: the check ran at every unlock and lock as SQL that scanned the staff table
    # for each sealed record (a quarter of a second at 50,000 cases): each member of staff added
    # cost as many steps again as there are sealed records.
    fam = family_case(session)
    for i in range(40):
        safeguarding.raise_concern(session, fam.case.id, date(2026, 11, 3), f"concern {i}", today=TODAY)
    few = _follow_steps(session)
    for i in range(20):
        staff.add_staff(session, f"worker{i:02d}", f"Synthetic Worker {i:02d}", "caseworker", f"temporary words {i:02d} x")
    many = _follow_steps(session)
    assert restricted_records.seal_in_clear(session.conn, "manager") == 0
    # Before: 21,500 more steps for 20 more staff over 40 records; reading them once: about 700.
    assert many - few < 2000, (few, many)


def _reads_of_concerns(session) -> int:
    statements = []
    session.conn.set_trace_callback(statements.append)
    try:
        restricted_records.follow(session)
    finally:
        session.conn.set_trace_callback(None)
    return sum("FROM main.safeguarding_concern" in s for s in statements)


def test_a_look_with_nothing_written_since_the_last_reads_no_sealed_record(session):
    # Failed before: every team sync, unlock and lock read every sealed record again (a sync
    # with nothing to do: 24 of 31 ms at 50,000 cases, 130 ms at 200,000 on PostgreSQL).
    fam = family_case(session)
    safeguarding.raise_concern(session, fam.case.id, date(2026, 11, 3), "a concern", today=TODAY)
    assert _reads_of_concerns(session) > 0
    assert _reads_of_concerns(session) == 0
    staff.add_staff(session, "otto", "Otto Synthetic", "caseworker", "temporary words for otto")
    assert _reads_of_concerns(session) > 0                         # a new member of staff
    assert _reads_of_concerns(session) == 0
    cases.update_case(session, fam.case.id, worker="otto")
    assert _reads_of_concerns(session) > 0                         # a new reader of the concern
    row = session.conn.execute("SELECT description FROM safeguarding_concern WHERE case_id = ?",
                               (fam.case.id,)).fetchone()
    assert "otto" in restricted.readers(row[0])


def test_a_record_another_connection_wrote_in_the_clear_is_sealed_at_the_next_look(session):
    fam = family_case(session)
    concern = safeguarding.raise_concern(session, fam.case.id, date(2026, 11, 3), "a concern", today=TODAY)
    restricted_records.follow(session)
    other = db.open_database(session.paths.db, session.data_key)     # the command line, say
    try:
        with other:
            other.execute("UPDATE safeguarding_concern SET description = ? WHERE id = ?",
                          (CANARY["concern"], concern.id))
    finally:
        other.close()
    restricted_records.follow(session)
    row = session.conn.execute("SELECT description FROM safeguarding_concern WHERE id = ?", (concern.id,)).fetchone()
    assert restricted.is_sealed(row[0])
