"""README "Setting up a PostgreSQL hub", followed literally: from an empty server to two joined
computers over TLS with sslmode=verify-full, then the runbook's backup and compaction.

Every command this test runs is first found, word for word, in the README (README_COMMANDS),
so the runbook cannot drift from what was proved. What differs here, and only here, is where
things are: the server is a throwaway cluster (tests/pgserver.py) in a temporary folder, so
`/etc/postgresql/15/main` is its data folder, `sudo -u postgres` is `runuser -u postgres --`
(the test runs as root; as anyone else the cluster is that account's), psql finds the server
through PGHOST/PGPORT, and the office network is 127.0.0.1. The computers reach the server as
`hub.example.org` (the certificate's name) at 127.0.0.1 (`hostaddr`), and trust the CA named
in the address (`sslrootcert`, the runbook's alternative to the computer-wide CA file, which a
test must not write). Each computer is a separate `confide` process with its own folder.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PASSPHRASE
from tests.pgserver import PostgresServer, find_bindir
from tests.security.support import run_cli, subprocess_env

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text("utf-8")
pytestmark = pytest.mark.slow

DB, FOUNDER, MAINTAINER = "confide_northshire", "confide_northshire_founder", "confide_northshire_maintainer"
CONF_DIR = "/etc/postgresql/15/main"
FOUNDER_PASSWORD = "founding words for the hub 1"
MAINTAINER_PASSWORD = "maintenance words for the hub 2"

# The runbook's commands and configuration lines, exactly as the README gives them.
SETUP_SQL_OUT = "confide hub setup-sql --out postgres-setup.sql"
INSTALL_SQL = "install -m 644 postgres-setup.sql /tmp/postgres-setup.sql"
RUN_SQL = "sudo -u postgres psql -v dbname=confide_northshire -f /tmp/postgres-setup.sql"
FOUNDER_PW = "sudo -u postgres psql -c '\\password confide_northshire_founder'"
CERTIFICATE = [
    'openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/CN=Confide hub CA" -keyout hub-ca.key -out hub-ca.crt',
    'openssl req -newkey rsa:3072 -nodes -subj "/CN=hub.example.org" -keyout server.key -out server.csr',
    'openssl x509 -req -in server.csr -CA hub-ca.crt -CAkey hub-ca.key -CAcreateserial -days 825 -extfile '
    '<(printf "subjectAltName=DNS:hub.example.org") -out server.crt',
    "install -o postgres -g postgres -m 600 server.key /etc/postgresql/15/main/server.key",
    "install -o postgres -g postgres -m 644 server.crt /etc/postgresql/15/main/server.crt",
]
POSTGRESQL_CONF = [
    "listen_addresses = '*'",
    "ssl = on",
    "ssl_cert_file = '/etc/postgresql/15/main/server.crt'",
    "ssl_key_file = '/etc/postgresql/15/main/server.key'",
    "ssl_min_protocol_version = 'TLSv1.2'",
    "password_encryption = 'scram-sha-256'",
]
PG_HBA = [
    "hostssl confide_northshire +confide_northshire_device 10.0.0.0/24 scram-sha-256",
    "host    all                +confide_northshire_device all         reject",
    "hostssl confide_northshire confide_northshire_maintainer 10.0.0.5/32 scram-sha-256",
]
ADDRESS = "postgresql://confide_northshire_founder@hub.example.org/confide_northshire"
SELF_TEST = f"confide --self-test --hub '{ADDRESS}'"
TEAM_CREATE = f"confide team create --user YOUR_NAME --hub '{ADDRESS}'"
BACKUP = "sudo -u postgres pg_dump -Fc confide_northshire > /var/backups/confide_northshire.dump"
MAINTAINER_PW = "sudo -u postgres psql -c '\\password confide_northshire_maintainer'"
COMPACT = ("confide hub compact "
           "'postgresql://confide_northshire_maintainer:PASSWORD@hub.example.org/confide_northshire'")
MAINTAINER_OFF = "sudo -u postgres psql -c 'ALTER ROLE confide_northshire_maintainer PASSWORD NULL'"
README_COMMANDS = [SETUP_SQL_OUT, INSTALL_SQL, RUN_SQL, FOUNDER_PW, *CERTIFICATE, *POSTGRESQL_CONF, *PG_HBA,
                   SELF_TEST, TEAM_CREATE, BACKUP, MAINTAINER_PW, COMPACT, MAINTAINER_OFF]


def test_every_command_run_here_is_written_in_the_readme():
    missing = [c for c in README_COMMANDS if c not in README]
    assert missing == [], missing


class Server:
    """The runbook's server: a cluster of its own, configured by the runbook's lines."""

    def __init__(self, work: Path):
        bindir = find_bindir()
        if bindir is None or not shutil.which("openssl"):
            pytest.skip("needs PostgreSQL's server binaries and openssl")
        self.pg = PostgresServer(bindir)
        self.pg.start()
        self.work = work
        self.conf = self.pg.data
        self.env = {**os.environ, "PGHOST": str(self.pg.base), "PGPORT": str(self.pg.port)}

    def here(self, command: str) -> str:
        """A runbook command with this server's places."""
        command = command.replace(CONF_DIR, str(self.conf)).replace("/var/backups/", f"{self.work}/")
        if self.pg.as_root:
            return command.replace("sudo -u postgres ", "runuser -u postgres -- ")
        return command.replace("sudo -u postgres ", "").replace("-o postgres -g postgres ", "")

    def shell(self, command: str, stdin: str = "", cwd: Path | None = None) -> str:
        result = subprocess.run(["bash", "-c", self.here(command)], input=stdin, capture_output=True, text=True,
                                cwd=cwd or self.work, env=self.env, timeout=300)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        return result.stdout

    def configure(self) -> None:
        conf = self.conf / "postgresql.conf"
        lines = [self.here(line) for line in POSTGRESQL_CONF] + ["log_connections = on"]   # to check TLS below
        conf.write_text(conf.read_text() + "\n" + "\n".join(lines) + "\n")
        hba = self.conf / "pg_hba.conf"
        ours = [line.replace("10.0.0.0/24", "127.0.0.1/32").replace("10.0.0.5/32", "127.0.0.1/32") for line in PG_HBA]
        hba.write_text("\n".join(ours) + "\n" + hba.read_text())    # above every `host all all` line
        # The runbook restarts the service; here the cluster is restarted by its own pg_ctl.
        out = self.pg._run([str(self.pg.bindir / "pg_ctl"), "-D", str(self.pg.data), "-m", "fast", "-w",
                            "-l", str(self.pg.base / "server.log"), "restart", "-o", f"-p {self.pg.port} -k {self.pg.base} -c listen_addresses=127.0.0.1 -c fsync=off"])
        assert out.returncode == 0, out.stderr

    def log(self) -> str:
        return (self.pg.base / "server.log").read_text(errors="replace")


class Computer:
    def __init__(self, base: Path, name: str):
        self.dir, self.key = base / name, base / f"{name}.key"
        (base / f"{name}-env").mkdir(parents=True, exist_ok=True)
        self.env = subprocess_env(base / f"{name}-env")

    def run(self, *args, stdin: str = PASSPHRASE + "\n", vault: bool = True, env: dict | None = None):
        argv = list(args)
        if vault:
            argv += ["--data-dir", self.dir, "--passphrase-stdin", "--device-key-file", self.key, "--user", "manager"]
        return run_cli(argv, {**self.env, **(env or {})}, stdin, timeout=300)

    def ok(self, *args, **kw):
        result = self.run(*args, **kw)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result


def command_args(command: str) -> list[str]:
    """A README `confide ...` command as arguments (its quoted address as one)."""
    return [part.strip("'") for part in re.findall(r"'[^']*'|\S+", command)][1:]


@pytest.fixture
def server(tmp_path):
    work = tmp_path / "it"
    work.mkdir()
    work.chmod(0o755)
    made = Server(work)
    yield made
    made.pg.stop()


def test_the_runbook_from_an_empty_server_to_two_computers_over_verified_tls(server, tmp_path):
    it = server.work
    office, annexe = Computer(tmp_path, "office"), Computer(tmp_path, "annexe")

    # 1-3: the script from Confide itself, run as the postgres account; the founding password.
    office.ok(*command_args(SETUP_SQL_OUT.replace("postgres-setup.sql", str(it / "postgres-setup.sql"))),
              vault=False)
    assert (it / "postgres-setup.sql").read_text() == (ROOT / "resources" / "hub" / "postgres-setup.sql").read_text()
    shared_tmp = Path(server.pg.base)      # /tmp on the server: where the postgres account can read it
    server.shell(INSTALL_SQL.replace("/tmp/", f"{shared_tmp}/"))
    printed = server.shell(RUN_SQL.replace("/tmp/", f"{shared_tmp}/"))
    assert all(line.split()[0] in printed for line in PG_HBA)      # the script prints the pg_hba lines
    server.shell(FOUNDER_PW, stdin=f"{FOUNDER_PASSWORD}\n{FOUNDER_PASSWORD}\n")
    # 4-7: certificate, postgresql.conf, pg_hba.conf, restart.
    for command in CERTIFICATE:
        server.shell(command)
    server.configure()

    where = f"hub.example.org:{server.pg.port}"
    trust = f"hostaddr=127.0.0.1&sslrootcert={it / 'hub-ca.crt'}"
    address = ADDRESS.replace("hub.example.org", where) + "?" + trust
    # 8-9: the self-test from the first computer, PGPASSWORD for this one check. (These
    # computers keep their device secrets in key files: the self-test is told so.)
    keys = ("--device-key-file", tmp_path / "selftest.key")
    checked = office.run("--self-test", "--hub", address, *keys, vault=False, env={"PGPASSWORD": FOUNDER_PASSWORD})
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert re.search(r"PASS  encryption: encrypted \(TLSv1\.[23]\); the server's certificate and name were "
                     r"checked \(verify-full\)", checked.stdout), checked.stdout

    # 10: the team, and a second computer joining by invitation.
    office.ok("init", "--full-name", "Test Manager", "--demo")
    create = [a.replace("YOUR_NAME", "manager") for a in command_args(TEAM_CREATE)]
    create[create.index(ADDRESS)] = address
    created = run_cli([*create, "--data-dir", office.dir, "--passphrase-stdin", "--device-key-file", office.key,
                       "--name", "Northshire SENDIASS", "--hub-password-stdin"], office.env,
                      f"{PASSPHRASE}\n{FOUNDER_PASSWORD}\n", timeout=300)
    assert created.returncode == 0, created.stdout + created.stderr
    office.ok("demo", "--cases", "2", "--staff", "1")
    office.ok("sync")
    invite = tmp_path / "annexe.invite"
    code = office.ok("team", "invite", "--device", "Annexe", "--out", invite).stdout.strip().splitlines()[-1]
    joined = annexe.ok("team", "join", "--from", invite, "--code-stdin", stdin=f"{PASSPHRASE}\n{code}\n")
    assert "joined Northshire SENDIASS" in joined.stdout
    annexe.ok("sync")
    office.ok("sync")
    assert "Annexe" in office.ok("device", "list").stdout

    # Every login that reached the hub did so over TLS; the server refuses a computer without it.
    authorized = [line for line in server.log().splitlines() if "connection authorized" in line
                  and "user=confide_northshire_" in line]
    assert len({re.search(r"user=(\S+)", line)[1] for line in authorized}) >= 2, authorized
    assert authorized and all("SSL enabled" in line for line in authorized), authorized
    with pytest.raises(psycopg.OperationalError, match="rejects connection|no pg_hba.conf entry"):
        psycopg.connect(host="127.0.0.1", port=server.pg.port, dbname=DB, user=FOUNDER,
                        password=FOUNDER_PASSWORD, sslmode="disable", connect_timeout=10).close()

    # Confide itself refuses an address that could go unencrypted, and a server it cannot verify.
    plain = office.run("--self-test", "--hub", address + "&sslmode=disable", *keys, vault=False,
                       env={"PGPASSWORD": FOUNDER_PASSWORD})
    assert plain.returncode == 1 and "FAIL  encryption: Refused" in plain.stdout, plain.stdout
    server.shell('openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Impostor CA" '
                 "-keyout other-ca.key -out other-ca.crt")
    wrong = office.run("--self-test", "--hub", address.replace("hub-ca.crt", "other-ca.crt"), *keys, vault=False,
                       env={"PGPASSWORD": FOUNDER_PASSWORD})
    assert wrong.returncode == 1 and "impostor" in wrong.stdout, wrong.stdout

    # Looking after the hub: a backup as the postgres account, compaction with the maintainer.
    server.shell(BACKUP)
    listing = subprocess.run([str(server.pg.bindir / "pg_restore"), "--list", str(it / "confide_northshire.dump")],
                             capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0 and "confide entries" in listing.stdout.replace("TABLE confide ", "confide ")
    server.shell(MAINTAINER_PW, stdin=f"{MAINTAINER_PASSWORD}\n{MAINTAINER_PASSWORD}\n")
    maintainer = (command_args(COMPACT)[-1].replace("PASSWORD", MAINTAINER_PASSWORD.replace(" ", "%20"))
                  .replace("hub.example.org", where) + "?" + trust)
    compacted = office.run("hub", "compact", maintainer, vault=False)
    assert compacted.returncode == 0 and "compacted up to entry" in compacted.stdout, compacted.stdout + compacted.stderr
    server.shell(MAINTAINER_OFF)
    after = office.run("hub", "compact", maintainer, vault=False)
    assert after.returncode == 1 and "password authentication failed" in after.stderr, after.stderr
    # The computers carry on after compaction.
    annexe.ok("sync")
    office.ok("sync")
