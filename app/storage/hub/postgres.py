"""The PostgreSQL hub, for services with a server (docs/sync.md).

IT runs the set-up script (resources/hub/postgres-setup.sql, which `confide hub setup-sql`
writes out) once per team. Every computer has a login of its own (the founding computer's
made by IT, the others' by a manager's computer when it invites them), which may only read the tables and append through the script's functions; the server
names the computer from the login, refuses a revoked one, accepts an entry only at head + 1,
and NOTIFY tells the other computers that something arrived (docs/hub.md). The connection
string (with its password) comes from the OS credential store (credentials.py) and is never
shown: describe() and every message leave the password out.
"""

import base64
import hashlib
import hmac
import io
import os
import secrets
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict

from app import faults
from app.storage.hub import pieces
from app.storage.hub.base import (
    MISSING,
    HubEntry,
    HubError,
    HubRefused,
    HubUnavailable,
    SequenceTaken,
    Snapshot,
    SnapshotInfo,
    check_append,
    check_device_id,
    read_whole_snapshot,
)

CHANNEL = "confide_hub"
BATCH = 500
SNAPSHOT_PIECE = 16 * 1024 * 1024
# Every connection: a server that stops answering is noticed within about a minute, whether
# the connection is idle (keepalives), sending (tcp_user_timeout) or waiting on a statement
# or a lock (server-side timeouts), so a sync never hangs on a vanished hub.
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3,
             "tcp_user_timeout": 60_000}
SERVER_TIMEOUTS = {"statement_timeout": 60_000, "lock_timeout": 30_000,
                   "idle_in_transaction_session_timeout": 60_000}
LISTEN_RECONNECTS = 3
APPEND_WAIT = 30.0      # seconds an append keeps asking for the append lock before "busy"
# A NOTIFY is only a hint (any login can send one): it is believed after a look at the head,
# at most this often, so a flood of them costs a waiting computer a few small queries a
# second and never a sync.
NOTIFY_CHECK_INTERVAL = 0.25
SETUP_HINT = "IT sets it up with the script 'confide hub setup-sql' writes (README: 'Setting up a PostgreSQL hub')."
# TLS (docs/hub.md, "Encryption in transit"): a hub on another computer is reached with
# sslmode=verify-full unless the connection string says otherwise, and never without TLS.
# Only a socket or loopback address (the server is this computer) may go without it.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
UNENCRYPTED_MODES = frozenset({"disable", "allow", "prefer"})
DEFAULT_SSLMODE = "verify-full"


def machine_ca_file() -> Path:
    """Where IT puts the hub's CA certificate for every account on a computer; used when the
    connection string names no sslrootcert (docs/hub.md, "Encryption in transit")."""
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "Confide" / "hub-ca.crt"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/Confide/hub-ca.crt")
    return Path("/etc/confide/hub-ca.crt")


def _is_local(parts: dict) -> bool:
    hosts = [h.strip() for h in (parts.get("host") or "").split(",")]
    addresses = [a.strip() for a in (parts.get("hostaddr") or "").split(",") if a.strip()]
    if addresses and not all(h for h in hosts):
        return all(a in LOCAL_HOSTS for a in addresses)
    return all(not h or h.startswith("/") or h.lower() in LOCAL_HOSTS for h in hosts)


def tls_settings(conninfo: str) -> dict:
    """What every hub connection adds to `conninfo` for TLS: sslmode=verify-full when it sets
    no sslmode, and the computer's CA file (machine_ca_file) when it names no sslrootcert.

    May raise: HubError when the string asks for a connection that may go unencrypted to
    another computer (sslmode disable, allow or prefer)."""
    try:
        parts = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return {}   # psycopg says what is wrong with it when it connects
    if _is_local(parts):
        return {}
    mode = (parts.get("sslmode") or "").strip().lower()
    if mode in UNENCRYPTED_MODES:
        raise HubError(f"Refused: the connection string for {describe_conninfo(conninfo)} sets "
                       f"sslmode={mode}, so the team's data could cross the network unencrypted. Use "
                       f"sslmode={DEFAULT_SSLMODE} (or leave sslmode out: that is the default) and give the "
                       "server a certificate (README: 'Setting up a PostgreSQL hub').")
    extra = {}
    if not mode:
        extra["sslmode"] = DEFAULT_SSLMODE
    ca = machine_ca_file()
    if not parts.get("sslrootcert") and ca.is_file():
        extra["sslrootcert"] = str(ca)
    return extra


def tls_problem(reason: str) -> str | None:
    """A plain-words explanation for libpq's TLS failures, or None for any other failure."""
    low = reason.lower()
    if "root certificate file" in low:
        return (f"this computer does not have the hub's CA certificate, so the server cannot be checked. "
                f"IT puts it at {machine_ca_file()} (or names it with sslrootcert= in the connection "
                "string)")
    if "does not match host name" in low or "certificate verify failed" in low:
        return ("the server's certificate is not the one this computer trusts for that name: the hub "
                "may be an impostor, or its certificate or CA changed. Nothing was sent. IT checks the "
                "server's certificate and the CA file")
    if "server does not support ssl" in low:
        return "the server does not offer TLS: IT turns on ssl in postgresql.conf (README)"
    return None


def transport(conn, conninfo: str) -> str:
    """How an open connection travels, in plain words (for the self-test)."""
    parts = conninfo_to_dict(conninfo)
    if not conn.pgconn.ssl_in_use:
        return "not encrypted: the server is this computer (a socket or loopback address)"
    try:
        row = conn.execute("SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
    except psycopg.Error:
        row = None
    protocol = (row[0] if row and row[0] else "TLS")
    mode = (tls_settings(conninfo).get("sslmode") or parts.get("sslmode") or "").lower()
    if mode == "verify-full":
        return f"encrypted ({protocol}); the server's certificate and name were checked (verify-full)"
    if mode == "verify-ca":
        return (f"encrypted ({protocol}); the certificate was checked but not the server's name "
                "(verify-ca): verify-full is recommended")
    return (f"encrypted ({protocol}) but the server's certificate is NOT checked (sslmode={mode or 'prefer'}): "
            "a machine in between could pose as the hub; use verify-full")


def connect(conninfo: str, connect_timeout: int = 10):
    """A hub connection: TLS as tls_settings says, keepalives and the server-side timeouts.

    May raise: HubError (refused: unencrypted to another computer), psycopg.OperationalError."""
    return psycopg.connect(conninfo, autocommit=True, connect_timeout=connect_timeout,
                           options=connection_options(conninfo), **KEEPALIVE, **tls_settings(conninfo))


def describe_conninfo(conninfo: str) -> str:
    """Where a connection string points, with no password (for messages and logs)."""
    try:
        parts = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "a PostgreSQL hub (the connection string cannot be read)"
    host = parts.get("host") or "the local server"
    port = f":{parts['port']}" if parts.get("port") else ""
    db = parts.get("dbname") or "(default database)"
    user = f" as {parts['user']}" if parts.get("user") else ""
    return f"the PostgreSQL hub {db} on {host}{port}{user}"


def connection_options(conninfo: str) -> str:
    """The server settings every hub connection asks for, after any `options` IT put in the
    connection string (theirs come first, so ours win where both set the same thing)."""
    try:
        theirs = conninfo_to_dict(conninfo).get("options") or ""
    except psycopg.ProgrammingError:
        theirs = ""
    ours = " ".join(f"-c {name}={value}" for name, value in SERVER_TIMEOUTS.items())
    return f"{theirs} {ours}".strip()


# Said in our words, by SQLSTATE: the driver's own text is English from libpq, names
# addresses and sockets, and changes between versions.
_REASONS = {"28P01": "the user name or password was refused",
            "28000": "this computer's account is not allowed in",
            "3D000": "the hub database does not exist on that server",
            "53300": "the server has too many connections just now",
            "57P03": "the server is starting up or shutting down"}


def _plain_reason(exc: psycopg.OperationalError) -> str:
    state = getattr(exc, "sqlstate", None) or ""
    if state in _REASONS:
        return _REASONS[state]
    # libpq gives no SQLSTATE for a failed connection; that it sent a password shows the
    # server answered and refused the sign-in (wrong password, user or database).
    pgconn = getattr(exc, "pgconn", None)
    if pgconn is not None and getattr(pgconn, "used_password", False):
        return "the server refused this computer's sign-in: check the user name, password and database name"
    return "no answer: the server may be stopped, or the network down"


def scram_verifier(password: str, iterations: int = 4096) -> str:
    """What the server stores for a password (RFC 5802/7677, PostgreSQL's format): the
    password itself never reaches the server, its logs or its statistics."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = base64.b64encode
    return (f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}$"
            f"{b64(hashlib.sha256(client_key).digest()).decode()}:{b64(server_key).decode()}")


def location_with_login(location: str, user: str, password: str) -> str:
    """The same postgresql:// URL with another login. May raise: HubError (not a URL)."""
    parts = urlsplit(location.strip())
    if parts.scheme not in ("postgresql", "postgres"):
        raise HubError("The hub's location is not a postgresql:// URL, so no login can be made for another "
                       "computer from it.")
    host = parts.netloc.rsplit("@", 1)[-1]
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    # A user or password in the query would win over the new login's.
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k not in ("user", "password")])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def read_team_row(conninfo: str) -> tuple | None:
    """May raise: HubUnavailable, HubError (refused: unencrypted)."""
    try:
        with connect(conninfo) as conn:
            return conn.execute("SELECT team_id FROM confide.team").fetchone()
    except psycopg.Error as exc:
        # libpq's last line says why (a refused password, no such database); it never holds
        # the password itself.
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise HubUnavailable(f"{describe_conninfo(conninfo)} cannot be read: "
                             f"{tls_problem(str(exc)) or reason}.") from None


def _iso(value) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


class PostgresHub:
    """May raise (every method): HubUnavailable (server unreachable, connection lost),
    HubError (database not set up, permission refused)."""

    def __init__(self, conninfo: str, team_id: str, *, create: bool = False, connect_timeout: int = 10):
        """Connect and check that the database serves `team_id`; `create=True` binds an
        empty hub database to this team (team create).

        May raise: HubUnavailable, HubError (another team's hub, not set up).
        """
        self._conninfo = conninfo
        self._timeout = connect_timeout
        self.piece_bytes = pieces.PIECE_BYTES
        self.team_id = team_id
        self._conn = None
        self._listener = None
        self._known = 0
        self._looked = False
        row = self._one("SELECT team_id FROM confide.team")
        if row is None and create:
            self._exec("INSERT INTO confide.team (team_id) VALUES (%s) ON CONFLICT DO NOTHING", (team_id,))
            row = self._one("SELECT team_id FROM confide.team")
        if row is None:
            raise HubError(f"{self.describe()} is not bound to a team yet. Create the team on it first.")
        if row[0] != team_id:
            raise HubError(f"{self.describe()} belongs to another team. Check the connection string: "
                           "each team needs its own hub database.")

    # -- connection ---------------------------------------------------------------------

    def _connect(self):
        try:
            return connect(self._conninfo, self._timeout)
        except psycopg.OperationalError as exc:
            text = str(exc).strip()
            if (problem := tls_problem(text)) is not None:
                raise HubError(f"{self.describe()} was not trusted: {problem}.") from None
            if "not permitted to log in" in text:
                # A manager revoked this computer (confide.revoke_device disables its login).
                raise HubRefused(f"This computer was removed from the team: {self.describe()} no longer "
                                 "lets it in. Ask your manager.") from None
            raise HubUnavailable(f"{self.describe()} cannot be reached ({_plain_reason(exc)}). "
                                 "Work goes on offline; sync will try again.") from None

    def _cursor(self):
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = self._connect()
        return self._conn.cursor()

    def _run(self, sql: str, params=(), fetch: str | None = None, read: bool = False):
        """`read`: a query that changes nothing, repeated once on a new connection when the
        old one turns out to have died while idle (a server restart, a dropped link). A write
        is never repeated: whether it reached the server is for the sync engine to find out."""
        for attempt in (1, 2):
            try:
                with self._cursor() as cur:
                    cur.execute(sql, params)
                    if fetch == "one":
                        return cur.fetchone()
                    if fetch == "all":
                        return cur.fetchall()
                    return None
            except (pg_errors.UndefinedTable, pg_errors.InvalidSchemaName):
                raise HubError(f"{self.describe()} has no Confide tables. {SETUP_HINT}") from None
            except pg_errors.InsufficientPrivilege:
                raise HubError(f"{self.describe()} refused: this account may not do that. {SETUP_HINT}") from None
            except (pg_errors.QueryCanceled, pg_errors.LockNotAvailable):
                raise HubUnavailable(f"{self.describe()} did not answer in time. "
                                     "Work goes on offline; sync will try again.") from None
            except psycopg.OperationalError as exc:
                lost = exc.sqlstate is None or exc.sqlstate.startswith(("08", "57P")) or (
                    self._conn is not None and self._conn.broken)
                if not lost:
                    raise
                if read and attempt == 1:
                    self._drop_connection()
                    continue
                raise HubUnavailable(f"The connection to {self.describe()} was lost. "
                                     "Work goes on offline; sync will try again.") from None
        return None

    def _drop_connection(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.close()
        self._conn = None

    def _one(self, sql, params=()):
        """A query that changes nothing (a function that writes goes through _run)."""
        return self._run(sql, params, "one", read=sql.lstrip().upper().startswith("SELECT"))

    def _exec(self, sql, params=()):
        return self._run(sql, params)

    # -- the log --------------------------------------------------------------------------

    def head(self) -> int:
        seq = self._one("SELECT coalesce(max(seq), 0) FROM confide.entries")[0]
        self._known, self._looked = max(self._known, seq), True
        return seq

    def append(self, seq: int, device_id: str, kind: str, payload: bytes) -> HubEntry:
        check_append(seq, device_id, kind)
        # confide.append waits for the append lock at most a second and then says "busy"
        # (CF008) having written nothing, so trying again in a new transaction is safe; a
        # session that sits on the lock is ended by the server after 5 s (docs/hub.md).
        deadline = time.monotonic() + APPEND_WAIT
        while True:
            try:
                row = self._run("SELECT confide.append(%s, %s, %s, %s)", (seq, device_id, kind, faults.data("hub.pg.append", bytes(payload))),
                                "one")
                break
            except pg_errors.UniqueViolation:
                raise SequenceTaken(f"Another computer added entry {seq} first.") from None
            except psycopg.Error as exc:
                if getattr(exc, "sqlstate", None) == "CF008" and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                self._refusal(exc, seq)
                raise
        faults.point("hub.pg.after_insert")
        self._known = max(self._known, seq)
        return HubEntry(seq=seq, device_id=device_id, kind=kind, payload=bytes(payload), created_at=_iso(row[0]))

    def _refusal(self, exc: psycopg.Error, seq: int | None = None) -> None:
        """The script's own refusals (SQLSTATE CFnnn) as plain errors. May raise: HubError."""
        state = getattr(exc, "sqlstate", None)
        if state == "CF002":
            raise SequenceTaken(f"Another computer added entry {seq} first.") from None
        if state == "CF001":
            raise HubRefused("This computer has been removed from the team: the hub refuses its changes.") from None
        if state == "CF003":
            raise HubError(f"Entry {seq} would leave a gap in the hub's log.") from None
        if state == "CF006":
            raise HubRefused(f"{self.describe()} refused: this login belongs to another computer, or to "
                             "none of the team's.") from None
        if state == "CF007":
            raise HubRefused(f"{self.describe()} refused an entry larger than its size limit.") from None
        if state == "CF008":
            raise HubUnavailable(f"{self.describe()} is busy (another session holds the append lock). "
                                 "Work goes on offline; sync will try again.") from None

    def read_after(self, seq: int, limit: int | None = None) -> Iterator[HubEntry]:
        expected = seq + 1
        left = limit
        while left is None or left > 0:
            size = BATCH if left is None else min(BATCH, left)
            rows = self._run("SELECT seq, device_id, kind, payload, created_at FROM confide.entries "
                             "WHERE seq >= %s ORDER BY seq LIMIT %s", (expected, size), "all", read=True)
            for s, device, kind, payload, created in rows:
                if s != expected:
                    # A gap (a row deleted by someone with the owner's rights): said, never
                    # passed over; the reader stops there (base.MISSING).
                    yield HubEntry(seq=expected, device_id="", kind=MISSING, payload=b"", created_at="")
                    return
                self._known = max(self._known, s)
                yield HubEntry(seq=s, device_id=device, kind=kind, payload=bytes(payload), created_at=_iso(created))
                expected += 1
            if len(rows) < size:
                return
            if left is not None:
                left -= len(rows)

    # -- revocations and snapshots ----------------------------------------------------------

    def revoke_device(self, device_id: str) -> None:
        """Only a manager's computer's login may: the server refuses the computer from now
        on and disables its login. May raise: HubError (this login may not)."""
        check_device_id(device_id)
        self._exec("SELECT confide.revoke_device(%s)", (device_id,))

    def add_device_login(self, device_id: str, manager: bool = False) -> str:
        """A login of its own for a newly enrolled computer, made through the setup script's
        confide.add_device_login (a manager's computer's login only). Returns that
        computer's connection string, password included: secret, for its invitation only.
        May raise: HubError (this login may not; the computer has one already)."""
        check_device_id(device_id)
        password = secrets.token_urlsafe(32)
        try:
            row = self._run("SELECT confide.add_device_login(%s, %s, %s)",
                            (device_id, scram_verifier(password), bool(manager)), "one")
        except psycopg.Error as exc:
            self._refusal(exc)
            raise
        return location_with_login(self._conninfo, row[0], password)

    def revoked_devices(self) -> set[str]:
        return {r[0] for r in self._run("SELECT device_id FROM confide.revoked_devices", (), "all", read=True)}

    def put_snapshot(self, upto_seq: int, device_id: str, payload: "bytes | BinaryIO") -> None:
        """Each piece in a statement of its own, then the manifest (docs/hub.md "Snapshots in
        pieces"): no row ever holds more than piece_bytes, and a reader sees the snapshot
        only once confide.publish_snapshot has named all its pieces."""
        check_device_id(device_id)
        if not isinstance(upto_seq, int) or upto_seq < 0:
            raise HubError("A snapshot's sequence number cannot be negative.")
        token = uuid.uuid4().hex
        try:
            body = pieces.write(payload, self.piece_bytes, lambda n, data: self._exec(
                "SELECT confide.put_snapshot_piece(%s, %s, %s, %s, %s)", (token, n, upto_seq, device_id, data)))
            self._exec("SELECT confide.publish_snapshot(%s, %s, %s, %s, %s)",
                       (upto_seq, device_id, token, len(body["pieces"]), pieces.encode({**body, "id": token})))
        except pg_errors.UndefinedFunction:
            # A hub whose set-up script predates pieces: the snapshot goes whole into one row,
            # as before (at most 1000 MiB there), until IT runs the script again (docs/hub.md).
            if not hasattr(payload, "seek"):
                payload = io.BytesIO(bytes(payload))
            payload.seek(0)
            self._put_whole(upto_seq, device_id, payload.read())
        except psycopg.Error as exc:
            self._snapshot_refusal(exc, upto_seq)
            raise

    def _put_whole(self, upto_seq: int, device_id: str, data: bytes) -> None:
        try:
            self._exec("SELECT confide.put_snapshot(%s, %s, %s)", (upto_seq, device_id, data))
        except psycopg.Error as exc:
            self._snapshot_refusal(exc, upto_seq)
            raise

    def _snapshot_refusal(self, exc: psycopg.Error, upto_seq: int) -> None:
        """May raise: HubRefused, HubError."""
        if getattr(exc, "sqlstate", None) == "CF001":
            raise HubRefused("This computer has been removed from the team: the hub refuses its snapshot.") from None
        if getattr(exc, "sqlstate", None) == "CF003":
            raise HubError(f"A snapshot at entry {upto_seq} would be ahead of the hub's log.") from None
        if getattr(exc, "sqlstate", None) == "CF010":
            raise HubError(f"A piece of the snapshot at entry {upto_seq} did not reach {self.describe()}; "
                           "it was not published. The next sync writes a new one.") from None
        self._refusal(exc)

    def latest_snapshot(self) -> Snapshot | None:
        return read_whole_snapshot(self)

    def fetch_latest_snapshot(self, out: BinaryIO, skip: int = 0) -> SnapshotInfo | None:
        """Read in one REPEATABLE READ transaction: a snapshot published, replaced or
        compacted away meanwhile does not change under the reader (its rows stay visible to
        it until it ends), and each piece is a statement of its own, so no statement holds
        more than a piece and none outlasts the statement timeout on a slow link."""
        for attempt in (1, 2):
            try:
                cur = self._cursor()
                try:
                    cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    return self._copy_snapshot(cur, out, max(0, int(skip)))
                finally:
                    if not cur.closed and not self._conn.broken:
                        cur.execute("ROLLBACK")
                    cur.close()
            except (pg_errors.UndefinedTable, pg_errors.InvalidSchemaName):
                raise HubError(f"{self.describe()} has no Confide tables. {SETUP_HINT}") from None
            except pg_errors.InsufficientPrivilege:
                raise HubError(f"{self.describe()} refused: this account may not read snapshots. {SETUP_HINT}") from None
            except (pg_errors.QueryCanceled, pg_errors.IdleInTransactionSessionTimeout):
                raise HubUnavailable(f"{self.describe()} did not answer in time. Try again in a moment.") from None
            except psycopg.OperationalError:
                self._drop_connection()
                if attempt == 2:
                    raise HubUnavailable(f"The connection to {self.describe()} was lost. "
                                         "Work goes on offline; sync will try again.") from None
                out.seek(0)
                out.truncate()
        return None

    def _copy_snapshot(self, cur, out: BinaryIO, skip: int) -> SnapshotInfo | None:
        try:
            cur.execute("SAVEPOINT pieces_column")
            cur.execute("SELECT upto_seq, device_id, created_at, octet_length(payload), pieces_id "
                        "FROM confide.snapshots ORDER BY upto_seq DESC, created_at DESC LIMIT 1 OFFSET %s", (skip,))
            row = cur.fetchone()
        except pg_errors.UndefinedColumn:
            # A hub whose set-up script predates snapshots in pieces: its snapshots are whole.
            cur.execute("ROLLBACK TO SAVEPOINT pieces_column")
            cur.execute("SELECT upto_seq, device_id, created_at, octet_length(payload), NULL "
                        "FROM confide.snapshots ORDER BY upto_seq DESC, created_at DESC LIMIT 1 OFFSET %s", (skip,))
            row = cur.fetchone()
        if row is None:
            return None
        upto, device, created, size, pieces_id = row
        if pieces_id is not None:
            cur.execute("SELECT payload FROM confide.snapshots WHERE pieces_id = %s", (pieces_id,))
            manifest = pieces.decode(bytes(cur.fetchone()[0]), self.describe())

            def piece(n: int) -> bytes | None:
                # In binary: as text the server spells every byte as two hex digits and the
                # client parses them back (a 200 MB snapshot on a local server: 8.0 -> 3.1 s).
                cur.execute("SELECT payload FROM confide.snapshot_pieces WHERE snapshot_id = %s AND n = %s",
                            (pieces_id, n), binary=True)
                got = cur.fetchone()
                return bytes(got[0]) if got is not None else None

            size = pieces.copy(manifest, piece, out, upto, self.describe())
        else:
            # Written whole by an older Confide (docs/hub.md): read a slice at a time.
            for start in range(0, size, SNAPSHOT_PIECE):
                cur.execute("SELECT substring(payload FROM %s FOR %s) FROM confide.snapshots "
                            "WHERE upto_seq = %s AND device_id = %s AND created_at = %s",
                            (start + 1, SNAPSHOT_PIECE, upto, device, created), binary=True)
                got = cur.fetchone()
                if got is None or len(got[0]) != min(SNAPSHOT_PIECE, size - start):
                    raise pieces.SnapshotDamaged(f"The snapshot at entry {upto} on {self.describe()} could not "
                                                 "be read whole.")
                out.write(got[0])
            out.flush()
        return SnapshotInfo(upto_seq=upto, device_id=device, created_at=_iso(created), size=size)

    def restore_entry(self, seq: int, device_id: str, kind: str, payload: bytes,
                      replace: bool = False) -> None:
        """A computer's own login may only add at the end, and only under its own name (through
        confide.append, like any append): that puts back its own entries a server restored
        from an older backup lost; another computer's are put back by that computer, or by
        the owner. A damaged or missing entry before the
        end needs the hub owner's connection (confide.restore_entry in the setup script).
        May raise: SequenceTaken, HubRefused, HubError."""
        check_append(seq, device_id, kind)
        if seq == self.head() + 1:
            self.append(seq, device_id, kind, payload)
            return
        try:
            self._one("SELECT confide.restore_entry(%s, %s, %s, %s, %s)",
                      (seq, device_id, kind, bytes(payload), replace))
        except psycopg.Error as exc:
            if getattr(exc, "sqlstate", None) == "CF006":
                raise SequenceTaken(f"Entry {seq} on the hub is whole; it was not replaced.") from None
            if getattr(exc, "sqlstate", None) in ("CF009", "42501"):
                raise HubRefused(f"Entry {seq} is before the end of the hub's log: only the hub owner's "
                                 "connection may put it back.") from None
            raise

    def last_number(self) -> int:
        return self.head()

    def compact(self, upto_seq: int) -> int:
        """The setup script's confide.compact, then VACUUM so the dropped payloads leave
        the table files. Only the hub's owner may: a device role is refused (HubError)."""
        try:
            row = self._run("SELECT confide.compact(%s)", (upto_seq,), "one")
        except psycopg.Error as exc:
            if getattr(exc, "sqlstate", None) == "CF004":
                raise HubError(f"The hub holds no snapshot at entry {upto_seq}: nothing was compacted.") from None
            raise
        # Entries `hub repair` set aside at numbers the snapshot covers go too: whole bundles
        # that may carry an erased record (docs/lifecycle.md). The hub's owner alone reads them.
        replaced, in_pieces = self._run("SELECT to_regclass('confide.entries_replaced') IS NOT NULL, "
                                        "to_regclass('confide.snapshot_pieces') IS NOT NULL", (), "one")
        if replaced:
            self._exec("DELETE FROM confide.entries_replaced WHERE seq <= %s", (upto_seq,))
        self._exec("VACUUM confide.entries, confide.snapshots" + (", confide.snapshot_pieces" if in_pieces else "")
                   + (", confide.entries_replaced" if replaced else ""))
        return int(row[0])

    # -- waiting ----------------------------------------------------------------------------

    def wait_for_change(self, timeout: float) -> bool:
        """True when an entry beyond the last one this object has seen arrives (NOTIFY), or
        is already there; False after `timeout` seconds."""
        base = self._known if self._looked else self.head()
        deadline = time.monotonic() + max(0.0, timeout)
        lost = 0
        while True:
            try:
                if self._listener is None or self._listener.closed or self._listener.broken:
                    self._listener = self._connect()
                    self._listener.execute(f"LISTEN {CHANNEL}")
                # Listening before looking: an entry added in between is not missed, also
                # after the listening connection was lost and made again.
                if self.head() > base:
                    return True
                last_look = time.monotonic()
                while (left := deadline - time.monotonic()) > 0:
                    # One batch of notifications (a flood arrives as many at once).
                    notes = list(self._listener.notifies(timeout=left, stop_after=1))
                    if not any(n.payload.isdigit() and int(n.payload) > base for n in notes):
                        continue
                    # Anyone may NOTIFY: believe it only when the head moved, and look no
                    # more often than NOTIFY_CHECK_INTERVAL.
                    pause = min(NOTIFY_CHECK_INTERVAL - (time.monotonic() - last_look),
                                deadline - time.monotonic())
                    if pause > 0:
                        time.sleep(pause)
                    if time.monotonic() >= deadline:
                        break
                    last_look = time.monotonic()
                    if self.head() > base:
                        return True
                return False
            except psycopg.OperationalError:
                if self._listener is not None and not self._listener.closed:
                    self._listener.close()
                self._listener = None
                lost += 1
                if lost > LISTEN_RECONNECTS or time.monotonic() >= deadline:
                    raise HubUnavailable(f"The connection to {self.describe()} was lost. "
                                         "Work goes on offline; sync will try again.") from None

    def describe(self) -> str:
        return describe_conninfo(self._conninfo)

    def close(self) -> None:
        for conn in (self._conn, self._listener):
            if conn is not None and not conn.closed:
                conn.close()
        self._conn = self._listener = None
