"""Named fault-injection points in the sync engine and the hubs (docs/sync.md §16).

The engine calls `point(name)` at a moment where a kill -9 would leave a distinct state, and
`data(name, payload)` where bytes go to the hub. In production nothing is armed and each
call is one test of an empty dict. A test arms a point to raise `SimulatedCrash` (the
operation stops there, as a killed process would: open transactions roll back, bytes already
on the hub stay), to damage the bytes written (a flipped bit), or to tear them (a truncated
write followed by the crash). The simulation (tests/team/sim/) replays such a fault by name
and count instead of by wall-clock kill timing.
"""

from dataclasses import dataclass

# Every point the code calls, so a test can prove each is reached and a typo is refused.
POINTS = (
    "pull.entry",               # sync: inside an entry's transaction, before it is recorded applied
    "push.before_append",       # sync: bundle built and marked in flight, not yet on the hub
    "push.after_append",        # sync: on the hub, not yet finalised here
    "apply.change",             # apply: one remote change written, the entry not yet done
    "snapshot.put",             # snapshot: a piece's bytes about to go to the hub (data point)
    "snapshot.piece",           # snapshot: a piece stored on the hub, the next not yet
    "snapshot.manifest",        # snapshot: every piece stored, the manifest not yet
    "snapshot.restore",         # snapshot: rows copied, the restore's transaction not committed
    "compaction.entry",         # folder hub compaction: some bundle entries already stubbed
    "hub.folder.append",        # folder hub: the record about to be claimed (data point)
    "hub.folder.after_claim",   # folder hub: claimed, the head hint not yet written
    "hub.pg.append",            # PostgreSQL hub: the payload about to be inserted (data point)
    "hub.pg.after_insert",      # PostgreSQL hub: inserted and committed, the caller not yet told
)


class SimulatedCrash(BaseException):
    """A process killed at a named point. A BaseException, so no `except Exception` in the
    engine can swallow it, just as no handler runs after kill -9."""

    def __init__(self, name: str):
        super().__init__(f"simulated crash at {name}")
        self.name = name


@dataclass
class Fault:
    action: str                 # "crash", "corrupt" or "tear"
    skip: int = 0               # let this many calls pass first
    offset: int = 0             # corrupt: which byte (modulo the length); tear: bytes kept
    fired: bool = False


_armed: dict[str, Fault] = {}
fired_log: list[str] = []


def arm(name: str, action: str = "crash", skip: int = 0, offset: int = 0) -> Fault:
    """Make the next call (after `skip` calls) of point `name` fail. May raise: ValueError."""
    if name not in POINTS:
        raise ValueError(f"no fault point named {name!r}")
    if action not in ("crash", "corrupt", "tear"):
        raise ValueError(f"unknown fault action {action!r}")
    fault = Fault(action, skip, offset)
    _armed[name] = fault
    return fault


def disarm() -> None:
    _armed.clear()


def armed() -> bool:
    return bool(_armed)


def _due(name: str) -> Fault | None:
    fault = _armed.get(name)
    if fault is None:
        return None
    if fault.skip > 0:
        fault.skip -= 1
        return None
    del _armed[name]
    fault.fired = True
    fired_log.append(name)
    return fault


def point(name: str) -> None:
    """A moment where the process may be killed. May raise: SimulatedCrash (tests only)."""
    if not _armed:
        return
    if _due(name) is not None:
        raise SimulatedCrash(name)


def data(name: str, payload: bytes, crash_after: str | None = None) -> bytes:
    """Bytes about to be written: returned as they are, damaged or torn when armed. A torn
    write crashes at `crash_after` (the point right after the write)."""
    if not _armed:
        return payload
    fault = _due(name)
    if fault is None:
        return payload
    if fault.action == "crash":
        raise SimulatedCrash(name)
    if fault.action == "corrupt" and payload:
        at = fault.offset % len(payload)
        return payload[:at] + bytes([payload[at] ^ 0x10]) + payload[at + 1:]
    if crash_after is not None:
        _armed[crash_after] = Fault("crash")
    return payload[:fault.offset % max(1, len(payload))]

