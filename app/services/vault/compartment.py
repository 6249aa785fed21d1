"""The volunteers' compartments: a volunteer's unlock opens a database of their own that holds
only what the role matrix lets a volunteer see, under a key of its own; never the vault's
database or its key (docs/security.md, "Volunteers hold no key to casework").

Per volunteer, beside the vault:
  volunteer-<user>.db         SQLCipher, same schema, under the compartment key: the staff
                              list, settings, every person a volunteer may find (name, kind,
                              area only), family links between them, the general enquiries
                              this volunteer handled, paper files in no case
  volunteer-<user>.slot.json  their key slot: the compartment key sealed to their key pair
                              (not in vault.json, whose slots all open the data key)
The compartment key is kept in the vault's own database (`volunteer_compartment`), which only
staff open. A member of staff's session keeps the compartments in step: it takes in what a
volunteer wrote (absorb: new and changed rows, audit events) and writes the rest anew
(refresh) at unlock, at lock, and when a compartment file changed since it last looked.
"""

import hashlib
import hmac
import json
import os
import re
from pathlib import Path

from app import clock
from app.config import Paths
from app.domain import firewall
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.errors import DatabaseDamaged, Locked, VaultFileInvalid, WrongCredentials
from app.fsutil import atomic_write
from app.security import audit, crypto
from app.security.session import Session
from app.security.slot_record import slot_from_record
from app.security.staff_slot import StaffSlot
from app.services import access
from app.services.casework import restricted
from app.storage import db, keying, migrations
from app.storage.db import transaction

PERSON_COLUMNS = (*[c for c in access.VOLUNTEER_PERSON_FIELDS if c != "version"],
                  "created_at", "created_by", "updated_at", "updated_by", "version", "deleted_at")
# What a volunteer writes, taken into the vault's database by the next staff session:
# (table, key columns). Rows are taken when new there, or at a higher version.
# (table, key, SQL naming a row the volunteer wrote: the rest are copies of the vault's own).
WRITTEN = (("organisation", "id", "v.updated_by = :user"), ("person", "id", "v.updated_by = :user"),
           ("relationship", "id", "v.updated_by = :user"), ("enquiry", "id", "v.updated_by = :user"),
           ("enquiry_topic", "enquiry_id, topic",
            "v.enquiry_id IN (SELECT id FROM vol.enquiry WHERE updated_by = :user)"),
           ("enquiry_revision", "id", "v.written_by = :user"), ("incident", "id", "v.updated_by = :user"),
           ("paper_file_movement", "id", "v.updated_by = :user"), ("paper_file", "id", "v.updated_by = :user"),
           ("staff_key", "id", "v.updated_by = :user"), ("draft", "id", "v.owner = :user"))
# The compartment's own indexes of who wrote each row: _absorb looks for what the volunteer
# wrote at every unlock and lock, and without them read every person and relationship the
# compartment holds (0.78 s a time at 200,000 cases, most of an unlock). The vault has no such
# index (each would cost every save there), and nothing replicates an index.
WRITERS = tuple((table, match.group(1)) for table, _keys, written in WRITTEN
                if (match := re.fullmatch(r"v\.(\w+) = :user", written)))
TOKEN = "compartment_token"
SLOT_MAC = "confide-volunteer-slot:v1:"


def db_path(paths: Paths, user: str) -> Path:
    return paths.data_dir / f"volunteer-{user}.db"


def slot_path(paths: Paths, user: str) -> Path:
    return paths.data_dir / f"volunteer-{user}.slot.json"


# --- the slot file -----------------------------------------------------------------------
def _slot_mac(key: bytes, body: bytes) -> str:
    return hmac.new(crypto.hkdf(key, info=b"confide-volunteer-slot-mac:v1"), body, hashlib.sha256).hexdigest()


def write_slot(paths: Paths, slot: StaffSlot, key: bytes) -> None:
    """The volunteer's slot, authenticated under the compartment key. May raise: OSError."""
    body = json.dumps(slot.to_json(), sort_keys=True).encode()
    atomic_write(slot_path(paths, slot.user), json.dumps(
        {"slot": slot.to_json(), "mac": _slot_mac(key, body)}, sort_keys=True).encode(), 0o600)


def read_slot(paths: Paths, user: str) -> StaffSlot | None:
    """The volunteer's slot file, if there is one (its MAC is checked once the key is open).
    May raise: VaultFileInvalid."""
    try:
        raw = slot_path(paths, user).read_bytes()[:65536]
        return StaffSlot.from_json(json.loads(raw)["slot"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise VaultFileInvalid(f"The key slot file of '{user}' is damaged. Ask a manager to reset "
                               "your passphrase.") from exc


def slot_genuine(paths: Paths, user: str, key: bytes) -> bool:
    try:
        data = json.loads(slot_path(paths, user).read_bytes()[:65536])
        body = json.dumps(data["slot"], sort_keys=True).encode()
        return hmac.compare_digest(_slot_mac(key, body), data["mac"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


# --- staff side --------------------------------------------------------------------------
def volunteers(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT username FROM staff WHERE role = 'volunteer' AND active = 1 "
                                       "AND deleted_at IS NULL ORDER BY username")]


def key_of(conn, user: str) -> bytes | None:
    row = conn.execute("SELECT key_hex FROM volunteer_compartment WHERE username = ?", (user,)).fetchone()
    return bytes.fromhex(row[0]) if row else None


def ensure_key(conn, user: str) -> bytes:
    """The compartment key of `user`, made now if there is none (the caller's transaction or its own)."""
    key = key_of(conn, user)
    if key is not None:
        return key
    key = crypto.random_key()
    tag = conn.execute("SELECT coalesce(max(tag), 0) + 1 FROM volunteer_compartment").fetchone()[0]
    sql = "INSERT INTO volunteer_compartment (username, key_hex, tag) VALUES (?, ?, ?)"
    if conn.in_transaction:
        conn.execute(sql, (user, key.hex(), tag))
    else:
        with transaction(conn):
            conn.execute(sql, (user, key.hex(), tag))
    return key


@grants(Scope.HELPER, "keeps volunteers' compartments in step; returns no records")
def sync_all(session: Session, refresh: bool | None = None, make_new: bool = True) -> None:
    """Take in what every volunteer wrote; write their compartments anew when `refresh`, or by
    default when this session wrote what they copy since it last did (what a refresh costs:
    docs/security.md). A compartment not yet on this computer is made, unless `make_new` is
    False (a join's own sessions: made after "ready", docs/sync.md §13).
    May raise: DatabaseError, OSError, VaultFileInvalid."""
    if session.user.role == Role.VOLUNTEER:
        return
    if refresh is None:
        refresh = _dirty(session.conn)
    for user in volunteers(session.conn):
        if make_new or db_path(session.paths, user).exists():
            sync(session, user, refresh)
    session._compartment_stamp = _stamps(session)
    _watch(session.conn)
    session.conn.execute("UPDATE temp.compartment_dirty SET n = 0")
    if refresh:
        session.conn.execute("DELETE FROM temp.compartment_changed_person")


# Tables whose rows a compartment copies (or whose changes hide a person: casefile).
WATCHED = ("person", "relationship", "enquiry", "enquiry_topic", "enquiry_revision", "paper_file",
           "paper_file_movement", "staff", "staff_key", "setting", "draft", "casefile")
# The columns of a case that decide whether a person is hidden (access.person_hidden_sql):
# a case's other changes (status, dates, the inactivity rule) leave every compartment as it is.
CASE_HIDING = tuple(dict.fromkeys(("client_id", "child_id", "own_case", "deleted_at", *firewall.CASE_COLUMNS)))
# Only volunteers' own drafts are copied (_wanted): staff keep one at every lock and take it
# back at unlock, which must not make the lock write the compartments anew.
VOLUNTEER_OWNER = "{row}.owner IN (SELECT username FROM main.staff WHERE role = 'volunteer')"


def _trigger_on(table: str, event: str, rows: tuple[str, ...]) -> str:
    """`AFTER <event> ON main.<table>` narrowed to the writes a compartment can see."""
    of = f" OF {', '.join(CASE_HIDING)}" if table == "casefile" and event == "UPDATE" else ""
    when = f" WHEN {' OR '.join(VOLUNTEER_OWNER.format(row=r) for r in rows)}" if table == "draft" else ""
    return f"AFTER {event}{of} ON main.{table}{when}"


@grants(Scope.HELPER, "keeps volunteers' compartments in step; returns no records")
def keep_in_step_at_lock(session: Session) -> None:
    """A staff session brings the compartments up to date when it locks, and makes those not
    yet on this computer (unless it is a join's own session: docs/sync.md §13)."""
    session.before_lock(lambda: sync_all(session, make_new=not session.compartments_later))


@grants(Scope.HELPER, "names the volunteers whose compartment is not yet made; returns no records")
def missing(session: Session) -> list[str]:
    """Volunteers with no compartment on this computer yet: after a join, until a staff
    session makes them (docs/sync.md §13). Until then such a volunteer cannot sign in here."""
    if session.user.role == Role.VOLUNTEER:
        return []
    return [u for u in volunteers(session.conn) if not db_path(session.paths, u).exists()]


def _not_watched(conn) -> bool:
    """Whether any of _watch's triggers is missing on this connection."""
    return conn.execute("SELECT count(*) FROM temp.sqlite_master WHERE type = 'trigger' AND name LIKE "
                        "'compartment\\_%' ESCAPE '\\'").fetchone()[0] < len(WATCHED) * 3 + 6


def _watch(conn) -> bool:
    """Temporary triggers (this connection only) that note a write a compartment copies, so
    an audit row or a note does not make an open compartment be written anew. Returns True
    when they were not all in place (a new connection, or a snapshot's restore dropped them
    while it replaced every row): what they would have noted is unknown, so the next
    refresh compares the tables whole."""
    gone = _not_watched(conn)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS compartment_dirty (n INTEGER NOT NULL)")
    if conn.execute("SELECT count(*) FROM temp.compartment_dirty").fetchone()[0] == 0:
        conn.execute("INSERT INTO temp.compartment_dirty VALUES (1)")
    if gone:
        conn.execute("UPDATE temp.compartment_dirty SET n = 1")
    rows_of = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}
    for table in WATCHED:
        for event, rows in rows_of.items():
            conn.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS compartment_{table}_{event.lower()} "
                         f"{_trigger_on(table, event, rows)} BEGIN UPDATE temp.compartment_dirty SET n = 1; END")
    # Which people this connection changed, or whose visibility it changed (their cases), so
    # the next refresh compares only them (_refresh, when nobody else wrote meanwhile).
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS compartment_changed_person (id TEXT PRIMARY KEY)")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS compartment_seen (username TEXT PRIMARY KEY, token TEXT, "
                 "data_version INTEGER)")
    ids = {"person": ("id",), "casefile": ("client_id", "child_id")}
    for table, columns in ids.items():
        for event, rows in rows_of.items():
            # Not "OR IGNORE": a statement's own conflict clause (capture's upserts) overrides a
            # trigger's, so the row is written only when absent.
            body = " ".join(f"INSERT INTO temp.compartment_changed_person SELECT {r}.{c} WHERE NOT EXISTS "
                            f"(SELECT 1 FROM temp.compartment_changed_person WHERE id IS {r}.{c});"
                            for r in rows for c in columns)
            conn.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS compartment_people_{table}_{event.lower()} "
                         f"{_trigger_on(table, event, rows)} BEGIN {body} END")
    return gone


def _dirty(conn) -> bool:
    try:
        dirty = bool(conn.execute("SELECT n FROM temp.compartment_dirty").fetchone()[0])
    except (db.DatabaseError, TypeError):
        dirty = True        # a new connection (after a re-key): watched from now on
    if _not_watched(conn):
        _watch(conn)
        return True
    return dirty


@grants(Scope.HELPER, "keeps volunteers' compartments in step; returns no records")
def sync_if_changed(session: Session) -> None:
    """Before each outermost service call of a staff session: one listing of the data folder
    (a stat of each compartment file), and nothing more unless one changed."""
    if session.user.role == Role.VOLUNTEER or session.locked or session.conn.in_transaction:
        return  # inside a service's own write: the next call does it
    stamps = _stamps(session)
    if stamps != getattr(session, "_compartment_stamp", None):
        sync_all(session)
    elif _any_open(stamps) and _dirty(session.conn):
        # What a call that raised had written (sync_after_write runs after a call that returned).
        sync_all(session)


@grants(Scope.HELPER, "keeps volunteers' compartments in step; returns no records")
def sync_after_write(session: Session) -> None:
    """After each outermost service call of a staff session: when a volunteer has their
    compartment open on this computer right now (its WAL exists only while a connection is
    open), what staff just wrote that it copies reaches it at once. Otherwise the next lock or
    unlock of a staff session does it. The files as the call's sync_if_changed found them: no
    system call when no compartment was open, else one query of this connection."""
    if session.user.role == Role.VOLUNTEER or session.locked or session.conn.in_transaction:
        return
    if _any_open(getattr(session, "_compartment_stamp", None) or ()) and _dirty(session.conn):
        sync_all(session)


def _any_open(stamps: tuple) -> bool:
    return any(name.endswith(".db-wal") for name, _, _ in stamps)


def _seen_own_write(session: Session, user: str) -> None:
    """This session has just written `user`'s compartment: its files as they are now are no
    change made elsewhere, and the next call must not sync every compartment for them. The
    others keep the stamps last seen, so what a volunteer wrote there still shows."""
    seen = getattr(session, "_compartment_stamp", None)
    if seen is None:
        return  # never looked: the next call syncs them all anyway
    name = f"volunteer-{user}.db"

    def mine(stamp: tuple) -> bool:
        return stamp[0] == name or stamp[0].startswith((f"{name}-", f"{name}."))

    session._compartment_stamp = tuple(sorted([s for s in seen if not mine(s)] +
                                              [s for s in _stamps(session) if mine(s)]))


def _stamps(session: Session) -> tuple:
    """(name, mtime, size) of each compartment file (volunteer-*.db, -wal, -shm): one listing
    of the data folder, which holds a few files (docs/security.md, "Saving a note")."""
    found = []
    try:
        with os.scandir(session.paths.data_dir) as entries:
            for entry in entries:
                if entry.name.startswith("volunteer-") and ".db" in entry.name:
                    try:
                        st = entry.stat()
                    except OSError:
                        continue
                    found.append((entry.name, st.st_mtime_ns, st.st_size))
    except OSError:
        pass
    return tuple(sorted(found))


@grants(Scope.HELPER, "keeps volunteers' compartments in step; returns no records")
def sync(session: Session, user: str, refresh: bool = True) -> None:
    """Absorb what `user` wrote in their compartment, then (with `refresh`, and always for a
    new compartment) write it anew from this database."""
    conn, paths = session.conn, session.paths
    key = ensure_key(conn, user)
    path = db_path(paths, user)
    refresh = refresh or not path.exists()
    try:
        vconn = db.open_database(path, key, create=not path.exists())
    except DatabaseDamaged:
        # Under another key: this database was restored from a backup made before the file
        # was last written. What it held is the volunteer's view of that newer state; it is
        # kept aside (encrypted, as found) and the compartment made anew.
        _set_aside(path)
        refresh = True
        vconn = db.open_database(path, key, create=True)
    try:
        migrations.migrate(vconn, path)
        _index_writers(vconn)
    finally:
        vconn.close()
    _attach(conn, path, key)
    try:
        if _same_history(conn, user):
            _absorb(conn, user)
        else:
            conn.execute("DETACH DATABASE vol")
            _set_aside(path)
            with transaction(conn):
                conn.execute("UPDATE volunteer_compartment SET absorbed_seq = 0 WHERE username = ?", (user,))
            vconn = db.open_database(path, key, create=True)
            try:
                migrations.migrate(vconn, path)
                _index_writers(vconn)
            finally:
                vconn.close()
            _attach(conn, path, key)
            refresh = True
        if refresh:
            _refresh(session, user)
    finally:
        conn.execute("DETACH DATABASE vol")
    _write_slot_from_record(session, user, key)
    _seen_own_write(session, user)


def _index_writers(vconn) -> None:
    for table, column in WRITERS:
        vconn.execute(f"CREATE INDEX IF NOT EXISTS compartment_{table}_{column} ON {table} ({column})")


def _same_history(conn, user: str) -> bool:
    """Whether the compartment was last written from this database. Not after a restore: its
    rows then include what the restore took away, and absorbing would bring them back."""
    mine = conn.execute("SELECT token FROM volunteer_compartment WHERE username = ?", (user,)).fetchone()[0]
    theirs = conn.execute("SELECT value FROM vol.sync_state WHERE key = ?", (TOKEN,)).fetchone()
    return mine is None or (theirs is not None and json.loads(theirs[0]) == mine)


def _set_aside(path: Path) -> None:
    """Kept (encrypted, as found), never deleted: what a volunteer wrote there is not lost."""
    path.rename(path.with_name(f"{path.name}.replaced-{clock.now():%Y%m%dT%H%M%S%f}"))
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def _attach(conn, path: Path, key: bytes) -> None:
    conn.execute("ATTACH DATABASE ? AS vol KEY ?", (str(path), f"x'{key.hex()}'"))


def _write_slot_from_record(session: Session, user: str, key: bytes) -> None:
    row = session.conn.execute(
        "SELECT k.public_key, k.private_wrap FROM staff s JOIN staff_key k ON k.id = s.id "
        "WHERE s.username = ? AND k.deleted_at IS NULL", (user,)).fetchone()
    if row is None:
        return
    current = read_slot(session.paths, user)
    slot = slot_from_record(user, row[0], row[1], key, session.device_secret, session.vault.vault_id)
    if current is not None and current.to_json() == slot.to_json() | {"sealed": current.to_json()["sealed"]} \
            and slot_genuine(session.paths, user, key):
        return
    write_slot(session.paths, slot, key)


@grants(Scope.HELPER, "keeps volunteers' compartments in step; returns no records")
def move_out_of_vault(session: Session) -> list[str]:
    """Volunteers whose slot is still in vault.json (made before compartments): the slot is
    taken out; the caller re-keys the database, since they held its key."""
    moved = [u for u in volunteers(session.conn) if u in session.reload_vault().slots]
    if not moved:
        return []
    keyed = keying.Keyed(session.paths.vault, session.vault, session.conn, session.data_key,
                         session.device_secret)
    with transaction(session.conn):
        keying.write_slots(keyed, {u: None for u in moved})
    session.vault = keyed.vault
    return moved


@grants(Scope.HELPER, "keeps volunteers' compartments in step; returns no records")
def drop(session: Session, user: str) -> None:
    """Absorb, then remove the compartment and its key (the account left the volunteer role)."""
    conn, paths = session.conn, session.paths
    key = key_of(conn, user)
    path = db_path(paths, user)
    if key is not None and path.exists():
        _attach(conn, path, key)
        try:
            _absorb(conn, user)
        finally:
            conn.execute("DETACH DATABASE vol")
    with transaction(conn):
        conn.execute("DELETE FROM volunteer_compartment WHERE username = ?", (user,))
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), slot_path(paths, user)):
        leftover.unlink(missing_ok=True)
    _seen_own_write(session, user)


def _columns(conn, schema: str, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def _absorb(conn, user: str) -> None:
    """New and changed rows of what volunteers write, and their audit events, into main."""
    with transaction(conn):
        # A volunteer's incident report, sealed to its readers before it reaches the vault
        # (and so the team): R16 at the file level (casework/restricted.py).
        restricted.seal_in_clear(conn, user, schema="vol")
    absorbed = conn.execute("SELECT absorbed_seq FROM volunteer_compartment WHERE username = ?",
                            (user,)).fetchone()[0]
    events = conn.execute("SELECT seq, at, actor, action, object_type, object_id, detail FROM vol.audit_event "
                          "WHERE seq > ? ORDER BY seq", (absorbed,)).fetchall()
    with transaction(conn):
        for table, keys, written in WRITTEN:
            cols = _columns(conn, "main", table)
            names = ", ".join(cols)
            # New rows; a row another write took first (a revision number both made) is kept
            # as the vault has it: docs/security.md says what that costs.
            conn.execute(f"INSERT OR IGNORE INTO main.{table} ({names}) SELECT {names} FROM vol.{table} v "
                         f"WHERE {written}", {"user": user})
            if "version" in cols and keys == "id":
                sets = ", ".join(f"{c} = v.{c}" for c in cols if c != "id")
                conn.execute(f"UPDATE OR IGNORE main.{table} AS m SET {sets} FROM vol.{table} AS v "
                             f"WHERE v.id = m.id AND v.version > m.version AND {written}", {"user": user})
        # The numbers the volunteer took: the refresh copies the vault's counter back into the
        # compartment, which must never hand a number out twice (docs/security.md).
        conn.execute("INSERT INTO main.reference_counter (prefix, year, value) SELECT prefix, year, value "
                     "FROM vol.reference_counter WHERE true ON CONFLICT(prefix, year) DO UPDATE "
                     "SET value = excluded.value WHERE excluded.value > reference_counter.value")
        conn.execute("UPDATE main.staff SET last_unlock_at = max(coalesce(last_unlock_at, ''), coalesce(("
                     "SELECT v.last_unlock_at FROM vol.staff v WHERE v.username = ?), '')), "
                     "passphrase_changed_at = coalesce((SELECT v.passphrase_changed_at FROM vol.staff v "
                     "WHERE v.username = ?), passphrase_changed_at) WHERE username = ?", (user, user, user))
        for _seq, at, actor, action, object_type, object_id, detail in events:
            audit.append(conn, actor, action, object_type, object_id,
                         {**json.loads(detail or "{}"), "compartment": True}, at=at)
        if events:
            conn.execute("UPDATE volunteer_compartment SET absorbed_seq = ? WHERE username = ?",
                         (events[-1][0], user))


def _refresh(session: Session, user: str) -> None:
    """Bring the compartment in line with this database: only what a volunteer may see
    (docs/security.md). Each table is compared whole with what it should hold, and only the
    rows that differ are written (the search index of those people only): a refresh after a
    few edits writes a few rows, not the whole file."""
    conn = session.conn
    viewer = firewall.params(firewall.Viewer(reads_casework=False, username=user))
    tag = conn.execute("SELECT tag FROM volunteer_compartment WHERE username = ?", (user,)).fetchone()[0]
    main_tag = conn.execute("SELECT value FROM sync_state WHERE key = 'reference_tag'").fetchone()
    reference_tag = json.dumps(f"{json.loads(main_tag[0]) if main_tag else ''}V{tag}-")
    scoped = not _watch(conn) and _only_own_changes(conn, user)
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with transaction(conn):
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS compartment_person_changed (id TEXT PRIMARY KEY)")
            conn.execute("DELETE FROM temp.compartment_person_changed")
            for table, keys, wanted in _wanted(conn):
                # The people: only those this connection changed, when it saw every change
                # since this compartment's last refresh; the other tables are small.
                scope = " AND id IN (SELECT id FROM temp.compartment_changed_person)" \
                    if scoped and table == "person" else ""
                _write_difference(conn, table, keys, wanted, {**viewer, "user": user}, scope)
            _reindex_changed_people(conn)
            if conn.execute("SELECT value FROM vol.sync_state WHERE key = 'reference_tag'").fetchone() != \
                    (reference_tag,):
                conn.execute("INSERT INTO vol.sync_state (key, value) VALUES ('reference_tag', ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (reference_tag,))
            token = crypto.random_key().hex()
            conn.execute("INSERT INTO vol.sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                         "SET value = excluded.value", (TOKEN, json.dumps(token)))
            conn.execute("UPDATE volunteer_compartment SET refreshed_at = ?, token = ? WHERE username = ?",
                         (clock.stamp(), token, user))
            conn.execute("DROP TABLE IF EXISTS temp.compartment_want")
            conn.execute("INSERT OR REPLACE INTO temp.compartment_seen VALUES (?, ?, ?)",
                         (user, token, conn.execute("PRAGMA main.data_version").fetchone()[0]))
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA vol.wal_checkpoint(TRUNCATE)").fetchone()


def _only_own_changes(conn, user: str) -> bool:
    """Whether every change to the vault since this compartment's last refresh was made on this
    connection (its triggers listed them): the compartment is the one this connection last
    wrote, and no other connection has committed to the vault since (PRAGMA data_version)."""
    seen = conn.execute("SELECT token, data_version FROM temp.compartment_seen WHERE username = ?",
                        (user,)).fetchone()
    if seen is None:
        return False
    token = conn.execute("SELECT value FROM vol.sync_state WHERE key = ?", (TOKEN,)).fetchone()
    return token is not None and json.loads(token[0]) == seen[0] and \
        conn.execute("PRAGMA main.data_version").fetchone()[0] == seen[1]


def _wanted(conn) -> list[tuple[str, str, str]]:
    """(table, key columns, what it should hold as SQL over main) in an order where each
    query reads only tables of the compartment already brought in line."""
    hidden = access.person_hidden_sql("p.id")
    enquiry_ok = access.enquiry_visible_sql("e")
    # A person's row as a volunteer may hold it: the columns they may see, the rest as new.
    person = ", ".join(f"p.{c} AS {c}" if c in PERSON_COLUMNS else f"{_default(conn, 'person', c)} AS {c}"
                       for c in _columns(conn, "vol", "person"))
    return [
        ("person", "id", f"SELECT {person} FROM main.person p WHERE p.deleted_at IS NULL AND NOT {hidden}"),
        ("relationship", "id", "SELECT r.* FROM main.relationship r JOIN vol.person a ON a.id = r.adult_id "
                               "JOIN vol.person c ON c.id = r.child_id WHERE r.deleted_at IS NULL"),
        ("enquiry", "id", f"SELECT e.* FROM main.enquiry e WHERE e.deleted_at IS NULL AND {enquiry_ok}"),
        ("enquiry_topic", "enquiry_id, topic", "SELECT t.* FROM main.enquiry_topic t "
                                               "JOIN vol.enquiry e ON e.id = t.enquiry_id"),
        ("enquiry_revision", "id", "SELECT r.* FROM main.enquiry_revision r "
                                   "JOIN vol.enquiry e ON e.id = r.enquiry_id"),
        ("paper_file", "id", "SELECT f.* FROM main.paper_file f WHERE f.case_id IS NULL"),
        ("paper_file_movement", "id", "SELECT m.* FROM main.paper_file_movement m "
                                      "JOIN vol.paper_file f ON f.id = m.file_id"),
        ("staff", "id", "SELECT * FROM main.staff"),
        ("staff_key", "id", "SELECT k.* FROM main.staff_key k JOIN main.staff s ON s.id = k.id "
                            "WHERE s.username = :user"),
        ("setting", "key", "SELECT * FROM main.setting"),
        ("reference_counter", "prefix, year", "SELECT * FROM main.reference_counter"),
        ("draft", "id", "SELECT d.* FROM main.draft d WHERE d.owner = :user"),
        # Taken in by the absorb before; never kept here.
        ("organisation", "id", "SELECT * FROM main.organisation WHERE 0"),
        ("incident", "id", "SELECT * FROM main.incident WHERE 0"),
    ]


def _default(conn, table: str, column: str) -> str:
    for _cid, name, _type, _notnull, default, _pk in conn.execute(f"PRAGMA vol.table_info({table})"):
        if name == column:
            return default if default is not None else "NULL"
    return "NULL"


def _write_difference(conn, table: str, keys: str, wanted: str, params: dict, scope: str = "") -> None:
    """Delete the rows that should not be there or differ, insert the ones missing. EXCEPT
    compares whole rows, NULLs included. `scope` limits both sides to some rows."""
    names = ", ".join(_columns(conn, "vol", table))
    conn.execute("DROP TABLE IF EXISTS temp.compartment_want")
    conn.execute(f"CREATE TEMP TABLE compartment_want AS SELECT * FROM ({wanted}) WHERE 1{scope}", params)
    stale = f"SELECT {keys} FROM (SELECT {names} FROM vol.{table} WHERE 1{scope} " \
            f"EXCEPT SELECT {names} FROM temp.compartment_want)"
    missing = f"SELECT {names} FROM temp.compartment_want EXCEPT SELECT {names} FROM vol.{table} WHERE 1{scope}"
    if table != "person":
        conn.execute(f"DELETE FROM vol.{table} WHERE ({keys}) IN ({stale})")
        conn.execute(f"INSERT INTO vol.{table} ({names}) {missing}")
        return
    # The people (every one, at a session's first refresh: over 100,000 at 50,000 cases): each
    # row is looked up by id on the other side and compared column by column (IS: NULLs equal,
    # as EXCEPT compares), rather than both sides sorted whole by EXCEPT, twice each way.
    differs = " OR ".join(f"w.{c} IS NOT v.{c}" for c in _columns(conn, "vol", "person") if c != "id")
    conn.execute("CREATE INDEX temp.compartment_want_id ON compartment_want (id)")
    conn.execute(f"CREATE TEMP TABLE compartment_stale AS SELECT v.id AS id FROM vol.person v LEFT JOIN "
                 f"temp.compartment_want w ON w.id = v.id WHERE (1{scope.replace(' id IN', ' v.id IN')}) "
                 f"AND (w.id IS NULL OR {differs})")
    conn.execute("INSERT OR IGNORE INTO temp.compartment_person_changed SELECT id FROM temp.compartment_stale")
    conn.execute("DELETE FROM vol.person WHERE id IN (SELECT id FROM temp.compartment_stale)")
    conn.execute("DROP TABLE temp.compartment_stale")
    # What is left in the compartment now matches; whatever it lacks is written.
    conn.execute("INSERT OR IGNORE INTO temp.compartment_person_changed SELECT w.id FROM temp.compartment_want w "
                 "WHERE NOT EXISTS (SELECT 1 FROM vol.person v WHERE v.id = w.id)")
    conn.execute(f"INSERT INTO vol.person ({names}) SELECT {names} FROM temp.compartment_want w "
                 "WHERE NOT EXISTS (SELECT 1 FROM vol.person v WHERE v.id = w.id)")


def _reindex_changed_people(conn) -> None:
    """Names only in the search index (a volunteer finds people by name: read_budget), for
    the people whose row changed, and any the index lacks or holds no longer."""
    conn.execute("INSERT OR IGNORE INTO temp.compartment_person_changed SELECT k.ref_id FROM vol.search_key k "
                 "WHERE k.kind = 'person' AND NOT EXISTS (SELECT 1 FROM vol.person p WHERE p.id = k.ref_id)")
    conn.execute("INSERT OR IGNORE INTO temp.compartment_person_changed SELECT p.id FROM vol.person p "
                 "WHERE NOT EXISTS (SELECT 1 FROM vol.search_key k WHERE k.ref_id = p.id)")
    conn.execute("INSERT OR IGNORE INTO temp.compartment_person_changed SELECT ref_id FROM vol.search_key "
                 "WHERE kind != 'person'")
    changed = "SELECT id FROM temp.compartment_person_changed"
    conn.execute(f"DELETE FROM vol.search_index WHERE rowid IN (SELECT id FROM vol.search_key "
                 f"WHERE ref_id IN ({changed}))")
    conn.execute(f"DELETE FROM vol.search_key WHERE ref_id IN ({changed})")
    conn.execute(f"INSERT INTO vol.search_key (kind, ref_id) SELECT 'person', p.id FROM vol.person p "
                 f"WHERE p.id IN ({changed})")
    conn.execute("INSERT INTO vol.search_index (rowid, kind, ref_id, case_id, title, body) "
                 "SELECT k.id, 'person', p.id, NULL, trim(p.first_name || ' ' || p.last_name || ' ' || "
                 f"coalesce(p.known_as, '')), '' FROM vol.person p JOIN vol.search_key k ON k.ref_id = p.id "
                 f"WHERE p.id IN ({changed})")


# --- volunteer side ----------------------------------------------------------------------
def is_compartment_slot(paths: Paths, user: str, vault_slots: dict) -> bool:
    return user not in vault_slots and slot_path(paths, user).exists()


def open_compartment(paths: Paths, user: str, keys: list[bytes]):
    """(connection, key) of the volunteer's own database. May raise: DatabaseDamaged, WrongCredentials."""
    path = db_path(paths, user)
    if not keys or not path.exists() or not slot_genuine(paths, user, keys[0]):
        raise WrongCredentials("Your volunteer account is not ready on this computer yet. Ask a member of "
                               "staff to sign in here once, then try again.")
    conn = db.open_database(path, keys[0])
    try:
        migrations.migrate(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn, keys[0]


@grants(Scope.HELPER, "keeps volunteers' compartments in step; returns no records")
def follow(session: Session) -> None:
    """Before each call of a volunteer's session: their slot file must still be there (a
    manager who disables them removes it). May raise: Locked."""
    if not slot_path(session.paths, session.user.username).exists():
        raise Locked()
