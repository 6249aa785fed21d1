"""Who may change the team (docs/sync.md §5, docs/security.md "Who holds what").

Entries that change the team (enrol a computer, a new key epoch, manager rights, disabling a
colleague) are signed by an active manager's own staff key, never by a computer's key. The
staff signing key is an Ed25519 key derived from the person's X25519 staff key, whose private
half only their passphrase unwraps; so a copy of a database, a vault.json or a device secret
signs nothing that changes the team.

The list of managers (the roster) is itself built only from such entries, replayed from the
team's genesis on every computer: username -> the manager's signing public key.
"""

import json

from app.domain.role_matrix import Scope, grants
from app.errors import ConfideError
from app.security import crypto
from app.security.session import Session
from app.services.team import keys, state
from app.storage.key_state_repo import KeyStateRepo

ROSTER = "managers"            # sync_state: username -> {"sign": hex, "active": bool}
SIGN_INFO = b"confide-staff-sign:v1"


class NoAuthority(ConfideError):
    """The person signed in cannot sign a change to the team."""


def signing_key(private: bytes) -> str:
    """The person's Ed25519 signing key (hex), derived from their X25519 staff private key."""
    return crypto.hkdf(private, info=SIGN_INFO).hex()


def sign_pub(private: bytes) -> str:
    return keys.sign_pub_of(signing_key(private))


def roster(conn) -> dict[str, dict]:
    return dict(state.get(conn, ROSTER) or {})


def active_managers(conn) -> dict[str, str]:
    """username -> signing public key, for every manager the team's entries say is active."""
    return {u: r["sign"] for u, r in roster(conn).items() if r.get("active") and r.get("sign")}


def set_member(conn, username: str, sign: str | None, active: bool) -> None:
    current = roster(conn)
    if active and sign:
        current[username] = {"sign": sign, "active": True}
    elif username in current:
        current[username] = {**current[username], "active": False}
    state.put(conn, ROSTER, current)


def legacy(conn) -> bool:
    """A team founded before team changes were signed by people: its genesis named no
    manager. Such a team is refused (docs/sync.md §5: found it again)."""
    return state.in_team(conn) and state.get(conn, ROSTER) is None


LEGACY_MESSAGE = ("This team was founded by an earlier version of Confide, whose team changes were "
                  "signed by computers rather than by managers. That is no longer accepted: a copied "
                  "database could sign them. Found the team again from the manager's computer "
                  "(docs/sync.md §5), then invite the other computers afresh.")


def signer_for(conn) -> tuple[str, str]:
    """(username, signing key hex) of the active manager signed in on `conn`.

    May raise: NoAuthority."""
    session = Session.for_connection(conn)
    if session is None or session.private_key is None:
        raise NoAuthority("Only a manager signed in on this computer can change the team.")
    username = session.user.username
    mine = sign_pub(session.private_key)
    if legacy(conn):
        raise NoAuthority(LEGACY_MESSAGE)
    if active_managers(conn).get(username) != mine:
        raise NoAuthority(f"{username} is not one of the team's managers (as the team's signed entries "
                          "record them), so this computer cannot change the team for them. Ask a "
                          "manager of the team to do it.")
    return username, signing_key(session.private_key)


@grants(Scope.ANY, "the signed-in person's own public signing key")
def record_own_sign_key(session) -> bool:
    """Put the signed-in person's signing public key into their staff key record, which
    replicates: a manager then names it when giving them manager rights. True when written."""
    private = session.private_key
    if private is None:
        return False
    conn = session.conn
    row = conn.execute("SELECT public_key, private_wrap FROM staff_key WHERE id = ? AND deleted_at IS NULL",
                       (session.user.id,)).fetchone()
    if row is None:
        return False
    wrap = json.loads(row[1])
    mine = sign_pub(private)
    if wrap.get("sign_public") == mine:
        return False
    wrap["sign_public"] = mine
    KeyStateRepo(conn).put_staff_key(session.user.id, row[0], wrap, session.user.username)
    return True


def published_sign_key(conn, username: str) -> str | None:
    row = conn.execute("SELECT k.private_wrap FROM staff s JOIN staff_key k ON k.id = s.id "
                       "WHERE s.username = ? AND k.deleted_at IS NULL", (username,)).fetchone()
    return json.loads(row[0]).get("sign_public") if row else None
