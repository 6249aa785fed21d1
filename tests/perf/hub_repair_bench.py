"""Figures for `confide hub check` and `confide hub repair` (docs/sync.md §15).

Targets: check of a 10,000-entry hub under 30 s; repair after damaging 1% of its entries
under 60 s. On the folder hub and on a real PostgreSQL (started from the system's binaries;
skipped with a note when there are none).

Usage: nice .venv/bin/python -m tests.perf.hub_repair_bench [--entries 10000] [--hub folder|postgres|both]
       [--reader]   (a second computer also applies every entry and checks; slower to set up)

The writer's 10,000 bundles are sealed and appended directly (real bundles: its device
key, its chain, the team key, ~1 KB of incompressible body each), and recorded as the
engine records its own pushes (a copy each, its chain and last applied entry advanced), so
setting up takes seconds, not the hours 10,000 real syncs would (on the folder hub the
records are written straight into entries/, without FolderHub.append's fsyncs). Damage: on the folder hub a
flipped byte in the middle of 1% of the entry files (damaged records); on PostgreSQL a
flipped payload byte in 1% of the rows, as someone with the owner's rights could (whole rows
whose signatures fail: repaired through the owner's connection). Each timed step prints its
wall and CPU seconds: on the shared 2-core machine the wall clock mostly measures the queue.
"""

import argparse
import base64
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import keyring
from uuid6 import uuid7

from app.security import kdf
from app.services.team import bundle, copies, state
from app.services.team import team as team_service
from app.services.team.hub_care.check import check
from app.services.team.hub_care.repair import repair
from app.services.team.sync import sync_now
from app.storage import migrations
from app.storage.db import transaction
from app.storage.hub import record
from app.storage.hub.folder import FolderHub
from app.storage.hub.postgres import PostgresHub
from tests.conftest import MemoryKeyring
from tests.pgserver import PostgresServer, find_bindir
from tests.team import conftest as team_conftest
from tests.team.conftest import new_vault

TARGET_CHECK, TARGET_REPAIR = 30.0, 60.0


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _write_entries(session, hub, n: int, rng: random.Random) -> None:
    conn = session.conn
    me_id = state.get(conn, "device_id")
    me = state.device(conn, me_id)
    epoch, key = state.current_epoch(conn)
    priv = state.get(conn, "sign_priv")
    dseq, prev, seq = me.last_dseq, me.last_hash, state.last_applied(conn)
    written = []
    for _ in range(n):
        dseq, seq = dseq + 1, seq + 1
        header = {"team": state.get(conn, "team_id"), "device": me_id, "dseq": dseq, "prev": prev,
                  "schema": migrations.CURRENT_VERSION, "epoch": epoch, "base": seq - 1,
                  "at": datetime.now(UTC).isoformat(timespec="seconds")}
        body = {"changes": [], "audit": [], "pad": base64.b64encode(rng.randbytes(700)).decode()}
        payload = bundle.seal(header, body, key, priv)
        if isinstance(hub, FolderHub):
            # The record FolderHub.append writes, without its two fsyncs per entry (~90 ms
            # each on this shared disk): the figures are for check and repair, not appends.
            data = record.encode({"team_id": hub.team_id, "seq": seq, "device_id": me_id, "kind": "bundle",
                                  "created_at": header["at"]}, payload)
            (Path(hub.root) / "entries" / f"{seq:012d}.entry").write_bytes(data)
        else:
            hub.append(seq, me_id, "bundle", payload)
        written.append((seq, payload))
        prev = bundle.bundle_hash(payload)
    with transaction(conn):
        for s, payload in written:
            copies.keep(conn, s, me_id, "bundle", payload, own=True)
        state.advance_device(conn, me_id, dseq, prev, seq)
        state.put(conn, "last_applied_seq", seq)


def run(kind: str, n: int, root: Path, reader: bool, server=None) -> dict:
    rng = random.Random(20261207)
    team_id = str(uuid7())
    if server is None:
        location = str(root / "hub")
        hub = FolderHub(location, team_id, create=True)
        admin = hub
    else:
        names = server.new_hub_database()
        hub = PostgresHub(names["conninfo"], team_id, create=True)
        admin = PostgresHub(server.admin_conninfo(names["dbname"]), team_id)
    template = root / "template-root"
    team_conftest._TEMPLATE.clear()     # a template vault per run: the last one's folder is gone
    a = new_vault(template, root / "writer")
    team_service.create_team(a, hub, "Northshire SENDIASS", team_id=team_id)
    b = None
    if reader:
        b = new_vault(template, root / "reader")
        team_service.join_team(b, hub, team_service.invite_device(a, hub, "reader"))
    _, t_write, _ = _timed(lambda: _write_entries(a, hub, n, rng))
    if b is not None:
        _, t_apply, _ = _timed(lambda: sync_now(b, hub))
    report, t_check, c_check = _timed(lambda: check(a.conn, hub))
    assert report.ok, [f.words for f in report.findings[:3]]
    first = state.last_applied(a.conn) - n + 1
    damaged = sorted(rng.sample(range(first, first + n), max(1, n // 100)))
    _damage(kind, hub, admin, damaged, root)
    found, t_found, _ = _timed(lambda: check(a.conn, hub))
    assert sorted(f.seq for f in found.findings) == damaged, len(found.findings)
    fixed, t_repair, c_repair = _timed(lambda: repair(a.conn, admin))
    assert fixed.restored == damaged and fixed.after.ok, fixed.left[:3]
    result = {"hub": kind, "entries": n, "damaged": len(damaged), "write_s": round(t_write, 1),
              "check_s": round(t_check, 2), "check_cpu_s": round(c_check, 2),
              "check_damaged_s": round(t_found, 2), "repair_s": round(t_repair, 2),
              "repair_cpu_s": round(c_repair, 2), "repaired": len(fixed.restored)}
    if b is not None:
        r2, t_check_b, _ = _timed(lambda: check(b.conn, hub))
        result.update(reader_apply_s=round(t_apply, 1), reader_check_s=round(t_check_b, 2), reader_ok=r2.ok)
    for s in (a, b):
        if s is not None:
            s.lock("bench")
    hub.close()
    if admin is not hub:
        admin.close()
    return result


def _damage(kind: str, hub, admin, seqs: list[int], root: Path) -> None:
    if kind == "folder":
        for s in seqs:
            path = Path(hub.root) / "entries" / f"{s:012d}.entry"
            data = bytearray(path.read_bytes())
            data[len(data) // 2] ^= 0x10
            path.write_bytes(bytes(data))
        return
    for s in seqs:
        admin._exec("UPDATE confide.entries SET payload = overlay(payload PLACING "
                    "decode(lpad(to_hex(get_byte(payload, length(payload) / 2) # 16), 2, '0'), 'hex') "
                    "FROM length(payload) / 2 + 1 FOR 1) WHERE seq = %s", (s,))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--hub", choices=["folder", "postgres", "both"], default="both")
    parser.add_argument("--reader", action="store_true")
    args = parser.parse_args(argv)
    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(MemoryKeyring())
    results = []
    if args.hub in ("folder", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(run("folder", args.entries, Path(tmp), args.reader))
    if args.hub in ("postgres", "both"):
        bindir = find_bindir()
        if bindir is None:
            print("[postgres] skipped: no PostgreSQL server binaries on this computer")
        else:
            server = PostgresServer(bindir)
            server.start()
            try:
                with tempfile.TemporaryDirectory() as tmp:
                    os.chmod(tmp, 0o755)
                    results.append(run("postgres", args.entries, Path(tmp), args.reader, server))
            finally:
                server.stop()
    for r in results:
        print(f"[{r['hub']}] {r['entries']:,} entries: hub check {r['check_s']} s (CPU {r['check_cpu_s']} s; "
              f"target < {TARGET_CHECK:.0f} s); {r['damaged']} damaged (1%): found in {r['check_damaged_s']} s, "
              f"repaired in {r['repair_s']} s (CPU {r['repair_cpu_s']} s; target < {TARGET_REPAIR:.0f} s, "
              "check after included)")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
