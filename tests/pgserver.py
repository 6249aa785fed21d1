"""A real PostgreSQL server for the tests, started from the system's binaries.

Session-scoped and started only when a test asks for it. PostgreSQL refuses to run as root
and CI runs as root, so as root the server runs as the unprivileged `postgres` account in a
temporary folder it owns. When no server can be started the tests that need one are
skipped with the reason, except under CI (CI set), where that is a failure: CI installs
postgresql, so a missing server there is a broken set-up, not something to skip past.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

SETUP_SQL = Path(__file__).resolve().parent.parent / "resources" / "hub" / "postgres-setup.sql"


def find_bindir() -> Path | None:
    """Where initdb and pg_ctl are: pg_config --bindir, /usr/lib/postgresql/*/bin, PATH."""
    candidates = []
    if shutil.which("pg_config"):
        try:
            out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10)
            candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                      key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0, reverse=True)
    candidates += [Path(p) for p in versions]
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists() and (folder / "psql").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Read once, at import: a test that points tempfile at its own tmp_path (private to root)
# must not decide where a session-wide server lives, which the postgres account must reach.
SYSTEM_TMP = tempfile.gettempdir()


class PostgresServer:
    """One throwaway cluster: superuser `postgres` over the unix socket (trust), devices over
    TCP on 127.0.0.1 with a password (scram-sha-256)."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.base = Path(tempfile.mkdtemp(prefix="confide-pg-", dir=SYSTEM_TMP))
        self.data = self.base / "data"
        self.port = 0
        if self.as_root:
            import pwd

            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.base, ignore_errors=True)
                raise RuntimeError("running as root and there is no 'postgres' account to run the server as") from None
            os.chown(self.base, account.pw_uid, account.pw_gid)

    def _as_owner(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if self.as_root else args

    def _run(self, args: list[str], **kw) -> subprocess.CompletedProcess:
        return subprocess.run(self._as_owner(args), cwd=self.base, capture_output=True, text=True,
                              timeout=kw.pop("timeout", 120), **kw)

    def start(self) -> None:
        """May raise: RuntimeError with the server's own words."""
        out = self._run([str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
                         "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                         "--locale=C", "--no-sync"])
        if out.returncode:
            raise RuntimeError(f"initdb failed: {(out.stderr or out.stdout).strip()[-300:]}")
        for _attempt in range(3):
            self.port = _free_port()
            opts = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60 "
                    "-c shared_buffers=16MB")
            out = self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                             str(self.base / "server.log"), "-w", "-t", "60", "-o", opts, "start"])
            if out.returncode == 0:
                return
        log = (self.base / "server.log")
        detail = log.read_text(errors="replace")[-300:] if log.exists() else out.stderr
        raise RuntimeError(f"pg_ctl start failed: {detail.strip()}")

    def stop(self) -> None:
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"], timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)

    def admin_conninfo(self, dbname: str = "postgres") -> str:
        return f"host={self.base} port={self.port} user=postgres dbname={dbname}"

    def psql(self, *args: str, dbname: str = "postgres") -> str:
        """Run psql as the superuser. May raise: RuntimeError."""
        out = subprocess.run([str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                              "-h", str(self.base), "-p", str(self.port), "-U", "postgres",
                              "-d", dbname, *args], capture_output=True, text=True, timeout=120)
        if out.returncode:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return out.stdout

    def new_hub_database(self) -> dict:
        """A fresh hub database made by IT's own script, with its own roles. `conninfo` is
        the founding computer's login (a manager's); `device_role` names that login."""
        tag = uuid.uuid4().hex[:10]
        names = {"dbname": f"hub_{tag}", "owner_role": f"owner_{tag}", "device_group": f"devices_{tag}",
                 "manager_group": f"managers_{tag}", "founder_role": f"founder_{tag}",
                 "founder_password": f"pw-{uuid.uuid4().hex}"}
        args = []
        for key, value in names.items():
            args += ["-v", f"{key}={value}"]
        self.psql(*args, "-f", str(SETUP_SQL))
        names["device_role"], names["device_password"] = names["founder_role"], names["founder_password"]
        names["conninfo"] = (f"postgresql://{names['device_role']}:{names['device_password']}"
                             f"@127.0.0.1:{self.port}/{names['dbname']}")
        return names


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def postgres_server():
    bindir = find_bindir()
    reason = None
    server = None
    if bindir is None:
        reason = ("PostgreSQL server binaries (initdb, pg_ctl, psql) not found: "
                  "install the 'postgresql' package to run the PostgreSQL hub tests")
    else:
        try:
            server = PostgresServer(bindir)
            server.start()
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            reason = f"PostgreSQL could not be started from {bindir}: {exc}"
            if server is not None:
                shutil.rmtree(server.base, ignore_errors=True)
            server = None
    if server is None:
        if _in_ci():
            pytest.fail(f"CI needs a real PostgreSQL: {reason}", pytrace=False)
        pytest.skip(reason)
    yield server
    server.stop()
