"""A computer that re-keyed its own database for a new team key says so on the hub
(docs/sync.md §5, §12): a signed 'rekeyed' control entry with no personal data (its device
id, the epoch, a proof that it holds that epoch's key). The manager's device list reads
these entries to show which computers have not yet re-keyed.

The same entry replaces the computer's own key pairs with new ones made here (docs/security.md
"Who holds what"), bound to the proof, so a copy of the old keys taken before the team key
changed signs nothing the team accepts after.
"""


from app import clock
from app.services.team import control, copies, device_keys, keys, state
from app.services.team.staff_keys import REKEYED_EPOCH
from app.services.team.sync import pull
from app.storage.db import transaction
from app.storage.hub.base import Hub, SequenceTaken

ATTEMPTS = 8


def owed(conn) -> int | None:
    """The epoch this computer re-keyed for and has not yet said so on the hub, or None."""
    if not state.in_team(conn):
        return None
    done = int(state.get(conn, REKEYED_EPOCH, 1))
    said = control.rekeyed_epochs(conn).get(state.get(conn, "device_id"), 1)
    return done if done > said else None


def announce_if_owed(conn, hub: Hub) -> bool:
    """Append this computer's 'rekeyed' entry if its latest re-key is not on the hub yet.
    Idempotent: after a crash between the append and the local record, the pull meets the
    entry and records it, and nothing is appended twice. Returns True when it appended.

    May raise: HubUnavailable, HubError, SyncBlocked, TeamError (the hub too busy)."""
    if owed(conn) is None:
        return False
    from app.services.team.team import TeamError

    me = state.get(conn, "device_id")
    for _ in range(ATTEMPTS):
        pull(conn, hub)
        epoch = owed(conn)
        if epoch is None:
            return False
        key = state.epoch_key(conn, epoch)
        fresh = _next_keys(conn)
        team_id = state.get(conn, "team_id")
        body = {"team": team_id, "type": "rekeyed", "by": me,
                "at": clock.stamp(), "epoch": epoch,
                "sign_pub": fresh["sign_pub"], "box_pub": fresh["box_pub"],
                "proof": control.rekeyed_proof(key, team_id, me, epoch,
                                               control.pubs_text(fresh["sign_pub"], fresh["box_pub"])),
                "possession": keys.sign(fresh["sign_priv"], control.possession(
                    team_id, me, fresh["sign_pub"], fresh["box_pub"])).hex()}
        payload = control.seal(body, device_keys.sign_priv(conn))
        seq = state.last_applied(conn) + 1
        try:
            hub.append(seq, me, "control", payload)
        except SequenceTaken:
            continue
        with transaction(conn):
            control.apply(conn, control.check(conn, payload, seq, me), seq)
            copies.keep(conn, seq, me, "control", payload, own=True)
            state.put(conn, "last_applied_seq", seq)
        return True
    raise TeamError("The hub is too busy: try again in a moment.")


def _next_keys(conn) -> dict:
    """The key pairs this computer is about to announce: made once and kept (sealed), so a
    retry after a crash announces the same ones."""
    secret = device_keys.secret_for(conn)
    fresh = device_keys.open_value(conn, device_keys.NEXT, secret)
    if fresh is None:
        fresh = keys.new_device_keys()
        with transaction(conn):
            device_keys.store(conn, fresh, secret, name=device_keys.NEXT)
    return fresh
