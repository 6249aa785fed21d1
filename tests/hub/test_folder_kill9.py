"""kill -9 a computer in the middle of appending to a folder hub, again and again: every
entry left is whole, a torn claim is never read, and the next computer carries on."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.storage.hub import folder as folder_mod
from app.storage.hub import record
from app.storage.hub.folder import FolderHub
from tests.hub.kill_writer import payload

ROOT = Path(__file__).resolve().parents[2]


def wait_for_files(folder: Path, count: int, proc, deadline: float) -> None:
    while len(list(folder.iterdir())) < count and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)


@pytest.mark.slow
@pytest.mark.parametrize("links", [False, True], ids=["excl", "link"])
def test_kill_9_while_appending_leaves_only_whole_entries(tmp_path, links):
    hub = FolderHub(tmp_path / "hub", "t1", create=True, use_links=links)
    entries = hub.root / "entries"
    torn_seen = 0
    for round_no in range(5):
        device = f"dev-{round_no}"
        proc = subprocess.Popen([sys.executable, "-m", "tests.hub.kill_writer", str(hub.root), "t1", device,
                                 "1" if links else "0"], cwd=ROOT)
        wait_for_files(entries, len(list(entries.iterdir())) + 2 + round_no, proc, time.monotonic() + 60)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        head = FolderHub(hub.root, "t1").head()
        nxt = entries / f"{head + 1:012d}.entry"
        if nxt.exists():
            torn_seen += 1
            old = time.time() - folder_mod.TORN_GRACE_SECONDS - 5
            os.utime(nxt, (old, old))   # as if two minutes had passed
    reader = FolderHub(hub.root, "t1")
    got = list(reader.read_after(0))
    assert len(got) >= 5 and [e.seq for e in got] == list(range(1, len(got) + 1))
    for entry in got:
        assert entry.payload == payload(entry.device_id, entry.seq)
    for path in (hub.root / "torn").iterdir():   # only torn claims were moved aside
        with pytest.raises(record.TornRecord):
            record.decode(path.read_bytes(), "t1")
    print(f"torn claims left by kill -9: {torn_seen} of 5")
    # The log is not blocked: a new computer appends at once.
    reader.append(reader.head() + 1, "dev-last", "bundle", b"after the kills")
    assert list(reader.read_after(reader.head() - 1))[0].payload == b"after the kills"
    if links:
        assert torn_seen == 0   # a linked entry appears whole or not at all
