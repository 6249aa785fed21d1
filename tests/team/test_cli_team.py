"""The team vault in use, as separate processes: three computers, each its own `confide`
process (tests/cheap_entry.py), meeting through a folder hub and through a real PostgreSQL
hub. Invite, join, demo data and a note reaching the others, a conflict resolved, a computer
revoked (it cannot read what is written after, its pushes are refused), and no plaintext on
the hub. The test process opens a vault only between commands, to write or read records."""

import dataclasses
import re
from pathlib import Path

import psycopg
import pytest

from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.vault.unlock import unlock
from tests.conftest import PASSPHRASE
from tests.security.support import run_cli, stderr_lines, subprocess_env, text_needles
from tests.team.replica import rows_of

pytestmark = pytest.mark.slow  # dozens of `confide` processes: scheduled first (tests/schedule.py)
CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
CANARY_BEFORE = "Quillfeatherine"
CANARY_AFTER = "Marrowdazzle"
CANARY_REVOKED = "Pellinorewick"
HUB_TABLES = ("team", "entries", "revoked_devices", "snapshots")


class Computer:
    def __init__(self, base: Path, name: str):
        self.dir, self.key = base / name, base / f"{name}.key"
        (base / f"{name}-env").mkdir(parents=True, exist_ok=True)
        self.env = subprocess_env(base / f"{name}-env")

    def run(self, *args, user="manager", stdin=PASSPHRASE + "\n"):
        argv = [*args, "--data-dir", self.dir, "--passphrase-stdin", "--device-key-file", self.key]
        if user:
            argv += ["--user", user]
        return run_cli(argv, self.env, stdin, timeout=120)

    def ok(self, *args, **kw):
        result = self.run(*args, **kw)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result

    def session(self):
        return unlock(self.dir, "manager", PASSPHRASE, self.key)


def one_line(result, code: int = 1) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = stderr_lines(result)
    assert len(lines) == 1 and lines[0].startswith("confide: ") and "Traceback" not in result.stderr, lines
    return lines[0]


@pytest.fixture(params=["folder", "postgres"])
def hub(request, tmp_path):
    if request.param == "folder":
        folder = tmp_path / "hub"
        folder.mkdir()
        return {"location": str(folder), "dump": lambda: b"".join(p.read_bytes() for p in folder.rglob("*")
                                                                   if p.is_file())}
    server = request.getfixturevalue("postgres_server")
    names = server.new_hub_database()

    def dump() -> bytes:
        out = []
        with psycopg.connect(server.admin_conninfo(names["dbname"]), autocommit=True) as conn, conn.cursor() as cur:
            for table in HUB_TABLES:
                for fmt in ("text", "binary"):
                    with cur.copy(f"COPY confide.{table} TO STDOUT (FORMAT {fmt})") as copy:
                        out += [bytes(chunk) for chunk in copy]
        return b"".join(out)

    return {"location": names["conninfo"], "dump": dump}


def _invite(a: Computer, tmp_path: Path, device: str) -> tuple[Path, str]:
    out = tmp_path / f"{device}.invite"
    result = a.ok("team", "invite", "--device", device, "--out", out)
    code = result.stdout.strip().splitlines()[-1]
    assert CODE.match(code), result.stdout
    assert code not in out.read_bytes().decode("latin-1")
    return out, code


def _join(c: Computer, invite: Path, code: str):
    return c.run("team", "join", "--from", invite, "--code-stdin", stdin=f"{PASSPHRASE}\n{code}\n")


def _add_person(computer: Computer, last_name: str) -> str:
    s = computer.session()
    try:
        return people.create_person(s, PersonInput(kind="parent_carer", first_name="Ada", last_name=last_name)).id
    finally:
        s.lock("test")


def _rename(computer: Computer, person_id: str, first_name: str) -> None:
    s = computer.session()
    try:
        person = people.get_person(s, person_id)
        data = dataclasses.replace(people.as_input(person), first_name=first_name)
        people.update_person(s, person_id, data)
    finally:
        s.lock("test")


def _snapshot(computer: Computer) -> dict:
    s = computer.session()
    try:
        return {t: r for t, r in rows_of(s).items() if t != "staff"}
    finally:
        s.lock("test")


def _holds(computer: Computer, last_name: str) -> bool:
    s = computer.session()
    try:
        return s.conn.execute("SELECT count(*) FROM person WHERE last_name = ?", (last_name,)).fetchone()[0] > 0
    finally:
        s.lock("test")


def test_invite_join_sync_conflict_revoke(tmp_path, hub):
    a, b, c = (Computer(tmp_path, n) for n in ("office", "laptop", "annexe"))
    a.ok("init", "--full-name", "Test Manager", "--demo")
    a.ok("team", "create", "--hub", hub["location"], "--name", "Northshire SENDIASS")
    # Demo data on a team reaches the others by sync: capture records it (§10).
    a.ok("demo", "--cases", "3", "--staff", "2")
    person = _add_person(a, CANARY_BEFORE)
    assert "pushed" in a.ok("sync").stdout

    invite, code = _invite(a, tmp_path, "Laptop")
    assert "joined Northshire SENDIASS" in b.ok("team", "join", "--from", invite, "--code-stdin",
                                                stdin=f"{PASSPHRASE}\n{code}\n").stdout
    assert _holds(b, CANARY_BEFORE)
    assert b.ok("sync").returncode == 0
    a.ok("sync")
    assert _snapshot(a) == _snapshot(b)

    # The same field changed on both computers: the second to sync holds a conflict (exit 3).
    _rename(a, person, "Adeline")
    _rename(b, person, "Adela")
    a.ok("sync")
    held = b.run("sync")
    assert held.returncode == 3 and "conflicts 1" in held.stdout, (held.stdout, held.stderr)
    listing = b.ok("conflicts", "list").stdout.strip().splitlines()
    assert len(listing) == 1 and "first_name" in listing[0]
    conflict_id = listing[0].split("\t")[0]
    b.ok("conflicts", "resolve", "--id", conflict_id, "--take", "mine")
    assert b.ok("sync").returncode == 0
    a.ok("sync")
    assert _snapshot(a) == _snapshot(b)
    s = a.session()
    try:
        assert people.get_person(s, person).first_name == "Adela"
    finally:
        s.lock("test")

    # A third computer joins and is then revoked.
    invite, code = _invite(a, tmp_path, "Annexe")
    assert _join(c, invite, code).returncode == 0
    listed = a.ok("device", "list").stdout
    assert "Annexe" in listed and "Laptop" in listed
    assert "removed" in a.ok("device", "revoke", "--device", "Annexe").stdout
    assert "Annexe\tstaff\tremoved" in a.ok("device", "list").stdout

    _add_person(c, CANARY_REVOKED)
    line = one_line(c.run("sync"))
    assert "removed" in line or "refused" in line, line
    _add_person(a, CANARY_AFTER)
    a.ok("sync")
    b.ok("sync")
    assert _holds(b, CANARY_AFTER)
    line = one_line(c.run("sync"))
    assert "This computer was removed from the team" in line, line
    assert not _holds(c, CANARY_AFTER)
    assert not _holds(a, CANARY_REVOKED) and not _holds(b, CANARY_REVOKED)

    # The laptop synced past the key change; the manager sees it.
    a.ok("sync")
    assert "Laptop\tstaff\tup to date with the key" in a.ok("device", "list").stdout

    stored = hub["dump"]()
    assert len(stored) > 1000
    needles = {**text_needles("before", CANARY_BEFORE), **text_needles("after", CANARY_AFTER),
               **text_needles("edit", "Adeline"), **text_needles("revoked", CANARY_REVOKED)}
    assert [label for label, needle in needles.items() if needle in stored] == []


def test_join_refusals_are_one_plain_line(tmp_path):
    hub_dir = tmp_path / "hub"
    hub_dir.mkdir()
    a, b = Computer(tmp_path, "office"), Computer(tmp_path, "laptop")
    a.ok("init", "--full-name", "Test Manager")
    a.ok("staff", "add", "--username", "jo", "--full-name", "Jo Bloggs", "--role", "caseworker",
         stdin=f"{PASSPHRASE}\ntemporary words for jo 77\n")
    assert "not part of a team" in one_line(a.run("sync"))
    a.ok("team", "create", "--hub", hub_dir)
    assert "already part of a team" in one_line(a.run("team", "create", "--hub", tmp_path / "hub2"))
    invite, code = _invite(a, tmp_path, "Laptop")

    wrong = "0000-0000-0000" if code != "0000-0000-0000" else "1111-1111-1111"
    assert "does not match" in one_line(_join(b, invite, wrong))
    assert "not an invitation code" in one_line(_join(b, invite, "12345"))
    damaged = tmp_path / "damaged.invite"
    data = bytearray(invite.read_bytes())
    data[-5] ^= 0x40
    damaged.write_bytes(bytes(data))
    assert "does not match" in one_line(_join(b, damaged, code))
    garbage = tmp_path / "garbage.invite"
    garbage.write_bytes(b"not an invitation at all")
    assert "damaged" in one_line(_join(b, garbage, code))
    stranger = b.run("team", "join", "--from", invite, "--code-stdin", user="nobody",
                     stdin=f"{PASSPHRASE}\n{code}\n")
    assert "not an active member of staff" in one_line(stranger)
    assert not b.dir.exists() or not any(b.dir.iterdir())   # nothing half-made is left
    # The same invitation still works after the refusals.
    assert _join(b, invite, code).returncode == 0

    assert "already exists" in one_line(a.run("team", "invite", "--device", "Spare", "--out", invite))
    hub_dir.rename(tmp_path / "hub-gone")
    line = one_line(a.run("sync"))
    assert "hub" in line.lower(), line
