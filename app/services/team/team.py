"""The minimal team bootstrap the engine needs: create a team on one replica, enrol another
by what an invitation carries, revoke a device (docs/sync.md §5, §13). The invitation file,
its one-time code and the CLI are built on top of these."""


from uuid6 import uuid7

from app import clock
from app.domain.staff import Role
from app.errors import ConfideError
from app.services.team import control, copies, keys, snapshot, state
from app.services.team.sync import pull
from app.storage import capture as triggers
from app.storage.capture import replicated_tables
from app.storage.db import transaction
from app.storage.hub.base import Hub, SequenceTaken


class TeamError(ConfideError):
    """The team could not be created, joined or changed as asked."""


def _now() -> str:
    return clock.stamp()


def _store_own(conn, team_id: str, name: str, device_id: str, index: int, dev_keys: dict,
               genesis_pub: str) -> None:
    for k, v in {"team_id": team_id, "team_name": name, "device_id": device_id, "device_index": index,
                 "genesis_sign_pub": genesis_pub, "reference_tag": state.reference_letter(index),
                 **dev_keys}.items():
        state.put(conn, k, v)


def create_team(session, hub: Hub, name: str, device_name: str = "Office computer 1",
                team_id: str | None = None) -> str:
    """Found a team on this computer, whose records become the team's. Returns the team id.
    `team_id` is given when the hub was bound to it first (a hub is opened for one team).

    May raise: PermissionDenied, TeamError, HubError.
    """
    session.require(Role.MANAGER)
    conn = session.conn
    if state.in_team(conn):
        raise TeamError("This computer is already part of a team.")
    if hub.head() != 0:
        raise TeamError(f"The hub at {hub.describe()} already holds a team. Choose an empty hub.")
    team_id = team_id or str(uuid7())
    device_id, dev_keys, epoch_key = str(uuid7()), keys.new_device_keys(), keys.new_epoch_key()
    info = {"device_id": device_id, "name": device_name, "index": 1, "sign_pub": dev_keys["sign_pub"],
            "box_pub": dev_keys["box_pub"], "manager": True}
    body = {"team": team_id, "type": "genesis", "by": device_id, "at": _now(), "name": name,
            "device": info, "sealed": {"1": keys.seal_to_device(info["box_pub"], team_id, device_id, 1, epoch_key)}}
    payload = control.seal(body, dev_keys["sign_priv"])
    try:
        hub.append(1, device_id, "control", payload)
    except SequenceTaken as exc:
        raise TeamError("Another computer founded a team on this hub at the same moment.") from exc
    with transaction(conn):
        _store_own(conn, team_id, name, device_id, 1, dev_keys, dev_keys["sign_pub"])
        control.apply(conn, control.check(conn, payload, 1, device_id), 1)
        copies.keep(conn, 1, device_id, "control", payload, own=True)
        state.put(conn, "last_applied_seq", 1)
        triggers.install_triggers(conn, force=True)
        state.set_capture(conn, True)
        session.audit("team_created", "team", team_id)
    # What was here before the team existed was never captured: the snapshot carries it.
    snapshot.put_snapshot(conn, hub)
    return team_id


def _append_control(conn, hub: Hub, body: dict) -> int:
    for _ in range(8):
        pull(conn, hub)
        seq = state.last_applied(conn) + 1
        payload = control.seal({**body, "at": _now()}, state.get(conn, "sign_priv"))
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
    me = state.device(conn, state.get(conn, "device_id"))
    if me is None or not me.manager:
        raise TeamError("Only a manager's computer can change the team's computers.")


def invite_device(session, hub: Hub, device_name: str, manager: bool = False) -> dict:
    """Enrol a new computer and return what its invitation carries (secret: the caller must
    encrypt it under the one-time code). May raise: PermissionDenied, TeamError, HubError."""
    session.require(Role.MANAGER)
    conn = session.conn
    _require_manager_device(conn)
    team_id = state.get(conn, "team_id")
    device_id, dev_keys = str(uuid7()), keys.new_device_keys()
    index = max(d.device_index for d in state.devices(conn)) + 1
    info = {"device_id": device_id, "name": device_name, "index": index, "sign_pub": dev_keys["sign_pub"],
            "box_pub": dev_keys["box_pub"], "manager": bool(manager)}
    epochs = conn.execute("SELECT epoch, key FROM sync_epoch").fetchall()
    sealed = {str(e): keys.seal_to_device(info["box_pub"], team_id, device_id, int(e), bytes(k)) for e, k in epochs}
    _append_control(conn, hub, {"team": team_id, "type": "enrol", "by": state.get(conn, "device_id"),
                                "device": info, "sealed": sealed})
    with transaction(conn):
        session.audit("device_enrolled", "device", device_id)
    return {"team_id": team_id, "team_name": state.get(conn, "team_name"),
            "genesis_sign_pub": state.get(conn, "genesis_sign_pub"), "device_id": device_id,
            "index": index, "keys": dev_keys, "sealed": sealed}


def join_team(session, hub: Hub, invitation: dict) -> int:
    """Make this new, empty vault a replica of the team and catch up. Returns the hub sequence
    reached. May raise: TeamError, BundleRefused, SyncBlocked, HubError."""
    session.require()
    conn = session.conn
    if state.in_team(conn):
        raise TeamError("This computer is already part of a team.")
    for table in replicated_tables(conn):
        if table not in ("staff", "staff_key") and conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            raise TeamError("This vault already holds records; join a team only from a new vault.")
    inv = invitation
    laptop = inv.get("kind") == "laptop"
    with transaction(conn):
        _store_own(conn, inv["team_id"], inv["team_name"], inv["device_id"], int(inv["index"]),
                   inv["keys"], inv["genesis_sign_pub"])
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
    snapshot.restore_latest(conn, hub)
    with transaction(conn):
        triggers.install_triggers(conn, force=True)
        state.set_capture(conn, True)
    pull(conn, hub)
    if laptop:
        from app.services.team.laptop import replica

        # Belt and braces: no casework may stay on a new laptop; then the file is compacted.
        with transaction(conn):
            replica.erase_outside(conn, [])
        replica.compact(conn)
    return state.last_applied(conn)


def revoke_device(session, hub: Hub, device_id: str) -> int:
    """Remove a computer: a new key epoch sealed to every other computer, and the hub asked to
    refuse it. Returns the new epoch. May raise: PermissionDenied, TeamError, HubError."""
    session.require(Role.MANAGER)
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


def rotate_epoch(session, hub: Hub) -> int:
    """A new team key for every computer still enrolled, none removed: after a colleague
    leaves, what is written from now on is under a key their old copies never held.
    Returns the new epoch. May raise: PermissionDenied, TeamError, HubError."""
    session.require(Role.MANAGER)
    _require_manager_device(session.conn)
    epoch = _new_epoch(session, hub, [])
    with transaction(session.conn):
        session.audit("team_key_changed", "team", state.get(session.conn, "team_id"))
    return epoch


def _new_epoch(session, hub: Hub, revoked: list[str]) -> int:
    conn = session.conn
    team_id = state.get(conn, "team_id")
    epoch = state.current_epoch(conn)[0] + 1
    new_key = keys.new_epoch_key()
    sealed = {d.device_id: keys.seal_to_device(d.box_pub, team_id, d.device_id, epoch, new_key)
              for d in state.devices(conn) if d.revoked_seq is None and d.device_id not in revoked}
    _append_control(conn, hub, {"team": team_id, "type": "epoch", "by": state.get(conn, "device_id"),
                                "epoch": epoch, "revoked": revoked, "sealed": sealed})
    return epoch
