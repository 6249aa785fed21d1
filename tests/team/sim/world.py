"""The simulated team: computers in one process, each with its own vault and its own hub
object (as separate processes would have), meeting through a folder or PostgreSQL hub.

Everything random comes from one `random.Random(seed)`; record ids and times differ between
runs, but every choice (which computer, which action, which record by position, which fault)
is the seed's, so a failing run replays by seed."""

import random
from dataclasses import dataclass, field
from pathlib import Path

from app import faults
from app.services.team import state
from app.services.team import team as engine
from app.storage.hub import torn
from app.storage.hub.folder import FolderHub
from app.storage.hub.postgres import PostgresHub
from tests.team.conftest import new_vault

TEAM = "0190a0b0-0000-7000-8000-0000000051a0"


SIM_PIECE_BYTES = 64 * 1024


@dataclass
class Computer:
    name: str
    kind: str                       # "office" or "laptop"
    session: object
    hub: object
    index: int

    @property
    def conn(self):
        return self.session.conn

    @property
    def laptop(self) -> bool:
        return self.kind == "laptop"

    def applied(self) -> int:
        return state.last_applied(self.conn)


@dataclass
class Marker:
    """A note whose text is unique: once the hub holds it, it must stay, exactly once."""
    text: str
    by: int
    case_id: str
    note_id: str
    step: int
    accepted: bool = False


@dataclass
class Options:
    offices: int = 3
    laptops: int = 1
    faults: bool = True
    damage: bool = True             # bytes damaged on the way to the hub, then `hub repair`
    corrections: bool = True        # enquiry corrections while laptops hold cases
    resolve_conflicts: bool = True  # resolve at random (mine/theirs), as people do
    shared_fields: bool = True      # several offices edit the same field of a person (conflicts)
    compaction: bool = True         # snapshots and compaction (forced at times)
    erasure: bool = False           # the manager's computer erases closed cases (docs/lifecycle.md)
    settle_every: int = 25


@dataclass
class World:
    seed: int
    root: Path
    template_root: Path
    hub_kind: str = "folder"
    pg_server: object = None
    options: Options = field(default_factory=Options)
    computers: list = field(default_factory=list)
    markers: dict = field(default_factory=dict)
    erased: set = field(default_factory=set)       # case ids erased: held nowhere once settled
    # (table, id, field) -> (computer index, value): fields each computer alone writes.
    owned: dict = field(default_factory=dict)
    log: list = field(default_factory=list)
    refusals: list = field(default_factory=list)
    repaired: int = 0                               # entries put back by 'hub repair'
    blocked: list = field(default_factory=list)    # (step, computer, message): sync stopped
    fired: dict = field(default_factory=dict)      # fault kind -> how many fired
    compared: dict = field(default_factory=dict)   # digest comparisons already made (invariants)
    marker_counts: dict = field(default_factory=dict)   # computer index -> (state, marker text -> count)
    step: int = 0
    counter: int = 0

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self._grace = torn.TORN_GRACE_SECONDS
        # Simulated time passes between steps: a torn claim is old enough to clear at once.
        torn.TORN_GRACE_SECONDS = 0
        faults.disarm()
        self.root.mkdir(parents=True, exist_ok=True)
        self._pg_names = self.pg_server.new_hub_database() if self.hub_kind == "postgres" else None
        self._logins: dict[str, str] = {}
        hub = self.open_hub(create=True)
        self.admin_hub = self.open_hub(admin=True)
        first = new_vault(self.template_root, self.root / "office1")
        engine.create_team(first, hub, "Northshire SENDIASS", team_id=TEAM)
        self.computers.append(Computer("office1", "office", first, hub, 0))
        for n in range(2, self.options.offices + 1):
            self._join(f"office{n}", "office")
        for n in range(1, self.options.laptops + 1):
            self._join(f"laptop{n}", "laptop")

    def _join(self, name: str, kind: str) -> None:
        session = new_vault(self.template_root, self.root / name)
        invitation = engine.invite_device(self.computers[0].session, self.computers[0].hub, name)
        # On PostgreSQL each computer has its own login, made by the invitation (docs/hub.md).
        if invitation.get("hub_login"):
            self._logins[name] = invitation["hub_login"]
        hub = self.open_hub(name=name)
        if kind == "laptop":
            invitation = {**invitation, "kind": "laptop"}
        engine.join_team(session, hub, invitation)
        self.computers.append(Computer(name, kind, session, hub, len(self.computers)))

    def open_hub(self, admin: bool = False, create: bool = False, name: str | None = None):
        if self.hub_kind == "postgres":
            if admin:
                hub = PostgresHub(self.pg_server.admin_conninfo(self._pg_names["dbname"]), TEAM)
            else:
                hub = PostgresHub(self._logins.get(name, self._pg_names["conninfo"]), TEAM, create=create)
        else:
            hub = FolderHub(self.root / "hub", TEAM, create=create)
        # Small pieces, so a snapshot has several and a crash can fall between them.
        hub.piece_bytes = SIM_PIECE_BYTES
        return hub

    def restart(self, c: Computer) -> None:
        """After a simulated kill: what was not committed is gone, the hub is reopened."""
        if c.conn.in_transaction:
            c.conn.execute("ROLLBACK")
        c.hub.close()
        c.hub = self.open_hub(name=c.name)

    def offices(self) -> list[Computer]:
        return [c for c in self.computers if not c.laptop]

    def laptops(self) -> list[Computer]:
        return [c for c in self.computers if c.laptop]

    def pick(self, items):
        return items[self.rng.randrange(len(items))] if items else None

    def unique(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.seed}-{self.counter}"

    def note(self, *what) -> None:
        self.log.append((self.step, *what))

    def close(self) -> None:
        faults.disarm()
        torn.TORN_GRACE_SECONDS = self._grace
        for c in self.computers:
            if not c.session.locked:
                if c.conn.in_transaction:
                    c.conn.execute("ROLLBACK")
                c.session.lock("sim")
            c.hub.close()
        self.admin_hub.close()
