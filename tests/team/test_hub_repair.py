"""Nothing refused is passed over, and an acknowledged hub entry is never moved aside or
replaced (docs/sync.md §4, §15; docs/hub.md "Damaged entries", "Repair"): three computers on
a real folder hub, which is then damaged the way an attacker or a failing share would
damage it (a flipped bit, a forged entry, a rolled-back folder), repaired from the
computers' own copies, and every replica converges."""

import io
import os
import shutil
import sys

import pytest

from app.cli import commands as cli
from app.services.casework import notes
from app.services.team import blocks, membership, state
from app.services.team import team as team_service
from app.services.team.hub_care.check import check
from app.services.team.hub_care.repair import repair
from app.services.team.sync import sync_now
from app.services.vault.unlock import unlock
from app.storage.hub import folder as folder_mod
from app.storage.hub.base import SequenceTaken
from app.storage.hub.folder import FolderHub
from tests.conftest import PASSPHRASE
from tests.team.conftest import new_vault
from tests.team.replica import rows_of, seed_case

HUB_TEAM = "hub-under-test"


@pytest.fixture
def hub_factory(tmp_path):
    made = []

    def make():
        made.append(FolderHub(tmp_path / f"hub{len(made)}", HUB_TEAM, create=True, use_links=False))
        return made[-1]
    return make


def fresh(team) -> FolderHub:
    """What each sync opens: a new hub object, with nothing remembered."""
    team.hub = FolderHub(team.hub.root, HUB_TEAM)
    return team.hub


def everyone_syncs(team, rounds: int = 2) -> None:
    for _ in range(rounds):
        for s in team.sessions:
            result = sync_now(s, fresh(team))
            assert result.blocked is None, result.blocked


def entry_file(hub, seq: int):
    return hub.root / "entries" / f"{seq:012d}.entry"


def age(path, seconds: float) -> None:
    then = path.stat().st_mtime - seconds
    os.utime(path, (then, then))


def _note(session, case_id: str, text: str) -> None:
    notes.add_note(session, case_id, "phone_call", "2026-01-05", 5, text)


def test_bit_flipped_entry_is_not_moved_aside(make_team):
    team = make_team(3)
    a, b, c = team.sessions
    case_id = seed_case(a)
    everyone_syncs(team)
    for i in range(5):
        _note(a, case_id, f"Hartley call {i}")
    sync_now(a, fresh(team))
    n = team.hub.head()
    path = entry_file(team.hub, n)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x04
    path.write_bytes(bytes(data))
    age(path, folder_mod.TORN_GRACE_SECONDS + 60)

    # Before: after two minutes the next computer moved it aside and took its number.
    with pytest.raises(SequenceTaken):
        fresh(team).append(n, state.get(c.conn, "device_id"), "bundle", b"someone else's")
    assert path.read_bytes() == bytes(data)
    assert list((team.hub.root / "torn").iterdir()) == []

    # A computer with its own work to push stops at the entry and says which, whose and why.
    _note(c, case_id, "Written on computer 3 meanwhile")
    result = sync_now(c, fresh(team))
    assert result.blocked and f"hub entry {n}," in result.blocked
    assert "written by computer 'Office computer 1'" in result.blocked and "damaged" in result.blocked
    assert result.pushed == 0 and state.last_applied(c.conn) == n - 1
    assert membership.sync_status(c).blocked == result.blocked

    # The check finds it everywhere; only the writer holds the copy that repairs it.
    assert [(f.seq, f.what, f.repairable) for f in check(c.conn, fresh(team)).findings] == [(n, "damaged", False)]
    assert [(f.seq, f.what, f.repairable) for f in check(a.conn, fresh(team)).findings] == [(n, "damaged", True)]
    assert repair(a.conn, fresh(team)).restored == [n]
    assert check(a.conn, fresh(team)).ok
    assert len(list((team.hub.root / "damaged").iterdir())) == 1      # kept for inspection

    everyone_syncs(team)
    assert rows_of(a) == rows_of(b) == rows_of(c)
    texts = {r[0] for r in c.conn.execute("SELECT body FROM note")}
    assert {f"Hartley call {i}" for i in range(5)} | {"Written on computer 3 meanwhile"} <= texts
    assert membership.sync_status(c).blocked is None


def test_rolled_back_hub_is_detected_and_repaired(make_team, tmp_path):
    team = make_team(2)
    a, b = team.sessions
    case_id = seed_case(a)
    everyone_syncs(team)
    backup = tmp_path / "hub-backup"
    shutil.copytree(team.hub.root, backup)
    kept_until = team.hub.head()
    _note(a, case_id, "After the backup, from computer 1")
    sync_now(a, fresh(team))
    _note(b, case_id, "After the backup, from computer 2")
    everyone_syncs(team)
    before = rows_of(a)
    lost = list(range(kept_until + 1, team.hub.head() + 1))
    assert lost

    # IT puts the hub folder back from last week's copy.
    shutil.rmtree(team.hub.root)
    shutil.copytree(backup, team.hub.root)

    # Before: "Entry N would leave a gap" for ever. Now: said, with what to do.
    _note(b, case_id, "Typed while the hub was rolled back")
    result = sync_now(b, fresh(team))
    assert result.blocked and "gone back to an older copy" in result.blocked
    assert fresh(team).head() == kept_until          # nothing written into the lost range
    found = check(a.conn, fresh(team)).findings
    assert [(f.seq, f.what, f.repairable) for f in found] == [(s, "rolled_back", True) for s in lost]

    assert repair(a.conn, fresh(team)).restored == lost
    everyone_syncs(team)
    assert rows_of(a) == rows_of(b)
    texts = {r[0] for r in a.conn.execute("SELECT body FROM note")}
    assert {"After the backup, from computer 1", "After the backup, from computer 2",
            "Typed while the hub was rolled back"} <= texts
    assert {k: v for k, v in before.items() if k != "note"} == {k: v for k, v in rows_of(a).items() if k != "note"}


def test_forged_entry_blocks_until_repaired_from_the_writers_copy(make_team):
    team = make_team(2)
    a, b = team.sessions
    case_id = seed_case(a)
    everyone_syncs(team)
    _note(a, case_id, "The real note")
    sync_now(a, fresh(team))
    n = team.hub.head()
    real = fresh(team)._read_entry(n)
    forged = bytearray(real.payload)
    forged[len(forged) // 2] ^= 0x01          # a whole record (right checksum), a bad signature
    os.unlink(entry_file(team.hub, n))
    fresh(team).restore_entry(n, real.device_id, "bundle", bytes(forged))

    result = sync_now(b, fresh(team))
    assert result.blocked and "altered after it was written" in result.blocked
    assert [(f.what, f.repairable) for f in check(b.conn, fresh(team)).findings] == [("altered", False)]
    assert [(f.what, f.repairable) for f in check(a.conn, fresh(team)).findings] == [("altered", True)]
    assert repair(a.conn, fresh(team)).restored == [n]
    everyone_syncs(team)
    assert "The real note" in {r[0] for r in b.conn.execute("SELECT body FROM note")}


def test_forged_entry_nobody_holds_is_voided_by_a_manager_and_every_computer_proceeds(make_team):
    team = make_team(3)
    a, b, c = team.sessions
    everyone_syncs(team)
    stranger = b"CFB1" + b"\x00" * 200        # not enrolled, not even a bundle
    n = team.hub.head() + 1
    fresh(team).append(n, "not-a-computer-of-ours", "bundle", stranger)
    for s in (b, c):
        result = sync_now(s, fresh(team))
        assert result.blocked and f"hub entry {n}," in result.blocked
    # The manager's computer, stopped too, lists who is stopped and by what.
    assert sync_now(a, fresh(team)).blocked
    listed = {d.name: d.blocked for d in membership.device_list(a)}
    assert all(listed[name] and f"stopped at hub entry {n}" in listed[name] for name in listed)
    assert not check(a.conn, fresh(team)).ok

    blocks.void(a, fresh(team), n, "Not written by any computer of ours")
    everyone_syncs(team)
    assert all(d.blocked is None for d in membership.device_list(a))
    for s in (a, b, c):
        reason = s.conn.execute("SELECT reason FROM sync_refused WHERE hub_seq = ?", (n,)).fetchone()[0]
        assert "voided by computer 'Office computer 1'" in reason and "Not written by any" in reason
    assert rows_of(a) == rows_of(b) == rows_of(c)


def test_refused_entry_blocks_sync_and_exits_nonzero(tmp_path, template_root, monkeypatch, capsys):
    hub = FolderHub(tmp_path / "hub", HUB_TEAM, create=True)
    a = new_vault(template_root, tmp_path / "computer1")
    team_service.create_team(a, hub, "Northshire SENDIASS", team_id=HUB_TEAM)
    b = new_vault(template_root, tmp_path / "computer2")
    team_service.join_team(b, hub, team_service.invite_device(a, hub, "computer2"))
    sync_now(b, hub)
    n = hub.append(hub.head() + 1, "not-a-computer-of-ours", "bundle", b"CFB1" + b"\x01" * 200).seq
    membership.save_location(b, HUB_TEAM, str(hub.root))
    a.lock("test")
    b.lock("test")
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    code = cli.main(["sync", "--data-dir", str(tmp_path / "computer2"), "--user", "manager",
                     "--passphrase-stdin"])
    err = capsys.readouterr().err
    assert code == 4, err       # was 0, with "refused: ..." printed and the entry passed over
    assert "Sync stopped at hub entry" in err and "not enrolled in this team" in err
    again = unlock(tmp_path / "computer2", "manager", PASSPHRASE)
    try:
        assert "not enrolled in this team" in membership.sync_status(again).blocked
    finally:
        again.lock("test")

    def run(name: str, *argv: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
        code = cli.main([*argv, "--data-dir", str(tmp_path / name), "--user", "manager", "--passphrase-stdin"])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, err = run("computer2", "hub", "check")
    assert code == 4 and "problem: Entry" in err and "altered or forged" in err
    code, out, err = run("computer2", "hub", "void", "--entry", str(n), "--reason", "a stranger's entry")
    assert code == 1 and "Only a manager's computer can void" in err
    a = unlock(tmp_path / "computer1", "manager", PASSPHRASE)
    membership.save_location(a, HUB_TEAM, str(hub.root))
    a.lock("test")
    code, out, err = run("computer1", "hub", "void", "--entry", str(n), "--reason", "a stranger's entry")
    assert code == 0 and f"Entry {n} is voided" in out, err
    code, out, err = run("computer2", "sync")
    assert code == 0, err
    assert "passed over (voided by a manager)" in out and "a stranger's entry" in out


def test_a_gap_in_the_hub_stops_sync_and_is_repaired(make_team):
    team = make_team(2)
    a, b = team.sessions
    case_id = seed_case(a)
    everyone_syncs(team)
    for text in ("First", "Second", "Third"):
        _note(a, case_id, f"{text} call")
        sync_now(a, fresh(team))
    middle = team.hub.head() - 1
    os.unlink(entry_file(team.hub, middle))
    # Before: the pull stopped at the gap in silence and said "pulled 1".
    result = sync_now(b, fresh(team))
    assert result.blocked and f"Hub entry {middle} is missing from the hub" in result.blocked
    assert repair(a.conn, fresh(team)).restored == [middle]
    everyone_syncs(team)
    assert rows_of(a) == rows_of(b)


@pytest.fixture
def pg_team(postgres_server, tmp_path, template_root):
    """Two computers on a real PostgreSQL hub made by IT's script, and the owner's hub."""
    from app.storage.hub.postgres import PostgresHub

    names = postgres_server.new_hub_database()
    hub = PostgresHub(names["conninfo"], HUB_TEAM, create=True)
    owner = PostgresHub(postgres_server.admin_conninfo(names["dbname"]), HUB_TEAM)
    a = new_vault(template_root, tmp_path / "computer1")
    team_service.create_team(a, hub, "Northshire SENDIASS", team_id=HUB_TEAM)
    b = new_vault(template_root, tmp_path / "computer2")
    invitation = team_service.invite_device(a, hub, "computer2")
    # Each computer signs in to the hub with a login of its own (the invitation carries it).
    hub_b = PostgresHub(invitation["hub_login"], HUB_TEAM)
    team_service.join_team(b, hub_b, invitation)
    yield a, b, {id(a): hub, id(b): hub_b}, owner
    for s in (a, b):
        s.lock("test")
    hub.close()
    hub_b.close()
    owner.close()


def test_postgres_hub_restored_from_an_older_dump_and_an_altered_row_are_repaired(pg_team):
    a, b, hubs, owner = pg_team
    hub = hubs[id(a)]

    def on(s):
        return hubs[id(s)]

    case_id = seed_case(a)
    for s in (a, b, a):
        sync_now(s, on(s))
    kept = hub.head()
    _note(a, case_id, "Written after last night's dump")
    sync_now(a, hub)
    _note(b, case_id, "Also after the dump")
    sync_now(b, on(b))
    sync_now(a, hub)
    lost = list(range(kept + 1, hub.head() + 1))
    owner._exec("DELETE FROM confide.entries WHERE seq > %s", (kept,))      # the server put back
    assert "gone back to an older copy" in sync_now(b, on(b)).blocked
    # A computer's own login adds at the end, under its own name only (integ's per-computer
    # logins): each writer puts back what the restore lost of its own.
    assert [e for e in lost if e in repair(a.conn, hub).restored] == lost[:1]
    assert repair(b.conn, on(b)).restored == lost[1:]
    for s in (a, b, a):
        assert sync_now(s, on(s)).blocked is None
    assert rows_of(a) == rows_of(b)

    # A row altered by someone with the owner's rights: found, and put back through the owner.
    victim = lost[0]
    owner._exec("UPDATE confide.entries SET payload = overlay(payload PLACING '\\x00'::bytea FROM 200 FOR 1) "
                "WHERE seq = %s", (victim,))
    found = check(b.conn, on(b)).findings
    assert [(f.seq, f.what, f.repairable) for f in found] == [(victim, "altered", True)]
    device_role = repair(b.conn, on(b))
    assert device_role.restored == [] and "could not be put back" in device_role.left[0].words
    assert repair(b.conn, owner).restored == [victim]
    assert check(a.conn, hub).ok and check(b.conn, on(b)).ok
    replaced = owner._one("SELECT count(*) FROM confide.entries_replaced WHERE seq = %s", (victim,))[0]
    assert replaced == 1


def test_a_damaged_snapshot_is_found_and_written_again(make_team):
    from app.services.team import snapshot

    team = make_team(2)
    a, b = team.sessions
    seed_case(a)
    everyone_syncs(team)
    upto = snapshot.put_snapshot(a.conn, fresh(team))
    snap = next((team.hub.root / "snapshots").glob(f"{upto:012d}.*.snap"))
    data = bytearray(snap.read_bytes())
    data[len(data) // 2] ^= 0x01
    snap.write_bytes(bytes(data))
    found = check(a.conn, fresh(team)).findings
    assert [(f.what, f.repairable) for f in found] == [("snapshot", True)]
    assert "missing or damaged" in found[0].words
    assert repair(a.conn, fresh(team)).snapshot_written == upto
    assert check(a.conn, fresh(team)).ok


def test_the_sender_of_an_altered_bundle_is_told_and_can_repair_it(make_team):
    # Before: the others passed it over for ever while its sender printed "pushed 1,
    # conflicts 0" at every sync.
    team = make_team(2)
    a, b = team.sessions
    case_id = seed_case(a)
    everyone_syncs(team)
    _note(a, case_id, "Sent and then altered on the hub")
    sync_now(a, fresh(team))
    n = team.hub.head()
    _note(a, case_id, "Sent after it")
    sync_now(a, fresh(team))
    real = fresh(team)._read_entry(n)
    forged = bytearray(real.payload)
    forged[-10] ^= 0x01
    os.unlink(entry_file(team.hub, n))
    fresh(team).restore_entry(n, real.device_id, "bundle", bytes(forged))
    assert sync_now(b, fresh(team)).blocked
    told = sync_now(a, fresh(team))
    assert told.blocked is None
    assert told.others_stopped and f"stopped at hub entry {n}, which this computer wrote" in told.others_stopped[0]
    assert membership.sync_status(a).others_stopped == tuple(told.others_stopped)
    assert repair(a.conn, fresh(team)).restored == [n]
    everyone_syncs(team)
    assert sync_now(a, fresh(team)).others_stopped == []
    assert rows_of(a) == rows_of(b)


def test_an_entry_forged_under_the_managers_own_id_is_voided_and_no_longer_reported(make_team):
    # Before: once voided, the manager's computer still reported "B is stopped at hub entry
    # N, which this computer wrote ... run repair" at every sync until B caught up, and the
    # CLI exited non-zero for an entry that was already dealt with.
    team = make_team(2)
    a, b = team.sessions
    everyone_syncs(team)
    me = state.get(a.conn, "device_id")
    n = team.hub.head() + 1
    fresh(team).append(n, me, "bundle", b"CFB1" + b"\x01" * 200)    # a's name, not a's entry
    told_b = sync_now(b, fresh(team))
    assert told_b.blocked and f"hub entry {n}," in told_b.blocked
    told_a = sync_now(a, fresh(team))
    assert told_a.blocked and "this computer's own name but is not what this computer wrote" in told_a.blocked
    blocks.void(a, fresh(team), n, "Written with a copy of the office computer's keys")
    after = sync_now(a, fresh(team))
    assert after.blocked is None and after.others_stopped == []
    everyone_syncs(team)
    assert all(d.blocked is None for d in membership.device_list(a))
    assert rows_of(a) == rows_of(b)
