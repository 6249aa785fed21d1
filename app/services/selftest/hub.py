"""`confide --self-test --hub DIR_OR_URL`: can this folder or server really be a hub?

A folder hub is only as safe as the folder's file system: two computers must never both
believe they claimed the same entry, and a write that was fsynced must read back whole.
Some network shares, synced folders and FUSE file systems fake one or the other, so this
checks them for real, with separate processes racing, and says plainly what fails.
`confide --self-test --hub` calls check_hub() and prints the same lines.
"""

import hashlib
import multiprocessing
import os
import shutil
import uuid
from pathlib import Path

from app.services.selftest.check import Check
from app.storage.hub import claim
from app.storage.hub.location import is_postgres_location

RACE_ROUNDS = 40
RACERS = 2
DURABLE_BYTES = 1024 * 1024


def check_hub(location: str, rounds: int = RACE_ROUNDS, claimer: str | None = None) -> list[Check]:
    """One Check per property, in order; a failed prerequisite ends the list early.
    `claimer` names a claim function "module:function" (tests pass a broken one to prove a
    failure is reported); by default the hub's own way is used.

    May raise: nothing for a bad location: every problem becomes a failed Check.
    """
    if is_postgres_location(location):
        from app.services.selftest.postgres import check_postgres_hub

        return check_postgres_hub(location)
    return _check_folder(Path(location), rounds, claimer)


# -- folder ----------------------------------------------------------------------------------

def _check_folder(root: Path, rounds: int, claimer: str | None) -> list[Check]:
    checks: list[Check] = []
    if not root.is_dir():
        return [Check("folder", False, f"{root} is not a folder that can be reached (is the drive connected?)")]
    scratch = root / f".confide-selftest-{uuid.uuid4().hex[:12]}"
    try:
        scratch.mkdir()
    except OSError as exc:
        return [Check("folder", False, f"cannot create files in {root}: {exc.strerror or exc}")]
    try:
        checks.append(Check("folder", True, f"{root} can be written"))
        links = _links_work(scratch)
        checks.append(Check("hard links", True,
                            "supported: entries are claimed by hard link and appear complete" if links else
                            "not supported: entries are claimed by exclusive create; a torn claim is "
                            "cleared after two minutes"))
        checks.append(_race(scratch, rounds, claimer or ("link" if links else "excl")))
        checks.append(_durable(scratch))
        checks.append(_existing_hub(root))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return checks


def _links_work(scratch: Path) -> bool:
    src = scratch / "link-src"
    src.write_bytes(b"x")
    try:
        os.link(src, scratch / "link-dst")
        return True
    except OSError:
        return False


def claim_with(method: str, path: Path, data: bytes) -> None:
    """Claim `path` the way the folder hub does (May raise: FileExistsError, OSError)."""
    if method == "link":
        claim.claim_by_link(path, path.parent, data)
    elif method == "excl":
        claim.claim_by_exclusive_open(path, data)
    else:
        module, _, name = method.partition(":")
        getattr(__import__(module, fromlist=[name]), name)(path, data)


def _racer(folder: str, method: str, racer: int, rounds: int, barrier, results) -> None:
    won = []
    try:
        for n in range(rounds):
            barrier.wait(timeout=60)
            try:
                claim_with(method, Path(folder) / f"claim-{n}", f"racer {racer} round {n}".encode())
                won.append(n)
            except FileExistsError:
                pass
    except Exception as exc:  # report it, and do not leave the other racer waiting
        barrier.abort()
        results.put((racer, f"{type(exc).__name__}: {exc}"))
        return
    results.put((racer, won))


def _race(scratch: Path, rounds: int, method: str) -> Check:
    name = "exclusive create"
    race_dir = scratch / "race"
    race_dir.mkdir()
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(RACERS), ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(str(race_dir), method, i, rounds, barrier, results), daemon=True)
             for i in range(RACERS)]
    for p in procs:
        p.start()
    try:
        outcome = dict(results.get(timeout=300) for _ in procs)
    except Exception:
        return Check(name, False, "the racing processes did not finish")
    finally:
        for p in procs:
            p.join(timeout=30)
    errors = [v for v in outcome.values() if isinstance(v, str)]
    if errors:
        return Check(name, False, f"a racing process failed: {errors[0]}")
    double, missing, wrong = 0, 0, 0
    for n in range(rounds):
        winners = [r for r, won in outcome.items() if n in won]
        if len(winners) > 1:
            double += 1
        elif not winners:
            missing += 1
        else:
            try:
                content = (race_dir / f"claim-{n}").read_bytes()
            except OSError:
                content = b""
            if content != f"racer {winners[0]} round {n}".encode():
                wrong += 1
    if double or wrong:
        return Check(name, False, f"in {double + wrong} of {rounds} races two processes both believed "
                     "they had claimed the same entry: this folder does not give exclusive create, "
                     "so it cannot be a hub (two computers could overwrite each other's changes)")
    if missing:
        return Check(name, False, f"in {missing} of {rounds} races nobody could claim the entry")
    return Check(name, True, f"{rounds} of {rounds} races between {RACERS} processes had exactly one winner")


def _durable(scratch: Path) -> Check:
    name = "durable writes"
    data = os.urandom(DURABLE_BYTES)
    path = scratch / "durable"
    try:
        claim.write_new(path, data)           # writes, then fsync
        claim.fsync_dir(scratch)
        with open(path, "rb") as handle:      # a new handle: read what the folder kept
            back = handle.read()
    except OSError as exc:
        return Check(name, False, f"writing, flushing (fsync) or reading back failed: {exc.strerror or exc}; "
                     "this folder does not promise that a saved entry survives")
    if hashlib.sha256(back).digest() != hashlib.sha256(data).digest():
        return Check(name, False, f"1 MiB written and flushed read back different ({len(back)} bytes): "
                     "this folder loses or changes data")
    return Check(name, True, "1 MiB written, flushed (fsync) and read back identical")


def _existing_hub(root: Path) -> Check:
    from app.storage.hub import folder

    marker = root / folder.MARKER
    if not marker.exists():
        return Check("hub", True, "no Confide hub here yet ('confide team create --hub' makes one)")
    import json

    try:
        team_id = json.loads(marker.read_text("utf-8"))["team_id"]
        hub = folder.FolderHub(root, team_id)
        head = hub.head()
    except Exception as exc:  # any damage is a finding, not a crash
        return Check("hub", False, f"the hub in this folder cannot be read: {exc}")
    stuck = (root / "entries" / f"{head + 1:012d}.entry").exists()
    detail = f"team {team_id}, {head} entries"
    if stuck:
        detail += f"; entry {head + 1} is incomplete (being written, or torn: cleared after two minutes)"
    return Check("hub", True, detail)
