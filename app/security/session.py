"""An unlocked session: who is signed in, their role, and the open connection.

Locking closes the connection and overwrites the key bytes we hold. (Python may keep other
copies of immutable bytes; SQLCipher wipes its own copy of the key.)

A window locks in two steps (docs/architecture.md, "Locking without a freeze"): `begin_lock`
on the window's thread makes the session locked for everyone at once, then `lock` on a worker
thread writes the lock's audit row, checkpoints and closes the database and wipes the keys.
Only the thread running `lock` still sees the session open meanwhile.
"""

import threading
import weakref
from collections.abc import Callable
from contextlib import contextmanager

from app.config import Paths
from app.domain.staff import Role, StaffMember
from app.errors import ConfideError, Locked, PassphraseChangeRequired, PermissionDenied
from app.security import audit
from app.security.device import DeviceSecretStore
from app.security.keyslots import VaultFile

_LIVE: "weakref.WeakSet[Session]" = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()


class Session:
    @staticmethod
    def for_connection(conn) -> "Session | None":
        """The unlocked session working on `conn`, if any: code that is handed only a
        connection (a pull applying a team entry) reaches the keys that unlock gave without
        any of them being stored in the database (docs/security.md "Who holds what")."""
        with _LIVE_LOCK:
            live = list(_LIVE)
        return next((s for s in live if s._conn is not None and s._conn is conn), None)
    # True for a volunteer's session: its connection is their compartment, not the vault's
    # database, and its key opens nothing else (docs/security.md).
    compartment = False
    # A join's own sessions: volunteers' compartments not yet on this computer are made after
    # "ready", not by this session's lock (docs/sync.md §13).
    compartments_later = False

    def __init__(self, paths: Paths, vault: VaultFile, conn, user: StaffMember,
                 data_key: bytes, device_store: DeviceSecretStore, device_secret: bytes,
                 must_change_passphrase: bool = False, private_key: bytes | None = None,
                 key_follower: Callable[["Session"], None] | None = None,
                 write_follower: Callable[["Session"], None] | None = None):
        self.paths = paths
        self.vault = vault
        self._conn = conn
        self.user = user
        self._data_key = bytearray(data_key)
        self._device_secret = bytearray(device_secret)
        self.device_store = device_store
        self.must_change_passphrase = must_change_passphrase
        # The signed-in person's private key: lets this session follow a re-key made by
        # another session on this vault (unseal the new data key) without asking again.
        self._private_key = bytearray(private_key or b"")
        # Run around each outermost service call (docs/security.md, "Saving a note"): the key
        # follower before it (a re-key elsewhere, what volunteers wrote), the write follower
        # after it (what this call wrote, into a volunteer's compartment open right now).
        self._key_follower = key_follower
        self._write_follower = write_follower
        self._calls = threading.local()  # how deep this thread is in service calls
        self._on_lock: list[Callable[[], None]] = []
        with _LIVE_LOCK:
            _LIVE.add(self)
        self._before_lock: list[Callable[[], None]] = []
        self._closing = False
        self._closer: int | None = None  # the thread running lock(), once it runs

    # --- state ---------------------------------------------------------------------------
    def _shut(self) -> bool:
        """Locked as this thread sees it: closed, or being closed by another thread."""
        return self._conn is None or (self._closing and self._closer != threading.get_ident())

    @property
    def locked(self) -> bool:
        return self._shut()

    @property
    def conn(self):
        if self._shut():
            raise Locked()
        return self._conn

    @property
    def data_key(self) -> bytes:
        if self._shut():
            raise Locked()
        return bytes(self._data_key)

    @property
    def private_key(self) -> bytes | None:
        if self._shut():
            raise Locked()
        return bytes(self._private_key) or None

    def adopt_private_key(self, private: bytes) -> None:
        """The person's team key pair replaces the one this new vault was made with (a join)."""
        for i in range(len(self._private_key)):
            self._private_key[i] = 0
        self._private_key = bytearray(private)

    def replace_key(self, conn, data_key: bytes, vault: VaultFile) -> None:
        """After a re-key: the connection under the new key, and the vault file that seals it."""
        old, self._conn, self.vault = self._conn, conn, vault
        for i in range(len(self._data_key)):
            self._data_key[i] = 0
        self._data_key = bytearray(data_key)
        if old is not None and old is not conn:
            old.close()

    @property
    def device_secret(self) -> bytes:
        if self._shut():
            raise Locked()
        return bytes(self._device_secret)

    # --- checks --------------------------------------------------------------------------
    @contextmanager
    def service_call(self, *roles: Role):
        """The body of a service function (app.domain.role_matrix.grants): `require` first,
        then the write follower once the outermost call has returned. Inner calls (a service
        calling another) follow nothing: the outermost call did before, and does after
        (docs/security.md, "Saving a note"). A call that raised runs no write follower; the
        next call's key follower catches up. May raise: what `require` raises, and what the
        write follower raises."""
        self.require(*roles)
        depth = getattr(self._calls, "depth", 0)
        self._calls.depth = depth + 1
        try:
            yield
            if not depth and self._write_follower is not None and not self._shut():
                self._write_follower(self)  # still inside: services it calls follow nothing
        finally:
            self._calls.depth = depth

    def require(self, *roles: Role) -> None:
        """May raise: Locked, PassphraseChangeRequired, PermissionDenied."""
        if self._shut():
            raise Locked()
        if self._key_follower is not None and not getattr(self._calls, "depth", 0):
            self._calls.depth = 1  # services the follower calls do not follow again
            try:
                self._key_follower(self)
            finally:
                self._calls.depth = 0
        if self._shut():
            raise Locked()
        if self.must_change_passphrase:
            raise PassphraseChangeRequired(
                "You still have the temporary passphrase a manager gave you. Choose your own passphrase "
                "before going on (Confide asks when you sign in).")
        if roles and self.user.role not in roles:
            names = " or ".join(r.value for r in roles)
            raise PermissionDenied(f"Only a {names} can do this.")

    # --- audit ---------------------------------------------------------------------------
    def audit(self, action: str, object_type: str | None = None, object_id: str | None = None,
              detail: dict | None = None) -> dict:
        return audit.append(self.conn, self.user.username, action, object_type, object_id, detail)

    def save_audit_head(self) -> None:
        """Copy the chain head into vault.json so that truncation can be detected. Skipped
        when the file on disk is under another key (re-keyed elsewhere, or mid re-key): a MAC
        under our key would make that file unreadable."""
        head = audit.head(self.conn)
        current = self.reload_vault()
        if current.pending_key_id or not current.mac_ok(self.data_key):
            return
        current.audit_head = head
        current.save(self.paths.vault, [self.data_key])
        self.vault = current

    def reload_vault(self) -> VaultFile:
        """vault.json as it is on disk now. Another session on this vault (the command line
        while the GUI is open) may have changed key slots since this one unlocked; writing
        back our older copy would undo that, e.g. bring back a passphrase a manager reset."""
        try:
            current = VaultFile.load(self.paths.vault)
        except ConfideError:
            return self.vault
        return current if current.vault_id == self.vault.vault_id else self.vault

    # --- lock ----------------------------------------------------------------------------
    def on_lock(self, callback: Callable[[], None]) -> None:
        self._on_lock.append(callback)

    def before_lock(self, callback: Callable[[], None]) -> None:
        """Run while the connection is still open, at lock (failures do not stop the lock)."""
        self._before_lock.append(callback)

    def begin_lock(self) -> None:
        """Locked for every thread from now on, before the (slow) closing: what the window
        shows can be cleared at once while `lock` runs on a worker thread. Nothing can read
        through this session again except that `lock` itself."""
        if self._conn is not None:
            self._closing = True

    def lock(self, reason: str = "manual", first: Callable[[], None] | None = None) -> None:
        """`first`: run once, before the before_lock callbacks, while the connection is still
        open to this thread only (the window keeps what was being typed)."""
        if self._conn is None or (self._closer is not None and self._closer != threading.get_ident()):
            return
        self._closing, self._closer = True, threading.get_ident()
        for callback in ([first] if first is not None else []) + self._before_lock:
            try:
                callback()
            except Exception:
                pass  # locking must succeed; the next unlock by staff does it again
        try:
            # BEGIN IMMEDIATE by hand: app.security sits below app.storage (docs/architecture.md).
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self.audit("lock", "staff", self.user.id, {"reason": reason})
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            self.save_audit_head()
        except Exception:
            # Locking must succeed even if the disk is full or the file damaged.
            pass
        # The close holds the GIL from start to end (sqlite3_step runs without it), so what the
        # close would do is done first by statements: the write-ahead log copied into the
        # database, synced and emptied (the close's own checkpoint: 1.9 s on a loaded disk at
        # 50,000 cases, the window standing still throughout), and the page cache let go
        # (the close frees, and under memory security wipes, the whole cache: 0.15 s after a
        # busy hour). No waiting for another connection's readers (busy_timeout 0): with one
        # open, the checkpoint copies what it can, and the close leaves the log to that connection.
        for statement in ("PRAGMA busy_timeout = 0", "PRAGMA wal_checkpoint(TRUNCATE)", "PRAGMA shrink_memory"):
            try:
                self._conn.execute(statement).fetchall()
            except Exception:
                pass  # locking must succeed; the close does it all the same
        try:
            self._conn.close()
        finally:
            self._conn, self._closing, self._closer = None, False, None
            for buf in (self._data_key, self._device_secret, self._private_key):
                for i in range(len(buf)):
                    buf[i] = 0
            for callback in self._on_lock:
                callback()
