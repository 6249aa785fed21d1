"""The team vault in use: create a team, invite and join computers, sync, list and revoke
computers. The CLI and the screens both call these.

Where the hub is: its location (a folder, or a postgresql:// URL with the device role's
password) is kept in the OS credential store under the team id. A vault whose device secret
is in a key file (the explicit weaker opt-in of docs/security.md, so no credential store) keeps it
inside its encrypted database, sealed under the device secret: the data key alone does not
read it (docs/security.md "Who holds what").
"""

from dataclasses import dataclass
from pathlib import Path

from uuid6 import uuid7

from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.errors import ValidationError
from app.fsutil import require_folder
from app.security import sealing, staff_slot
from app.security.device import DeviceSecretStore
from app.services.casework import restricted
from app.services.lifecycle import erase as lifecycle_erase
from app.services.selftest.check import Check
from app.services.selftest.hub import RACE_ROUNDS, check_hub
from app.services.team import (
    authority,
    blocks,
    control,
    device_keys,
    invitation,
    join_staging,
    key_holders,
    rekeyed,
    settings_entry,
    snapshot,
    staff_keys,
    state,
)
from app.services.team import team as engine
from app.services.team.laptop import replica as laptop_replica
from app.services.team.replica_check import publish as replica_digest
from app.services.team.sync import SyncResult, sync_now
from app.services.vault import unlock as vault_service
from app.storage.db import transaction
from app.storage.hub import credentials
from app.storage.hub.base import Hub
from app.storage.hub.location import (
    describe_location,
    lacks_password,
    open_hub,
    postgres_user,
    with_password,
)

LOCATION_KEY = "hub_location"
EPOCH_OWED = "epoch_owed"


@dataclass(frozen=True)
class DeviceStatus:
    device_id: str
    name: str
    index: int
    manager: bool
    this_computer: bool
    revoked: bool
    last_seen_seq: int
    on_current_key: bool   # said on the hub it re-keyed for the latest team key (docs/sync.md §12)
    joined: bool = True    # its invitation was used (docs/sync.md §13)
    invitation_expires: str | None = None   # when an unused invitation stops working
    invitation_reused: int = 0   # later uses of its invitation, each refused ("already joined")
    blocked: str | None = None   # "stopped at entry N (from X): why", as it said on the hub (§4)
    laptop: bool = False   # a partial replica (docs/sync.md §14)


def _file_keyed(session) -> bool:
    return session.vault.device_store == "file"


@grants(Scope.HELPER, "where this computer's hub is")
def save_location(session, team_id: str, location: str) -> None:
    """May raise: CredentialStoreUnavailable."""
    if _file_keyed(session):
        with transaction(session.conn):
            device_keys.seal_value(session.conn, LOCATION_KEY, location, session.device_secret)
    else:
        credentials.save_hub_location(team_id, location)


def _complete(location: str, password: str | None) -> str:
    """The location as it will be stored: with the password given, and never a postgresql://
    URL without one (it would work only while PGPASSWORD or a .pgpass file is there, which
    Confide started from the desktop never sees). May raise: ValidationError."""
    location = (location or "").strip()
    if not location:
        raise ValidationError("Give the hub's folder, or its postgresql:// address.", field="hub")
    if password:
        if postgres_user(location) is None:
            raise ValidationError("A password goes with a postgresql:// address that names its login "
                                  "(postgresql://LOGIN@server/database).", field="password")
        location = with_password(location, password)
    if lacks_password(location):
        raise ValidationError(f"The address for {describe_location(location)} has no password. Give this "
                              "computer's hub password with it: Confide keeps it in the OS credential store "
                              "(PGPASSWORD and .pgpass are not used).", field="password")
    return location


@grants(Scope.ANY, "this computer's own record of where its team's hub is; the new place must be that hub")
def change_location(session, location: str, password: str | None = None) -> str:
    """Point this computer at its team's hub in a new place, or with a new password (a server
    move, a renamed share, a rotated password: README "Moving the hub"). The new location is
    opened first and must be this team's hub, reachable with the login given; only then does
    it replace the stored one. Returns the new location described without its password.

    May raise: NotInTeam, ValidationError, HubUnavailable, HubError, CredentialStoreUnavailable.
    """
    location = _complete(location, password)
    team_id = state.require_team(session.conn)
    hub = open_hub(location, team_id)
    try:
        hub.head()
    finally:
        hub.close()
    save_location(session, team_id, location)
    return describe_location(location)


@grants(Scope.ANY, "where this computer's hub is, without its password: no family's records")
def hub_described(session) -> str:
    """The hub's location fit to show (a folder path, or the server and login without the
    password). May raise: NotInTeam, TeamError, CredentialStoreUnavailable."""
    return describe_location(hub_location(session))


@grants(Scope.ANY, "where this computer's hub is: no family's records")
def hub_location(session) -> str:
    """May raise: NotInTeam, TeamError (no location saved), CredentialStoreUnavailable."""
    kept = state.get(session.conn, LOCATION_KEY)
    if _file_keyed(session) and isinstance(kept, str):     # kept in the clear by an older version
        save_location(session, state.require_team(session.conn), kept)
    return location_of(session.conn, session.vault, session.device_secret)


def location_of(conn, vault, device_secret: bytes) -> str:
    """hub_location for an open database, its vault file and the device secret (`confide
    verify` has no session). May raise: NotInTeam, TeamError, CredentialStoreUnavailable."""
    team_id = state.require_team(conn)
    if vault.device_store == "file":
        location = state.get(conn, LOCATION_KEY)
        if not isinstance(location, str):
            location = device_keys.open_value(conn, LOCATION_KEY, device_secret)
    else:
        location = credentials.load_hub_location(team_id)
    if not location:
        raise engine.TeamError("This computer does not know where the team's hub is. Ask your manager "
                               "to invite it again.")
    return location


@grants(Scope.ANY)
def hub_target(session) -> tuple[str, str]:
    """(location, team id): what a watcher thread needs to open its own hub object.

    May raise: NotInTeam, TeamError, CredentialStoreUnavailable."""
    return hub_location(session), state.require_team(session.conn)


def open_watch_hub(location: str, team_id: str) -> Hub:
    """A hub object of its own for a thread that waits for changes (hub_target gives the
    arguments). May raise: HubUnavailable, HubError."""
    return open_hub(location, team_id)


@grants(Scope.ANY)
def open_team_hub(session) -> Hub:
    """May raise: NotInTeam, TeamError, HubUnavailable, HubError, CredentialStoreUnavailable."""
    return open_hub(hub_location(session), state.require_team(session.conn))


@grants(Scope.MANAGER)
def create(session, location: str, name: str, device_name: str = "Office computer 1",
           password: str | None = None) -> str:
    """Found a team on this computer with an empty hub at `location` (`password`: for a
    postgresql:// URL that does not carry it). Returns the team id.

    May raise: PermissionDenied, TeamError, ValidationError, HubUnavailable, HubError,
    CredentialStoreUnavailable.
    """
    if state.in_team(session.conn):
        raise engine.TeamError("This computer is already part of a team.")
    location = _complete(location, password)
    name = (name or "").strip() or session.vault.service_name
    # The team's first snapshot holds restricted records only sealed (R16).
    restricted.follow(session)
    team_id = str(uuid7())
    hub = open_hub(location, team_id, create=True)
    try:
        engine.create_team(session, hub, name, device_name, team_id=team_id)
        save_location(session, team_id, location)
        # The service's settings as they stand here become the team's (settings_entry.py).
        engine.publish_settings(session, hub, settings_entry.current(session.conn, session.vault.service_name))
    finally:
        hub.close()
    return team_id


class HubCheckFailed(engine.TeamError):
    """The hub failed the self-test: nothing was written. `checks` holds every line."""

    def __init__(self, checks: list[Check]):
        failed = [c for c in checks if not c.ok]
        super().__init__("The hub did not pass its check, so no team was started and nothing was "
                         "written: " + "; ".join(f"{c.name}: {c.detail}" for c in failed) + ".")
        self.checks = checks


@dataclass(frozen=True)
class Started:
    team_id: str
    checks: list[Check]


@grants(Scope.MANAGER)
def start(session, location: str, name: str, device_name: str = "Office computer 1",
          rounds: int = RACE_ROUNDS) -> Started:
    """Start a team from the screens: the hub's self-test (`confide --self-test --hub`) runs
    first and the team is founded only if every check passes, so a folder that cannot be a
    hub (no exclusive create, writes that do not last) or a server IT has not set up gets
    nothing written to it. May raise: PermissionDenied, ValidationError, HubCheckFailed,
    TeamError, HubUnavailable, HubError, CredentialStoreUnavailable."""
    location = (location or "").strip()
    if not location:
        raise ValidationError("Choose the hub: a shared folder, or the PostgreSQL address IT gave you.",
                              field="hub")
    if state.in_team(session.conn):
        raise engine.TeamError("This computer is already part of a team.")
    device_name = (device_name or "").strip()
    if not device_name or len(device_name) > 60:
        raise ValidationError("Give this computer a name of 1 to 60 characters.", field="device")
    checks = check_hub(location, rounds=rounds)
    if not all(c.ok for c in checks):
        raise HubCheckFailed(checks)
    return Started(create(session, location, name, device_name), checks)


@grants(Scope.MANAGER)
def invite(session, device_name: str, out: Path, manager: bool = False, laptop: bool = False) -> str:
    """Enrol a new computer and write its invitation to `out`. Returns the one-time code,
    which is shown once and stored nowhere. A laptop joins as a partial replica (docs/sync.md
    §14): it holds only the cases checked out to it, and is never a manager's computer.

    May raise: PermissionDenied, TeamError, ValidationError, HubUnavailable, HubError, OSError.
    """
    device_name = (device_name or "").strip()
    if not device_name or len(device_name) > 60:
        raise ValidationError("Give the new computer a name of 1 to 60 characters.", field="device")
    if any(d.name == device_name and d.revoked_seq is None for d in state.devices(session.conn)):
        raise ValidationError(f"A computer called {device_name} is already in the team; choose another name.",
                              field="device")
    out = Path(out)
    require_folder(out)
    if out.exists():
        raise ValidationError(f"{out} already exists; choose a new file name.", field="out")
    location = hub_location(session)
    content, body = engine.prepare_invitation(session, device_name, manager=manager and not laptop, laptop=laptop)
    if laptop:
        content["kind"] = "laptop"
    content["device_name"] = device_name
    code = invitation.new_code()
    hub = open_team_hub(session)
    try:
        # Its own login on a PostgreSQL hub (never this computer's); the same folder otherwise.
        login = hub.add_device_login(content["device_id"], manager=manager and not laptop)
        content["hub"] = login or location
        # The file first, the enrolment after: an invite that fails anywhere enrols nothing,
        # and a file or login whose enrolment failed is removed (it would open nothing anyway).
        try:
            invitation.write_invitation(out, content, code)
            engine.enrol(session, hub, body)
        except BaseException:
            out.unlink(missing_ok=True)
            if login is not None:
                hub.revoke_device(content["device_id"])
            raise
    finally:
        hub.close()
    return code


def join(data_dir: Path, invite_file: Path, code: str, username: str, passphrase: str,
         device_store: DeviceSecretStore, hub_override: str | None = None):
    """Make a new vault in `data_dir` from an invitation and catch up with the team. Returns
    an unlocked session for `username`, who must be one of the team's active staff.

    May raise: InvitationError, VaultExists, ValidationError, HubUnavailable, HubError,
    TeamError, SyncBlocked, CredentialStoreUnavailable, OSError.
    """
    content = invitation.read_invitation(Path(invite_file), code)
    engine.check_not_expired(content)
    location = hub_override or content["hub"]
    hub = open_hub(location, content["team_id"])      # reachable before anything is made here
    data_dir = Path(data_dir)
    existed = data_dir.exists()
    try:
        # Made aside and moved into place whole: a join stopped anywhere leaves no vault.
        staging = join_staging.prepare(data_dir)
    except BaseException:
        hub.close()
        raise
    try:
        session, _recovery = vault_service.create_vault(staging, content["team_name"], username, username,
                                                        passphrase, device_store)
    except BaseException:
        hub.close()
        join_staging.discard(staging, data_dir, existed)
        raise
    def adopt(session):
        member = session.conn.execute("SELECT id, active FROM staff WHERE username = ?", (username,)).fetchone()
        if member is None or not member[1]:
            raise engine.TeamError(f"{username} is not an active member of staff of this team. Join with "
                                   "your own Confide user name, or ask your manager to add you first.")
        session.adopt_private_key(_own_key(session, member[0], username, passphrase))

    try:
        engine.join_team(session, hub, content, adopt=adopt, fresh=True)
        staff_keys.follow_staff_keys(session)
        settings_entry.follow_service_name(session)
        save_location(session, content["team_id"], location)
        device_file = session.vault.device_key_file
        # Volunteers' compartments are made after "ready" (docs/sync.md §13): no volunteer can
        # sign in here before the joiner's session locks, and its lock makes them.
        session.compartments_later = True
        session.lock("joined")
        join_staging.publish(staging, data_dir)
    except BaseException:
        session.lock("join failed")
        hub.close()
        # Nothing of value is here yet: a new vault that could not join is removed, so the
        # same invitation can be used again.
        join_staging.discard(staging, data_dir, existed)
        raise
    hub.close()
    # Signed in again so the session carries the account as the team's records hold it.
    return vault_service.unlock(data_dir, username, passphrase, device_file, compartments_later=True)


def _own_key(session, staff_id: str, username: str, passphrase: str) -> bytes:
    """The joiner's account on this computer: their team key record must open with the
    passphrase they typed (the same one as on the team's other computers); someone with no
    record yet gets a key pair here, which reaches the others at the next sync. Returns the
    private key.

    May raise: TeamError (the passphrase does not open their key)."""
    from app.services.vault.keys import record_staff_key

    conn = session.conn
    record = staff_keys.team_records(conn).get(username)
    vault_id = session.vault.vault_id
    if record is not None:
        slot = staff_keys.slot_from_record(username, record[0], record[1], session.data_key,
                                           session.device_secret, vault_id)
        opened = staff_slot.open_slot(vault_id, slot, passphrase, session.device_secret)
        if opened is None or opened.private is None:
            raise engine.TeamError("That passphrase does not open your account. Type the passphrase you "
                                   "use on the team's other computers.")
        return opened.private
    private = sealing.new_key_pair()[0]
    slot = staff_slot.make_staff_slot(vault_id, username, passphrase, session.data_key,
                                      session.device_secret, _slot_params(), private=private)
    with transaction(conn):
        record_staff_key(conn, staff_id, slot, username)
    return private


def _slot_params():
    from app.services.vault.staff import slot_params

    return slot_params()


@grants(Scope.ANY, "replicates every row; what each person sees stays with the read paths")
def sync(session) -> SyncResult:
    """Pull, rebase and push with the team's hub; a key change owed since a colleague left
    (the hub was out of reach then) is made first. May raise: NotInTeam, SyncBlocked,
    HubUnavailable, HubError, TeamError, CredentialStoreUnavailable."""
    if authority.legacy(session.conn):
        raise engine.TeamError(authority.LEGACY_MESSAGE)
    hub = open_team_hub(session)
    try:
        # Restricted records leave this computer only sealed to their readers (R16).
        restricted.follow(session)
        with transaction(session.conn):
            control.open_pending(session.conn)
            authority.record_own_sign_key(session)
        owed = state.get(session.conn, EPOCH_OWED)
        if owed and session.user.role == Role.MANAGER:
            engine.rotate_epoch(session, hub, tuple(owed) if isinstance(owed, list) else ())
            with transaction(session.conn):
                state.put(session.conn, EPOCH_OWED, False)
        result = sync_now(session, hub)
        if result.blocked:
            return result       # stopped before an entry: nothing more is done until it is put right
        _new_key_if_a_holder_left(session, hub)
        staff_keys.follow_staff_keys(session)
        settings_entry.follow_service_name(session)
        rekeyed_now = staff_keys.rekey_if_team_key_changed(session)
        # Said on the hub (also after a crash between the re-key and saying it), so the
        # manager's device list shows this computer has re-keyed.
        rekeyed.announce_if_owed(session.conn, hub)
        if rekeyed_now:
            # The re-key's audit event goes to the hub at once.
            again = sync_now(session, hub)
            result.pulled += again.pulled
            result.audit_breaks += again.audit_breaks
            result.pushed += again.pushed
            result.conflicts = again.conflicts
            result.notices += again.notices
        if lifecycle_erase.carry_out(session):
            # An erasure applied here: the file is compacted; the word that it was carried
            # out goes to the hub at once, so the manager sees it (docs/lifecycle.md).
            again = sync_now(session, hub)
            result.pushed += again.pushed
        # So a new computer need not replay years of entries, and the hub can be compacted.
        snapshot.put_if_due(session.conn, hub)
        # Replicas prove they agree (docs/sync.md §17): a digest when due or owed.
        replica_digest.publish(session.conn, hub)
        return result
    finally:
        hub.close()


def _new_key_if_a_holder_left(session, hub: Hub) -> None:
    """Someone who held the current team key is no longer entitled to it (disabled, or now a
    volunteer, here or on another computer): a manager's computer makes a new key they are not
    sealed (key_holders.py)."""
    conn = session.conn
    with transaction(conn):
        owed = key_holders.owed(conn)
    me = state.device(session.conn, state.get(session.conn, "device_id"))
    if owed and session.user.role == Role.MANAGER and me is not None and me.manager:
        engine.rotate_epoch(session, hub, tuple(owed))


@grants(Scope.MANAGER)
def disable_colleague(session, username: str) -> bool:
    """Disable a colleague's account (it replicates: no computer of the team opens for them
    after its next sync) and, on a team, change the team key. Returns True when the key was
    changed now, False when it is owed (no team, or the hub out of reach: the next sync by a
    manager changes it). May raise: PermissionDenied, NotFound, ValidationError."""
    from app.services.vault import staff
    from app.storage.hub.base import HubError

    staff.disable(session, username)
    if not state.in_team(session.conn):
        return False
    me = state.device(session.conn, state.get(session.conn, "device_id"))
    try:
        if me is None or not me.manager:
            raise engine.TeamError("not a manager's computer")
        hub = open_team_hub(session)
        try:
            engine.rotate_epoch(session, hub, (username,))
        finally:
            hub.close()
    except (HubError, engine.TeamError):
        owed = state.get(session.conn, EPOCH_OWED)
        with transaction(session.conn):
            state.put(session.conn, EPOCH_OWED, sorted({username, *(owed if isinstance(owed, list) else [])}))
        return False
    return True


@grants(Scope.MANAGER)
def device_list(session) -> list[DeviceStatus]:
    """The team's computers, as far as this computer has synced. May raise: PermissionDenied,
    NotInTeam."""
    conn = session.conn
    state.require_team(conn)
    me = state.get(conn, "device_id")
    latest = state.current_epoch(conn)[0]
    # Each computer's own signed 'rekeyed' entry, not a guess from its later pushes; this
    # computer knows its own re-key first-hand. Epoch 1 starts at genesis: nothing to follow.
    said = control.rekeyed_epochs(conn)
    said[me] = int(state.get(conn, staff_keys.REKEYED_EPOCH, 1))
    # What each computer said on the hub; this computer's own block it knows first-hand.
    stopped = {device: _stopped_words(conn, b.get("entry"), b.get("author"), b.get("reason"))
               for device, b in blocks.published(conn).items()}
    own = blocks.current(conn) or {}
    if own.get("seq") is not None:
        stopped[me] = _stopped_words(conn, own["seq"], own["device_id"], own["reason"])
    else:
        stopped.pop(me, None)
    joined = state.get(conn, control.JOINED) or {}
    expires = state.get(conn, control.EXPIRES) or {}
    # A later use of an invitation is refused: it stops sync until a manager voids it (then
    # sync_refused keeps the refusal with the void), or it is the block this computer is at.
    reused = dict(conn.execute("SELECT device_id, count(*) FROM sync_refused WHERE reason LIKE ? "
                               "GROUP BY device_id", (f"%{control.ALREADY_JOINED}%",)).fetchall())
    if own.get("seq") is not None and control.ALREADY_JOINED in str(own.get("reason")):
        if not conn.execute("SELECT 1 FROM sync_refused WHERE hub_seq = ?", (own["seq"],)).fetchone():
            reused[own["device_id"]] = reused.get(own["device_id"], 0) + 1
    laptops = laptop_replica.laptops(conn)
    out = []
    for d in state.devices(conn):
        current = latest == 1 or said.get(d.device_id, 1) >= latest
        has_joined = d.device_id in joined or d.device_id not in expires
        out.append(DeviceStatus(d.device_id, d.name, d.device_index, d.manager, d.device_id == me,
                                d.revoked_seq is not None, d.last_seq or 0, current, has_joined,
                                None if has_joined else expires[d.device_id], reused.get(d.device_id, 0),
                                stopped.get(d.device_id), d.device_id in laptops))
    return out


def _stopped_words(conn, seq, author_id, reason) -> str:
    return f"stopped at hub entry {seq} (written by {blocks.author(conn, author_id or '')}): {reason}"


@grants(Scope.MANAGER)
def set_manager_rights(session, username: str, manager: bool) -> int:
    """Give or take a colleague's right to change the team (docs/sync.md §5). May raise:
    PermissionDenied, TeamError, HubUnavailable, HubError."""
    hub = open_team_hub(session)
    try:
        return engine.set_manager_rights(session, hub, username, manager)
    finally:
        hub.close()


@grants(Scope.MANAGER)
def find_device(session, name_or_id: str) -> DeviceStatus:
    """May raise: PermissionDenied, NotInTeam, ValidationError."""
    wanted = (name_or_id or "").strip()
    found = [d for d in device_list(session) if wanted in (d.device_id, d.name) and not d.revoked]
    if len(found) != 1:
        raise ValidationError(f"No computer called {wanted} is enrolled in this team."
                              if not found else f"More than one computer is called {wanted}; give its id.",
                              field="device")
    return found[0]


@grants(Scope.MANAGER)
def revoke(session, name_or_id: str) -> int:
    """Remove a computer from the team: new key epoch, hub told to refuse it. Returns the new
    epoch. May raise: PermissionDenied, ValidationError, TeamError, HubUnavailable, HubError."""
    target = find_device(session, name_or_id)
    hub = open_team_hub(session)
    try:
        return engine.revoke_device(session, hub, target.device_id)
    finally:
        hub.close()


@dataclass(frozen=True)
class SyncStatus:
    in_team: bool
    last_synced: str | None = None
    waiting: int = 0
    conflicts: int = 0
    blocked: str | None = None      # sync stopped before an entry: the plain message (§4)
    others_stopped: tuple[str, ...] = ()    # other computers stopped at an entry this one wrote
    blocked_at: int | None = None   # the hub entry it is stopped at (for a manager's void)


@grants(Scope.ANY)
def sync_status(session) -> SyncStatus:
    """What the status bar shows: when this computer last synced, how many changed rows wait
    to be pushed, how many conflicts wait for a person. May raise: Locked."""
    conn = session.conn
    if not state.in_team(conn):
        return SyncStatus(False)
    from app.services.team import capture
    from app.services.team.sync import open_conflict_count

    block = blocks.current(conn) or {}
    return SyncStatus(True, state.get(conn, "last_synced"), capture.pending_count(conn),
                      open_conflict_count(conn), block.get("message") if block.get("seq") is not None else None,
                      tuple(blocks.stopped_at_mine(conn)), block.get("seq"))
