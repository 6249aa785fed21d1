"""kill -9 during pull, apply and push: every replica syncs on and the team converges."""

import random

import pytest

from app.services.team import capture
from app.services.team.sync import sync_conn
from tests.team.conftest import Team
from tests.team.file_hub import FileHub
from tests.team.kill_support import integrity_problems_fresh, run_and_kill
from tests.team.replica import rows_of


@pytest.mark.slow
def test_kill9_during_push_and_pull_leaves_replicas_that_sync_on(tmp_path, template_root):
    hub = FileHub(tmp_path / "hub")
    team = Team(tmp_path / "team", hub, template_root)
    a, b = team.add("computer1"), team.add("computer2")
    rng = random.Random(12)
    for round_ in range(3):
        run_and_kill(a.paths.db, hub.folder, "write", a.data_key, tmp_path / f"a{round_}.log", rng,
                     device_secret=a.device_secret)
        run_and_kill(b.paths.db, hub.folder, "pull", b.data_key, tmp_path / f"b{round_}.log", rng,
                     device_secret=b.device_secret)
    for s in (a, b, a, b):
        sync_conn(s.conn, hub, "manager")
    assert capture.pending_count(a.conn) == 0
    assert rows_of(a) == rows_of(b)
    people = a.conn.execute("SELECT count(*) FROM person WHERE last_name = 'Kill'").fetchone()[0]
    assert people > 0
    for s in (a, b):
        assert integrity_problems_fresh(s) == []
        assert s.conn.execute("SELECT count(*) FROM sync_refused").fetchone()[0] == 0
    team.close()
