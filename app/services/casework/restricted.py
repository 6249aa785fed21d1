"""R16 at the file level: safeguarding concerns and staff-safety incidents are written sealed to
the people who may read them, the managers and the case's worker (docs/security.md,
"Restricted records sealed to their readers"; app/security/restricted.py is the envelope).

The text columns hold the envelope; the rest of the row (dates, status, which case or person)
stays as it was, so counts, lists and the firewall work as before. A member of staff who is
not a reader (on this computer, another one, a laptop, or from the hub) holds only ciphertext.

Readers: every active manager, and the worker of the case (a concern), or of the incident's
case and of every case the person is client or child of (an incident; as
`incidents_for_person` decides). Who changes later (a new worker, a new manager) is added by
the next session of someone who can read the record (`follow`, at every staff unlock, lock and
team sync); a writer always seals anew to the readers of the moment. Someone taken off keeps
what they could already read; nothing written afterwards is sealed to them.
"""

import base64
import json

from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.security import restricted
from app.security.session import Session
from app.storage.db import DatabaseError, transaction
from app.storage.records import utc_now

SEALED = {"safeguarding_concern": ("description", "referred_to", "external_reference", "outcome"),
          "incident": ("description",)}
NOT_A_READER = "(Sealed: only the manager and the case's worker can read this.)"


def _public_keys(conn, usernames: set[str]) -> dict[str, bytes]:
    if not usernames:
        return {}
    out = {}
    for username, public in conn.execute(
            "SELECT s.username, k.public_key FROM staff s JOIN staff_key k ON k.id = s.id WHERE s.active = 1 "
            "AND s.deleted_at IS NULL AND k.deleted_at IS NULL AND s.role != 'volunteer'"):
        if username in usernames:
            out[username] = base64.b64decode(public)
    return out


def readers(conn, table: str, row, schema: str = "main") -> dict[str, bytes]:
    """username -> public key of everyone who may read this row (from `schema`'s row)."""
    people = {r[0] for r in conn.execute("SELECT username FROM main.staff WHERE role = 'manager' AND active = 1 "
                                         "AND deleted_at IS NULL")}
    if table == "safeguarding_concern":
        people |= {r[0] for r in conn.execute("SELECT worker FROM main.casefile WHERE id = ?", (row["case_id"],))}
    else:
        people |= {r[0] for r in conn.execute(
            "SELECT worker FROM main.casefile WHERE deleted_at IS NULL AND (id = ? OR client_id = ? OR child_id = ?)",
            (row["case_id"], row["person_id"], row["person_id"]))}
    return _public_keys(conn, people)


def seal_values(conn, table: str, record_id: str, values: dict) -> dict:
    """`values` for a write, with the sealed fields in an envelope to the row's readers (the
    first sealed column holds it, the others are emptied)."""
    fields = SEALED[table]
    context = {"case_id": values.get("case_id"), "person_id": values.get("person_id")}
    envelope = restricted.seal({f: values.get(f) for f in fields}, readers(conn, table, context), table, record_id)
    return {**values, fields[0]: envelope, **{f: None for f in fields[1:]}}


def existing_context(conn, table: str, record_id: str) -> dict:
    row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone()
    return {k: row[k] for k in row.keys()} if row else {}


@grants(Scope.HELPER, "R16: opens what the caller already may read")
def opened(session: Session, table: str, row) -> dict:
    """The row with its sealed fields opened for the signed-in person, or NOT_A_READER there.
    A row written before sealing (still in the clear) is returned as it is."""
    values = {k: row[k] for k in row.keys()}
    fields = SEALED[table]
    envelope = values.get(fields[0])
    if not restricted.is_sealed(envelope):
        return values
    text = restricted.open_fields(envelope, table, values["id"], session.user.username, session.private_key)
    if text is None:
        return {**values, fields[0]: NOT_A_READER, **{f: None for f in fields[1:]}}
    return {**values, **{f: text.get(f) for f in fields}}


def seal_in_clear(conn, actor: str, schema: str = "main") -> int:
    """Seal the rows still in the clear (written before sealing, or a volunteer's report about
    to be taken in from their compartment): needs only public keys, so any member of staff's
    session does it. The key is derived from the text (restricted.seal), so computers doing it
    at once write the same bytes. Returns how many."""
    done = 0
    for table, fields in SEALED.items():
        rows = conn.execute(f"SELECT * FROM {schema}.{table} WHERE {fields[0]} NOT LIKE ?",
                            (restricted.PREFIX + "%",)).fetchall()
        for row in rows:
            envelope = restricted.seal({f: row[f] for f in fields}, readers(conn, table, row), table, row["id"],
                                       derived=True)
            sets = ", ".join(f"{f} = ?" for f in fields)
            if schema == "main":
                conn.execute(f"UPDATE main.{table} SET {sets}, updated_at = ?, updated_by = ?, version = version + 1 "
                             "WHERE id = ?", (envelope, *[None] * (len(fields) - 1), _now(), actor, row["id"]))
            else:
                # A volunteer's own row: sealed as it is, so the absorb takes the envelope in.
                conn.execute(f"UPDATE {schema}.{table} SET {sets} WHERE id = ?",
                             (envelope, *[None] * (len(fields) - 1), row["id"]))
            done += 1
    return done


@grants(Scope.HELPER, "R16: keeps restricted records sealed to their readers; returns no records")
def add_missing_readers(session: Session) -> int:
    """Seal each record this person can read to readers it lacks (a case given to another
    worker, a new manager). Returns how many records changed."""
    conn, me = session.conn, session.user.username
    done = 0
    for table, fields in SEALED.items():
        for row in list(_lacking(conn, table, me)):
            envelope = row[fields[0]]
            have = restricted.readers(envelope)
            if me not in have:
                continue
            want = readers(conn, table, row)
            more = {u: pub for u, pub in want.items() if u not in have}
            if not more:
                continue
            key = restricted.record_key(envelope, table, row["id"], me, session.private_key)
            if key is None:
                continue
            conn.execute(f"UPDATE main.{table} SET {fields[0]} = ?, updated_at = ?, updated_by = ?, "
                         "version = version + 1 WHERE id = ?",
                         (restricted.add_readers(envelope, table, row["id"], key, more), _now(), me, row["id"]))
            done += 1
    return done


def _seal_mark(username: str) -> str:
    # How a reader appears in an envelope's canonical JSON (restricted.seal: sorted keys, no
    # spaces): a reader's entry is an object whose first key is "ct".
    return f'"{username}":{{"ct":'


# Who may read a sealed row, as follow decides it: active staff with a key, not volunteers.
_READERS = ("SELECT s.username, s.role = 'manager' FROM main.staff s JOIN main.staff_key k ON k.id = s.id "
            "WHERE s.active = 1 AND s.deleted_at IS NULL AND k.deleted_at IS NULL AND s.role != 'volunteer'")
# The sealed rows this person reads, each with the workers whose cases make them readers.
_MINE = {
    "safeguarding_concern":
        "SELECT t.*, json_array(c.worker) AS workers_json FROM main.safeguarding_concern t "
        "LEFT JOIN main.casefile c ON c.id = t.case_id "
        "WHERE t.deleted_at IS NULL AND t.description LIKE :prefix AND instr(t.description, :me) > 0",
    "incident":
        "SELECT t.*, (SELECT json_group_array(c.worker) FROM main.casefile c WHERE c.deleted_at IS NULL "
        "AND (c.id = t.case_id OR c.client_id = t.person_id OR c.child_id = t.person_id)) AS workers_json "
        "FROM main.incident t WHERE t.deleted_at IS NULL AND t.description LIKE :prefix AND instr(t.description, :me) > 0",
}


def _lacking(conn, table: str, me: str):
    """The rows of `table` this person reads that lack a reader: each envelope's text searched
    for each reader's mark, so a sync with nothing to add parses no envelope. In Python, with
    the readers read once: the same test in SQL, per row and per member of staff, cost a
    quarter of a second at every unlock and lock at 50,000 cases."""
    readers = dict(conn.execute(_READERS).fetchall())
    managers = [_seal_mark(u) for u, manager in readers.items() if manager]
    field = SEALED[table][0]
    for row in conn.execute(_MINE[table], {"prefix": restricted.PREFIX + "%", "me": _seal_mark(me)}):
        text = row[field]
        workers = {w for w in json.loads(row["workers_json"]) if w in readers}
        if any(mark not in text for mark in managers) or any(_seal_mark(w) not in text for w in workers):
            yield row


@grants(Scope.HELPER, "R16: keeps restricted records sealed to their readers; returns no records")
def follow(session: Session) -> None:
    """At a staff unlock, lock and team sync: seal what is in the clear, add missing readers.
    May raise: DatabaseError."""
    if session.user.role == Role.VOLUNTEER or session.locked or session.conn.in_transaction:
        return
    conn = session.conn
    if not _changed_since_last_look(conn):
        return          # nothing it depends on was written since it last found all sealed
    pending = any(conn.execute(f"SELECT 1 FROM main.{t} WHERE {f[0]} NOT LIKE ? LIMIT 1",
                               (restricted.PREFIX + "%",)).fetchone() for t, f in SEALED.items())
    lacking = any(next(_lacking(conn, t, session.user.username), None) is not None for t in SEALED)
    if pending or lacking:
        with transaction(conn):
            seal_in_clear(conn, session.user.username)
            add_missing_readers(session)
    conn.execute("UPDATE temp.restricted_look SET changed = 0, data_version = ?", (_data_version(conn),))


# The look above reads every sealed row (about 100 ms at 200,000 cases) and runs at every team
# sync, where a sync with nothing to do spent most of its time in it (docs/performance.md). It
# is made again only when something it depends on may have changed: a write on this
# connection to a table it reads (temporary triggers raise a flag: they see this connection's
# writes, replicated rows applied by a sync included), or a commit by any other connection
# (`data_version`). A new connection (after a re-key) has no flag yet: it looks.
_DEPENDS_ON = {"safeguarding_concern": "", "incident": "", "staff": "", "staff_key": "",
               "casefile": " OF worker, client_id, child_id, deleted_at"}


def _data_version(conn) -> int:
    return conn.execute("PRAGMA data_version").fetchone()[0]


def _changed_since_last_look(conn) -> bool:
    try:
        changed, seen = conn.execute("SELECT changed, data_version FROM temp.restricted_look").fetchone()
    except (DatabaseError, TypeError):
        _watch(conn)
        return True
    return bool(changed) or seen != _data_version(conn)


def _watch(conn) -> None:
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS restricted_look (changed INTEGER, data_version INTEGER)")
    conn.execute("DELETE FROM temp.restricted_look")
    conn.execute("INSERT INTO temp.restricted_look VALUES (1, NULL)")
    for table, columns in _DEPENDS_ON.items():
        for event in ("INSERT", "DELETE", "UPDATE" + columns):
            name = f"restricted_look_{table}_{event.split()[0].lower()}"
            conn.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS {name} AFTER {event} ON main.{table} "
                         "BEGIN UPDATE temp.restricted_look SET changed = 1; END")


def _now() -> str:
    return utc_now()
