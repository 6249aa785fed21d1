"""The minimal team bootstrap the engine needs: create a team on one replica, enrol another
by what an invitation carries, revoke a device (docs/sync.md §5, §13). The invitation file,
its one-time code and the CLI are built on top of these."""

import base64
from datetime import datetime, timedelta

from uuid6 import uuid7

from app import clock
from app.domain.role_matrix import Scope, grants
from app.errors import ConfideError
from app.services.team import (
    authority,
    blocks,
    control,
    copies,
    device_keys,
    key_holders,
    keys,
    snapshot,
    state,
)
from app.services.team.sync import pull
from app.storage import capture as triggers
from app.storage.capture import replicated_tables
from app.storage.db import transaction
from app.storage.hub.base import Hub, SequenceTaken


class TeamError(ConfideError):
    """The team could not be created, joined or changed as asked."""


def _now() -> str:
    return clock.stamp()


INVITATION_DAYS = 7


def _store_own(conn, team_id: str, name: str, device_id: str, index: int, genesis_pub: str) -> None:
    for k, v in {"team_id": team_id, "team_name": name, "device_id": device_id, "device_index": index,
                 "genesis_sign_pub": genesis_pub, "reference_tag": state.reference_letter(index)}.items():
        state.put(conn, k, v)


def _own_private(session) -> bytes:
    private = session.private_key
    if private is None:
        raise TeamError("Your account has no key pair yet (it was made by an older Confide). Ask "
                        "another manager to reset your passphrase, then try again.")
    return private


@grants(Scope.MANAGER)
def create_team(session, hub: Hub, name: str, device_name: str = "Office computer 1",
                team_id: str | None = None) -> str:
    """Found a team on this computer, whose records become the team's. Returns the team id.
    `team_id` is given when the hub was bound to it first (a hub is opened for one team).
    The founding manager's own staff key signs the genesis: the team's first authority.

    May raise: PermissionDenied, TeamError, HubError.
    """
    conn = session.conn
    if state.in_team(conn):
        raise TeamError("This computer is already part of a team.")
    if hub.head() != 0:
        raise TeamError(f"The hub at {hub.describe()} already holds a team. Choose an empty hub.")
    private = _own_private(session)
    founder = session.user.username
    team_id = team_id or str(uuid7())
    device_id, dev_keys, epoch_key = str(uuid7()), keys.new_device_keys(), keys.new_epoch_key()
    info = {"device_id": device_id, "name": device_name, "index": 1, "sign_pub": dev_keys["sign_pub"],
            "box_pub": dev_keys["box_pub"], "manager": True}
    managers = {u: pub for u in _active_managers(conn) if (pub := authority.published_sign_key(conn, u))}
    managers[founder] = authority.sign_pub(private)
    body = {"team": team_id, "type": "genesis", "by": device_id, "staff": founder, "at": _now(),
            "name": name, "device": info, "managers": managers}
    payload = control.seal(body, authority.signing_key(private))
    try:
        hub.append(1, device_id, "control", payload)
    except SequenceTaken as exc:
        raise TeamError("Another computer founded a team on this hub at the same moment.") from exc
    with transaction(conn):
        _store_own(conn, team_id, name, device_id, 1, managers[founder])
        device_keys.store(conn, dev_keys, session.device_secret)
        control.apply(conn, control.check(conn, payload, 1, device_id), 1)
        state.add_epoch(conn, 1, epoch_key, 1)
        copies.keep(conn, 1, device_id, "control", payload, own=True)
        state.put(conn, "last_applied_seq", 1)
        triggers.install_triggers(conn, force=True)
        state.set_capture(conn, True)
        session.audit("team_created", "team", team_id)
    # What was here before the team existed was never captured: the snapshot carries it.
    snapshot.put_snapshot(conn, hub)
    return team_id


def _active_managers(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT username FROM staff WHERE role = 'manager' AND active = 1 "
                                       "AND deleted_at IS NULL")]


def _append_control(conn, hub: Hub, make) -> int:
    """Append a control entry at the head: `make` is its body, or makes it after each pull.
    Entries that change the team are signed by the manager signed in here (authority.py); a
    computer's own entries by its own key. May raise: TeamError, HubError."""
    for _ in range(8):
        pull(conn, hub)
        body = make() if callable(make) else make
        seq = state.last_applied(conn) + 1
        if body["type"] in control.BY_MANAGER:
            try:
                staff, sign_key = authority.signer_for(conn)
            except authority.NoAuthority as exc:
                raise TeamError(exc.message) from exc
            payload = control.seal({**body, "staff": staff, "at": _now()}, sign_key)
        else:
            payload = control.seal({**body, "at": _now()}, device_keys.sign_priv(conn))
        try:
            hub.append(seq, state.get(conn, "device_id"), "control", payload)
        except SequenceTaken:
            continue
        with transaction(conn):
            control.apply(conn, control.check(conn, payload, seq, state.get(conn, "device_id")), seq)
            copies.keep(conn, seq, state.get(conn, "device_id"), "control", payload, own=True)
            state.put(conn, "last_applied_seq", seq)
        return seq
    raise TeamError("The hub is too busy: try again in a moment.")


def _require_manager_device(conn) -> None:
    state.require_team(conn)
    if authority.legacy(conn):
        raise TeamError(authority.LEGACY_MESSAGE)
    me = state.device(conn, state.get(conn, "device_id"))
    if me is None or not me.manager:
        raise TeamError("Only a manager's computer can change the team's computers.")


@grants(Scope.MANAGER)
def prepare_invitation(session, device_name: str, manager: bool = False,
                       days: int = INVITATION_DAYS, laptop: bool = False) -> tuple[dict, dict]:
    """What an invitation carries (secret: the caller encrypts it under the one-time code)
    and the `enrol` entry that makes it usable, not yet appended: the caller writes the file
    first, so a failed invite enrols nothing. A laptop is named so in the signed entry, so
    every computer lists it as one before it asks for a case. May raise: PermissionDenied,
    TeamError."""
    conn = session.conn
    _require_manager_device(conn)
    team_id = state.get(conn, "team_id")
    device_id, dev_keys = str(uuid7()), keys.new_device_keys()
    index = max(d.device_index for d in state.devices(conn)) + 1
    info = {"device_id": device_id, "name": device_name, "index": index, "sign_pub": dev_keys["sign_pub"],
            "box_pub": dev_keys["box_pub"], "manager": bool(manager) and not laptop}
    if laptop:
        info["laptop"] = True
    epochs = conn.execute("SELECT epoch, key FROM sync_epoch").fetchall()
    sealed = {str(e): keys.seal_to_device(info["box_pub"], team_id, device_id, int(e), bytes(k)) for e, k in epochs}
    expires = (clock.now() + timedelta(days=days)).isoformat(timespec="seconds")
    body = {"team": team_id, "type": "enrol", "by": state.get(conn, "device_id"), "device": info,
            "expires": expires}
    content = {"team_id": team_id, "team_name": state.get(conn, "team_name"),
               "genesis_sign_pub": state.get(conn, "genesis_sign_pub"), "device_id": device_id,
               "index": index, "keys": dev_keys, "sealed": sealed, "expires": expires}
    return content, body


@grants(Scope.MANAGER)
def enrol(session, hub: Hub, body: dict) -> int:
    """Append a prepared `enrol` entry. May raise: PermissionDenied, TeamError, HubError."""
    seq = _append_control(session.conn, hub, body)
    with transaction(session.conn):
        session.audit("device_enrolled", "device", body["device"]["device_id"])
    return seq


@grants(Scope.MANAGER)
def invite_device(session, hub: Hub, device_name: str, manager: bool = False) -> dict:
    """Enrol a new computer and return what its invitation carries (secret: the caller must
    encrypt it under the one-time code). May raise: PermissionDenied, TeamError, HubError."""
    content, body = prepare_invitation(session, device_name, manager)
    # Its own hub login first (docs/hub.md); a login whose enrolment failed is disabled again.
    content["hub_login"] = hub.add_device_login(content["device_id"], manager=bool(manager))
    try:
        enrol(session, hub, body)
    except BaseException:
        if content["hub_login"] is not None:
            hub.revoke_device(content["device_id"])
        raise
    return content


@grants(Scope.ANY, "joins a new, empty vault (membership.join makes it)")
def join_team(session, hub: Hub, invitation: dict, adopt=None, fresh: bool = False) -> int:
    """Make this new, empty vault a replica of the team and catch up; then make this
    computer's own key pairs and say so in a `joined` entry, which retires the invitation's
    keys (a second use of the invitation is refused by every computer). Returns the hub
    sequence reached. `adopt(session)`, called once the team's staff records are here, lets
    the joiner's account take its team key pair (membership.join). `fresh`: the vault is made
    aside and used only once complete (join_staging), so its snapshot may be restored without
    the write-ahead log (snapshot.restore_latest).
    May raise: TeamError, BundleRefused, SyncBlocked, HubError."""
    conn = session.conn
    if state.in_team(conn):
        raise TeamError("This computer is already part of a team.")
    for table in replicated_tables(conn):
        if table not in ("staff", "staff_key") and conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            raise TeamError("This vault already holds records; join a team only from a new vault.")
    inv = invitation
    check_not_expired(inv)
    laptop = inv.get("kind") == "laptop"
    with transaction(conn):
        _store_own(conn, inv["team_id"], inv["team_name"], inv["device_id"], int(inv["index"]),
                   inv["genesis_sign_pub"])
        # Until `joined`: a key change made since the invitation is sealed to it too.
        device_keys.store(conn, inv["keys"], session.device_secret, name=device_keys.INVITATION)
        if laptop:
            from app.services.team.laptop.replica import mark_laptop

            mark_laptop(conn)    # from here on it applies only its own cases' changes (§14)
        for epoch, sealed in inv["sealed"].items():
            state.add_epoch(conn, int(epoch), keys.open_sealed_for_device(
                inv["keys"]["box_priv"], inv["team_id"], inv["device_id"], int(epoch), sealed), 0)
        # This vault's own first account is replaced by the team's staff records.
        state.set_capture(conn, False)
        for table in reversed(replicated_tables(conn)):
            conn.execute(f"DELETE FROM {table}")
    # The snapshot's rows go in before the capture triggers exist: they would only test the
    # flag for every one of a large team's rows.
    snapshot.restore_latest(conn, hub, fresh=fresh)
    with transaction(conn):
        triggers.install_triggers(conn, force=True)
        state.set_capture(conn, True)
    if adopt is not None:
        adopt(session)
    with transaction(conn):
        control.open_pending(conn)
    pull(conn, hub)
    _say_joined(session, hub, inv)
    if laptop:
        from app.services.team.laptop import replica

        # Belt and braces: no casework may stay on a new laptop; then the file is compacted.
        with transaction(conn):
            replica.erase_outside(conn, [])
        replica.compact(conn)
    return state.last_applied(conn)


def check_not_expired(invitation: dict) -> None:
    """May raise: TeamError (the invitation's week is over; every computer refuses it too)."""
    expires = invitation.get("expires")
    if expires and clock.now() > datetime.fromisoformat(expires):
        raise TeamError(f"This invitation expired on {expires[:10]} at {expires[11:16]} UTC. Ask your "
                        "manager for a new one.")


def _say_joined(session, hub: Hub, inv: dict) -> None:
    """Append `joined` with fresh key pairs made here, signed by the invitation's key; the
    entry is then read back like any other. May raise: TeamError, HubError."""
    conn = session.conn
    device_id, team_id = inv["device_id"], inv["team_id"]
    fresh = keys.new_device_keys()
    with transaction(conn):
        device_keys.store(conn, fresh, session.device_secret, name=device_keys.NEXT)
    body = {"team": team_id, "type": "joined", "by": device_id, "sign_pub": fresh["sign_pub"],
            "box_pub": fresh["box_pub"], "possession": keys.sign(fresh["sign_priv"], control.possession(
                team_id, device_id, fresh["sign_pub"], fresh["box_pub"])).hex()}
    for _ in range(8):
        seq = state.last_applied(conn) + 1
        payload = control.seal({**body, "at": _now()}, inv["keys"]["sign_priv"])
        try:
            hub.append(seq, device_id, "control", payload)
        except SequenceTaken:
            pull(conn, hub)
            continue
        try:
            result = pull(conn, hub)
        except blocks.EntryBlocked as exc:
            # A refused entry stops the pull (docs/sync.md §4): our own `joined` among them.
            reason = exc.message
        else:
            if (state.get(conn, control.JOINED) or {}).get(device_id) == seq:
                return
            reason = result.refused[0] if result.refused else "it was refused"
        if control.ALREADY_JOINED in reason:
            raise TeamError("This invitation was already used: another computer joined the team with it. "
                            "Ask your manager for a new invitation (they see the second use in the "
                            "list of computers).")
        raise TeamError(f"The team refused this computer's joining: {reason}")
    raise TeamError("The hub is too busy: try again in a moment.")


@grants(Scope.MANAGER)
def revoke_device(session, hub: Hub, device_id: str) -> int:
    """Remove a computer: a new key epoch sealed to the team's people, and the hub asked to
    refuse it. Returns the new epoch. May raise: PermissionDenied, TeamError, HubError."""
    conn = session.conn
    _require_manager_device(conn)
    if device_id == state.get(conn, "device_id"):
        raise TeamError("A computer cannot remove itself from the team.")
    if state.device(conn, device_id) is None:
        raise TeamError("That computer is not enrolled in this team.")
    hub.revoke_device(device_id)
    epoch = _new_epoch(session, hub, [device_id])
    with transaction(conn):
        session.audit("device_revoked", "device", device_id)
    return epoch


@grants(Scope.MANAGER)
def rotate_epoch(session, hub: Hub, disabled: tuple[str, ...] = ()) -> int:
    """A new team key for the team's people, none removed: after a colleague leaves
    (`disabled`), what is written from now on is under a key their old copies never held.
    Returns the new epoch. May raise: PermissionDenied, TeamError, HubError."""
    _require_manager_device(session.conn)
    epoch = _new_epoch(session, hub, [], list(disabled))
    with transaction(session.conn):
        session.audit("team_key_changed", "team", state.get(session.conn, "team_id"))
    return epoch


def epoch_recipients(conn, disabled: list[str]) -> dict[str, str]:
    """username -> X25519 public key (hex) of every person a new team key is sealed to:
    the active caseworkers and managers with a key pair, less those being disabled; never a
    volunteer, who holds no key to casework (docs/security.md "Who holds what"). They get the
    person half of the key; the computers get the other half."""
    people = key_holders.entitled(conn) - set(disabled)
    out = {}
    for username, public in conn.execute(
            "SELECT s.username, k.public_key FROM staff s JOIN staff_key k ON k.id = s.id "
            "WHERE k.deleted_at IS NULL"):
        if username in people:
            out[username] = base64.b64decode(public).hex()
    return out


def _unused_invitations(conn) -> list:
    """Computers enrolled whose invitation is unused and unexpired: a key change before they
    join is sealed to the invitation too, which only the invitation file holds."""
    joined = state.get(conn, control.JOINED) or {}
    expires = state.get(conn, control.EXPIRES) or {}
    now = clock.now()
    return [d for d in state.devices(conn)
            if d.revoked_seq is None and d.device_id not in joined and d.device_id in expires
            and datetime.fromisoformat(expires[d.device_id]) > now]


def _new_epoch(session, hub: Hub, revoked: list[str], disabled: list[str] | None = None) -> int:
    conn = session.conn
    team_id = state.get(conn, "team_id")
    made = {}

    def body() -> dict:
        # Built after the pull that precedes the append: sealed to the computers' keys as
        # the log stands at that point (a computer may have just replaced its own).
        epoch = max(state.current_epoch(conn)[0], control.latest_epoch(conn)) + 1
        person_half, device_half = keys.new_epoch_key(), keys.new_epoch_key()
        made["epoch"] = epoch
        people = {u: keys.seal_to_device(pub, team_id, control.person_label(u), epoch, person_half)
                  for u, pub in epoch_recipients(conn, disabled or []).items()}
        devices = {d.device_id: keys.seal_to_device(d.box_pub, team_id, d.device_id, epoch, device_half)
                   for d in state.devices(conn)
                   if d.revoked_seq is None and d.device_id not in revoked and _joined(conn, d)}
        invitations = {d.device_id: {
            "person": keys.seal_to_device(d.box_pub, team_id, f"invitation-person:{d.device_id}", epoch,
                                          person_half),
            "device": keys.seal_to_device(d.box_pub, team_id, f"invitation-device:{d.device_id}", epoch,
                                          device_half)}
            for d in _unused_invitations(conn) if d.device_id not in revoked}
        return {"team": team_id, "type": "epoch", "by": state.get(conn, "device_id"), "epoch": epoch,
                "revoked": revoked, "disabled": disabled or [], "people": people, "devices": devices,
                "invitations": invitations}

    _append_control(conn, hub, body)
    return made["epoch"]


def _joined(conn, device) -> bool:
    """A computer holding its own keys: the founder's, or one whose `joined` entry is in."""
    return device.device_id not in (state.get(conn, control.EXPIRES) or {}) or \
        device.device_id in (state.get(conn, control.JOINED) or {})


@grants(Scope.MANAGER)
def set_manager_rights(session, hub: Hub, username: str, manager: bool) -> int:
    """Give or take a colleague's right to change the team: an `authority` entry signed by
    the manager signed in here. Giving names the colleague's signing key, which their own
    sign-in put in their staff key record. May raise: PermissionDenied, TeamError, HubError."""
    conn = session.conn
    _require_manager_device(conn)
    sign = authority.published_sign_key(conn, username) if manager else None
    if manager and not sign:
        raise TeamError(f"{username} has not yet signed in and synced on a computer of the team, so "
                        "their signing key is not known. Ask them to, then try again.")
    seq = _append_control(conn, hub, {"team": state.get(conn, "team_id"), "type": "authority",
                                      "by": state.get(conn, "device_id"), "user": username,
                                      "sign": sign, "manager": manager})
    with transaction(conn):
        session.audit("manager_rights_given" if manager else "manager_rights_taken", "staff", username)
    return seq


@grants(Scope.MANAGER)
def publish_settings(session, hub: Hub, values: dict) -> int:
    """The service's settings for every computer of the team: a `settings` entry signed by
    the manager signed in here (settings_entry.py). Applied here like any entry. May raise:
    PermissionDenied, TeamError (not one of the team's signed managers), HubError."""
    conn = session.conn
    state.require_team(conn)
    if authority.legacy(conn):
        raise TeamError(authority.LEGACY_MESSAGE)
    return _append_control(conn, hub, {"team": state.get(conn, "team_id"), "type": "settings",
                                       "by": state.get(conn, "device_id"), "settings": dict(values)})
