"""`any_hub`: the same contract tests against every hub back end.

folder-link: the folder hub claiming by hard link (local disks, most network shares);
folder-excl: the folder hub claiming by exclusive open (FAT/exFAT sticks, shares without
links); postgres: the PostgreSQL hub on a real server set up by IT's own script.
"""

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from app.storage.hub.folder import FolderHub
from app.storage.hub.postgres import PostgresHub

TABLES = ("team", "entries", "revoked_devices", "snapshots", "snapshot_pieces")



@dataclass
class HubUnderTest:
    kind: str
    location: str
    team_id: str
    server: object = None
    names: dict = field(default_factory=dict)
    opened: list = field(default_factory=list)
    logins: dict = field(default_factory=dict)

    @property
    def use_links(self):
        return {"folder-link": True, "folder-excl": False}.get(self.kind)

    def location_for(self, device: str | None) -> str:
        """Where computer `device` opens the hub: on PostgreSQL a login of its own, made by
        the founding (manager's) login as an invitation would; the founding login itself
        for None."""
        if self.kind != "postgres" or device is None:
            return self.location
        if device not in self.logins:
            founder = PostgresHub(self.location, self.team_id)
            try:
                self.logins[device] = founder.add_device_login(device)
            finally:
                founder.close()
        return self.logins[device]

    def open(self, create: bool = False, device: str | None = None):
        if self.kind == "postgres":
            hub = PostgresHub(self.location_for(device), self.team_id, create=create)
        else:
            hub = FolderHub(self.location, self.team_id, create=create, use_links=self.use_links)
        self.opened.append(hub)
        return hub

    def admin(self):
        """A superuser connection to this hub's database (postgres only)."""
        return psycopg.connect(self.server.admin_conninfo(self.names["dbname"]), autocommit=True)

    def remove_entry(self, seq: int) -> None:
        """Make a gap, as damage or a careless compaction would (never the device's own doing)."""
        if self.kind == "postgres":
            with self.admin() as conn:
                conn.execute("DELETE FROM confide.entries WHERE seq = %s", (seq,))
        else:
            (Path(self.location) / "entries" / f"{seq:012d}.entry").unlink()

    def stored_bytes(self) -> bytes:
        """Everything the hub holds: every file under the folder, or every row of every
        table dumped with COPY (text and binary formats)."""
        if self.kind != "postgres":
            return b"".join(p.read_bytes() for p in sorted(Path(self.location).rglob("*")) if p.is_file())
        out = []
        with self.admin() as conn, conn.cursor() as cur:
            for table in TABLES:
                for fmt in ("text", "binary"):
                    with cur.copy(f"COPY confide.{table} TO STDOUT (FORMAT {fmt})") as copy:
                        out += [bytes(chunk) for chunk in copy]
        return b"".join(out)


def reset_logins(conn, founder: str) -> None:
    """Between tests: computers' logins dropped, the founding login unbound and enabled."""
    for (role,) in conn.execute("SELECT role_name FROM confide.device_logins WHERE role_name <> %s",
                                (founder,)).fetchall():
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    conn.execute("DELETE FROM confide.device_logins WHERE role_name <> %s", (founder,))
    conn.execute("UPDATE confide.device_logins SET device_id = NULL, disabled_at = NULL")
    conn.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(founder)))


@pytest.fixture(scope="session")
def shared_pg_hub(postgres_server):
    """One hub database made by IT's script for the whole run; each test empties it (a new
    database per test would cost a second each)."""
    return postgres_server.new_hub_database()


@pytest.fixture
def hub_setup(request, tmp_path):
    kind = request.param
    team = f"team-{uuid.uuid4().hex[:8]}"
    if kind == "postgres":
        server = request.getfixturevalue("postgres_server")
        names = request.getfixturevalue("shared_pg_hub")
        with psycopg.connect(server.admin_conninfo(names["dbname"]), autocommit=True) as conn:
            conn.execute("TRUNCATE " + ", ".join(f"confide.{t}" for t in TABLES))
            reset_logins(conn, names["founder_role"])
        hut = HubUnderTest(kind, names["conninfo"], team, server=server, names=names)
    else:
        hut = HubUnderTest(kind, str(tmp_path / "hub"), team)
    yield hut
    for hub in hut.opened:
        hub.close()


HUB_KINDS = ["folder-link", "folder-excl", "postgres"]


def pytest_generate_tests(metafunc):
    if "hub_setup" in metafunc.fixturenames:
        kinds = getattr(metafunc.module, "HUB_KINDS", HUB_KINDS)
        metafunc.parametrize("hub_setup", kinds, indirect=True)


@pytest.fixture
def any_hub(hub_setup):
    return hub_setup.open(create=True)


@pytest.fixture
def hub_setup_pg_names(shared_pg_hub):
    """The shared PostgreSQL hub's names (conninfo, device role and password)."""
    return shared_pg_hub
