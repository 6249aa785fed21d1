"""The leaver's attack, against real `confide` processes (docs/security.md "Who holds what").

Two office computers, each its own `confide` process with a key-file device secret, meet
through a folder hub. Lee, a caseworker, signs in on the manager's computer and, before
leaving, copies every byte that account can read there: the database, vault.json, the device
key file, and keeps the data key their unlock gave. The manager disables Lee; both computers
sync; a colleague then records a new person. With all of that and the hub, Lee tries to:

  1. read the new person from the hub (every key in the copy, their own staff key too);
  2. get any private key of the computer from the database with the data key alone;
  3. enrol a rogue "manager" computer, signed with the copied computer key;
  4. push a change as the computer under the team key they hold;
  5. make themselves a manager with their own staff key;
  6. open the computer's current database with their old vault.json copy and passphrase;
  7. read the hub's location from the database with the data key alone (this computer keeps
     its device secret in a key file, so the location is in the database, sealed).

Each must end in refusal. Usage:
    python -m tests.security.leaver_attack [--workdir DIR]
Exit 0 when every attack was refused, 1 otherwise (each line says which).
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import keyring

from app.errors import ConfideError
from app.security import kdf, staff_slot
from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.team import authority, control, membership, staff_keys, state
from app.services.vault.unlock import unlock
from app.storage.db import open_database
from app.storage.hub.location import open_hub
from tests.conftest import PASSPHRASE, MemoryKeyring
from tests.security import leaver
from tests.security.support import run_cli, subprocess_env, text_needles

LEE_PASS = "lee's temporary words 4471"
CANARY = "Wolverhollow"


class Computer:
    def __init__(self, base: Path, name: str):
        self.dir, self.key = base / name, base / f"{name}.key"
        (base / f"{name}-env").mkdir(parents=True, exist_ok=True)
        self.env = subprocess_env(base / f"{name}-env")

    def run(self, *args, stdin=PASSPHRASE + "\n"):
        argv = [*args, "--data-dir", self.dir, "--passphrase-stdin", "--device-key-file", self.key,
                "--user", "manager"]
        result = run_cli(argv, self.env, stdin, timeout=180)
        if result.returncode != 0:
            raise RuntimeError(f"confide {' '.join(map(str, args))}: {result.stderr.strip()}")
        return result.stdout

    def attempt(self, *args, stdin=PASSPHRASE + "\n"):
        argv = [*args, "--data-dir", self.dir, "--passphrase-stdin", "--device-key-file", self.key,
                "--user", "manager"]
        return run_cli(argv, self.env, stdin, timeout=180)

    def session(self, user="manager", passphrase=PASSPHRASE):
        return unlock(self.dir, user, passphrase, self.key)


def _setup(base: Path) -> tuple[Computer, Computer, Path]:
    hub = base / "hub"
    hub.mkdir()
    office, annexe = Computer(base, "office"), Computer(base, "annexe")
    office.run("init", "--full-name", "Test Manager")
    office.run("staff", "add", "--username", "lee", "--full-name", "Lee Vere", "--role", "caseworker",
               stdin=f"{PASSPHRASE}\n{LEE_PASS}\n")
    office.run("team", "create", "--hub", hub, "--name", "Northshire SENDIASS")
    invite = base / "annexe.invite"
    code = office.run("team", "invite", "--device", "Annexe", "--out", invite).strip().splitlines()[-1]
    annexe.run("team", "join", "--from", invite, "--code-stdin", stdin=f"{PASSPHRASE}\n{code}\n")
    office.run("sync")
    annexe.run("sync")
    return office, annexe, hub


def _lee_takes_copies(office: Computer, loot_dir: Path) -> dict:
    """Lee signs in on the office computer with their own passphrase and copies what that
    account can read."""
    s = office.session("lee", LEE_PASS)
    try:
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        public, wrap, _ = staff_keys.team_records(s.conn)[s.user.username]
        slot = staff_keys.slot_from_record("lee", public, wrap, s.data_key, s.device_secret, s.vault.vault_id)
        private = staff_slot.open_slot(s.vault.vault_id, slot, LEE_PASS, s.device_secret).private
        taken = {"data_key": s.data_key, "device_secret": s.device_secret, "private": private,
                 "team_id": state.get(s.conn, "team_id")}
    finally:
        s.lock("lee")
    loot_dir.mkdir()
    shutil.copytree(office.dir, loot_dir / "office")
    shutil.copy(office.key, loot_dir / "office.key")
    return taken


def _stopped_then_voided(office: Computer, computers, seq: int) -> str:
    """A forged entry stops every computer's sync before it (never passed over, docs/sync.md
    §4); the manager voids it and everyone carries on. Returns what the computers were told."""
    told = [c.attempt("sync") for c in computers]
    office.run("hub", "void", "--entry", str(seq), "--reason", "written with a leaver's copied keys")
    for c in computers:
        c.run("sync")
    stopped = [r for r in told if r.returncode != 0 and f"{seq}" in r.stderr]
    return (f"sync stopped on {len(stopped)} of {len(told)} computers, then voided: "
            + (stopped[0].stderr.strip().splitlines()[-1] if stopped else "no computer was told"))


def run(base: Path) -> list[tuple[str, bool, str]]:
    """Returns (attack, refused, what happened) for each attack."""
    office, annexe, hub_dir = _setup(base)
    taken = _lee_takes_copies(office, base / "lee")
    copy_db = base / "lee" / "office" / "confide.db"
    hub = open_hub(str(hub_dir), taken["team_id"])
    disabled_at = hub.head()

    s = office.session()
    try:
        assert membership.disable_colleague(s, "lee"), "the key change was not made"
    finally:
        s.lock("test")
    office.run("sync")
    annexe.run("sync")
    s = annexe.session()
    try:
        people.create_person(s, PersonInput(kind="parent_carer", first_name="Ada", last_name=CANARY))
    finally:
        s.lock("test")
    annexe.run("sync")
    office.run("sync")

    out = []
    loot = leaver.plunder(copy_db, taken["data_key"], taken["device_secret"])
    entries = list(hub.read_after(0))
    leaver.try_open_epochs(loot, entries, ("lee", taken["private"]))
    texts = leaver.read_bundles(loot, [e for e in entries if e.seq > disabled_at])
    on_hub = b"".join(p.read_bytes() for p in hub_dir.rglob("*") if p.is_file())
    read = any(CANARY in t for t in texts) or any(n in on_hub for n in text_needles("c", CANARY).values())
    out.append(("read the new person from the hub", not read,
                f"team keys opened: {sorted(loot.epoch_keys)}; bundles after leaving read: {len(texts)}"))

    secrets = leaver.data_key_only_secrets(copy_db, taken["data_key"])
    out.append(("private keys from the database with the data key alone", not secrets,
                f"{len(secrets)} found"))
    conn = open_database(copy_db, taken["data_key"])
    try:
        raw_state = " ".join(r[0] for r in conn.execute("SELECT value FROM sync_state"))
    finally:
        conn.close()
    out.append(("the hub's location from the database with the data key alone (key-file computer)",
                str(hub_dir) not in raw_state, "found" if str(hub_dir) in raw_state else "sealed"))

    head = hub.head()
    hub.append(head + 1, loot.device_id, "control", leaver.forged_enrol(loot, "manager"))
    told = _stopped_then_voided(office, (office, annexe), head + 1)
    listed = office.run("device", "list") + annexe.run("device", "list")
    out.append(("enrol a rogue manager's computer with the copied computer key",
                "Manager laptop" not in listed and "stopped on 2 of 2" in told,
                "device lists name it" if "Manager laptop" in listed else told))

    s = office.session()
    try:
        me = state.device(s.conn, loot.device_id)
        before = s.conn.execute("SELECT count(*) FROM person").fetchone()[0]
    finally:
        s.lock("test")
    change = {"table": "person", "key": ["rogue-person"], "before": None,
              "after": {"id": "rogue-person", "kind": "parent_carer", "first_name": "Rogue",
                        "last_name": "Entry"}}
    seq = hub.head() + 1
    hub.append(seq, loot.device_id, "bundle",
               leaver.forged_bundle(loot, me.last_dseq + 1, me.last_hash, [change], hub.head()))
    told = _stopped_then_voided(office, (office, annexe), seq)
    s = annexe.session()
    try:
        after = s.conn.execute("SELECT count(*) FROM person").fetchone()[0]
    finally:
        s.lock("test")
    out.append(("push a change as the computer under the old team key", after == before and "stopped on 2" in told,
                told))

    body = {"team": taken["team_id"], "type": "authority", "by": loot.device_id, "staff": "lee",
            "at": "2026-01-05T10:00:00+00:00", "user": "lee",
            "sign": authority.sign_pub(taken["private"]), "manager": True}
    seq = hub.head() + 1
    hub.append(seq, loot.device_id, "control", control.seal(body, authority.signing_key(taken["private"])))
    _stopped_then_voided(office, (office, annexe), seq)
    s = annexe.session()
    try:
        managers = authority.active_managers(s.conn)
    finally:
        s.lock("test")
    out.append(("make themselves a manager with their own staff key", "lee" not in managers,
                f"managers: {sorted(managers)}"))

    # The old vault.json and key file, their passphrase, against today's database.
    trial = base / "lee-trial"
    shutil.copytree(base / "lee" / "office", trial)
    shutil.copy(office.dir / "confide.db", trial / "confide.db")
    for suffix in ("-wal", "-shm"):
        (trial / f"confide.db{suffix}").unlink(missing_ok=True)
        if (office.dir / f"confide.db{suffix}").exists():
            shutil.copy(office.dir / f"confide.db{suffix}", trial / f"confide.db{suffix}")
    try:
        open_database(trial / "confide.db", taken["data_key"]).close()
        opened = True
    except ConfideError:
        opened = False
    try:
        unlock(trial, "lee", LEE_PASS, base / "lee" / "office.key").lock("test")
        opened = True
    except ConfideError:
        pass
    out.append(("open the computer's current database with the old copies", not opened,
                "opened" if opened else "refused"))
    hub.close()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory() as tmp:
        base = args.workdir or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        results = run(base)
    for attack, refused, note in results:
        print(f"{'REFUSED' if refused else 'SUCCEEDED'}  {attack}: {note}")
    return 0 if all(r for _, r, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
