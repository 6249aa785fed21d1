"""End to end: an office computer and a laptop, each a separate `confide` process
(tests/cheap_entry.py), meeting through a folder hub. Out, offline work with the hub's folder
gone, back in; the office sees the work; the laptop's folder no longer holds the case."""

import os
from datetime import date

from app.services.casework import notes
from app.services.consent import records as consent
from app.services.team.laptop import checkout
from tests.team.laptop_world import family_case
from tests.team.sqlcipher_pages import holds
from tests.team.test_cli_team import Computer

CANARY = "Wrenfoxglovia"          # in the case's note: must leave the laptop at check-in
LAPTOP_CANARY = "Tamberlynne"     # written on the laptop offline: must reach the office


def _session_do(computer, fn):
    s = computer.session()
    try:
        return fn(s)
    finally:
        s.lock("test")


def _files(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def test_out_offline_back_in_and_erased(tmp_path):
    hub = tmp_path / "hub"
    hub.mkdir()
    office, laptop = Computer(tmp_path, "office"), Computer(tmp_path, "laptop")
    office.ok("init", "--full-name", "Test Manager")
    office.ok("team", "create", "--hub", str(hub), "--name", "Northshire SENDIASS")
    case_id, ref = _session_do(office, lambda s: family_case(s, "Hartley", CANARY))
    office.ok("sync")
    invite = tmp_path / "laptop.invite"
    code = office.ok("team", "invite", "--device", "Laptop 1", "--laptop", "--out", invite
                     ).stdout.strip().splitlines()[-1]
    joined = laptop.run("team", "join", "--from", invite, "--code-stdin", stdin=f"correct horse battery staple\n{code}\n")
    assert joined.returncode == 0, joined.stderr
    assert _session_do(laptop, lambda s: s.conn.execute("SELECT count(*) FROM casefile").fetchone()[0]) == 0

    waiting = laptop.run("checkout", "--cases", ref, "--wait", "0")
    assert waiting.returncode == 4 and "Still waiting" in waiting.stdout, waiting.stdout + waiting.stderr
    office.ok("sync")                         # the office answers the request
    done = laptop.ok("checkout", "--cases", ref, "--wait", "0")
    assert f"{ref} is on this laptop." in done.stdout
    listed = office.ok("checkout", "list").stdout
    assert f"{ref}\tout\tout on Laptop 1 with manager since" in listed

    # The scan can see the case while it is here (so its silence after check-in means something).
    key = _session_do(laptop, lambda s: (s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall(),
                                         s.data_key)[1])
    assert holds(laptop.dir / "confide.db", key, CANARY.encode())

    os.rename(hub, tmp_path / "hub-unplugged")      # the hub cannot be reached
    client, pro = _session_do(laptop, lambda s: s.conn.execute(
        "SELECT c.client_id, k.counterparty_person_id FROM casefile c JOIN consent k ON k.case_id = c.id"
    ).fetchone())
    _session_do(laptop, lambda s: notes.add_note(s, case_id, "meeting", date.today(), 45,
                                                 f"Met at home: {LAPTOP_CANARY}."))
    _session_do(laptop, lambda s: consent.record_consent(
        s, case_id, client, "obtain_records", "verbal_in_person", counterparty_person_id=pro))
    offline = laptop.run("sync")
    assert offline.returncode == 1 and "Traceback" not in offline.stderr
    refused = laptop.run("checkin")
    assert refused.returncode == 1
    assert _session_do(laptop, lambda s: s.conn.execute("SELECT count(*) FROM note").fetchone()[0]) == 2

    os.rename(tmp_path / "hub-unplugged", hub)
    # The office has not applied the laptop's changes yet: nothing is erased until it has.
    early = laptop.run("checkin", "--wait", "0")
    assert early.returncode == 1 and "not yet applied them" in early.stderr
    assert _session_do(laptop, lambda s: s.conn.execute("SELECT count(*) FROM note").fetchone()[0]) == 2
    office.ok("sync")
    back = laptop.ok("checkin", "--wait", "0")
    assert f"Checked in: {ref}" in back.stdout or "nothing was out" in back.stdout
    seen = _session_do(office, lambda s: (
        s.conn.execute("SELECT count(*) FROM note WHERE body LIKE ?", (f"%{LAPTOP_CANARY}%",)).fetchone()[0],
        s.conn.execute("SELECT count(*) FROM consent WHERE scope = 'obtain_records'").fetchone()[0],
        checkout.list_checkouts(s)))
    assert seen == (1, 1, [])

    key = _session_do(laptop, lambda s: s.data_key)
    assert _session_do(laptop, lambda s: s.conn.execute("SELECT count(*) FROM person").fetchone()[0]) == 0
    for path in _files(laptop.dir):
        raw = path.read_bytes()
        assert CANARY.encode() not in raw and LAPTOP_CANARY.encode() not in raw, path
    db_file = laptop.dir / "confide.db"
    assert db_file.exists()
    # Even with the key, the erased text is in no page of the file, free pages included.
    assert not holds(db_file, key, CANARY.encode())
    assert not holds(db_file, key, LAPTOP_CANARY.encode())
    assert not holds(db_file, key, b"Hartley")
