"""Named fault points (docs/sync.md §16): each is placed once, costs nothing unarmed, and a
crash or torn write at one leaves a state the next sync carries on from."""

import ast
import time
from pathlib import Path

import pytest

from app import faults
from app.services.casework import notes
from app.services.team import team as engine
from app.services.team.sync import sync_conn
from app.storage.hub import torn
from app.storage.hub.folder import FolderHub
from tests.team.conftest import new_vault
from tests.team.replica import seed_case

TEAM = "0190a0b0-0000-7000-8000-00000000fa17"
APP = Path(__file__).resolve().parents[2] / "app"


def _calls() -> list[str]:
    names = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    isinstance(node.func.value, ast.Name) and node.func.value.id == "faults" and \
                    node.func.attr in ("point", "data"):
                names.append(node.args[0].value)
    return names


def test_every_named_point_is_placed_exactly_once():
    assert sorted(_calls()) == sorted(faults.POINTS)


def test_an_unknown_point_is_refused():
    with pytest.raises(ValueError):
        faults.arm("push.after_apend")


def test_unarmed_points_cost_next_to_nothing():
    faults.disarm()
    started = time.perf_counter()
    for _ in range(100_000):
        faults.point("pull.entry")
    assert time.perf_counter() - started < 1.0      # ~10 ms on an idle machine


@pytest.fixture
def pair(tmp_path, template_root):
    hub = FolderHub(tmp_path / "hub", TEAM, create=True)
    first = new_vault(template_root, tmp_path / "one")
    engine.create_team(first, hub, "Northshire SENDIASS", team_id=TEAM)
    second = new_vault(template_root, tmp_path / "two")
    engine.join_team(second, FolderHub(tmp_path / "hub", TEAM), engine.invite_device(first, hub, "two"))
    yield hub, first, second
    faults.disarm()


def _sync(session, hub):
    return sync_conn(session.conn, hub, "manager")


def _own_entries(hub, session, after):
    me = session.conn.execute("SELECT value FROM sync_state WHERE key = 'device_id'").fetchone()[0].strip('"')
    return [e.seq for e in hub.read_after(after) if e.device_id == me]


def _count(session, text):
    return session.conn.execute("SELECT count(*) FROM note WHERE body = ?", (text,)).fetchone()[0]


@pytest.mark.parametrize("point", ["push.before_append", "push.after_append", "hub.folder.after_claim"])
def test_a_crash_while_pushing_loses_nothing_and_doubles_nothing(pair, point):
    hub, first, second = pair
    case_id = seed_case(first)
    notes.add_note(first, case_id, "phone_call", "2026-01-05", 5, "said once")
    faults.arm(point)
    head = hub.head()
    with pytest.raises(faults.SimulatedCrash):
        _sync(first, hub)
    assert not first.conn.in_transaction
    _sync(first, hub)
    _sync(second, hub)
    assert len(_own_entries(hub, first, head)) == 1
    assert _count(first, "said once") == _count(second, "said once") == 1


def test_a_torn_claim_is_cleared_and_the_entry_written_again(pair, monkeypatch):
    hub, first, second = pair
    monkeypatch.setattr(torn, "TORN_GRACE_SECONDS", 0)     # the two minutes have passed
    case_id = seed_case(first)
    notes.add_note(first, case_id, "phone_call", "2026-01-05", 5, "said once")
    head = hub.head()
    fault = faults.arm("hub.folder.append", "tear", offset=40)
    with pytest.raises(faults.SimulatedCrash):
        _sync(first, hub)
    assert fault.fired and hub.head() == head            # the torn record is not an entry
    _sync(first, hub)
    _sync(second, hub)
    assert len(_own_entries(hub, first, head)) == 1
    assert _count(second, "said once") == 1


def test_a_crash_while_applying_rolls_the_entry_back_and_it_is_applied_later(pair):
    hub, first, second = pair
    case_id = seed_case(first)
    notes.add_note(first, case_id, "phone_call", "2026-01-05", 5, "said once")
    _sync(first, hub)
    faults.arm("pull.entry", skip=0)
    before = second.conn.execute("SELECT value FROM sync_state WHERE key = 'last_applied_seq'").fetchone()
    with pytest.raises(faults.SimulatedCrash):
        _sync(second, hub)
    assert second.conn.execute("SELECT value FROM sync_state WHERE key = 'last_applied_seq'").fetchone() == before
    _sync(second, hub)
    assert _count(second, "said once") == 1
