"""Staff accounts: a manager adds, resets and disables; everyone changes their own passphrase.

Each account's key slot lives in vault.json; the staff row in the database holds the
name, role and public key. Changing a passphrase re-wraps one private key (atomic write);
the database itself is not rewritten. Disabling an account or resetting its passphrase
re-keys the database (keying.rotate), so that the old slot, in any older copy of vault.json
or a backup, no longer opens current data.
"""

from functools import lru_cache

from app.domain import passphrase as passphrase_rules
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role, StaffMember, clean_full_name, clean_username, parse_role
from app.errors import PermissionDenied, ValidationError, WrongCredentials
from app.security import kdf, keyslots, staff_slot
from app.security.session import Session
from app.security.slot_record import slot_from_record
from app.services.vault import compartment
from app.services.vault.unlock import record_staff_key, utc_now
from app.storage import keying
from app.storage.db import IntegrityError, transaction
from app.storage.key_state_repo import KeyStateRepo
from app.storage.staff_repo import StaffRepo


@lru_cache(maxsize=1)
def _calibrated() -> kdf.KdfParams:
    return kdf.calibrate()


def slot_params() -> kdf.KdfParams:
    return kdf.CHEAP_TEST_PARAMS if kdf.test_profile_active() else _calibrated()


@grants(Scope.ANY, "colleagues' names and roles")
def list_staff(session: Session) -> list[StaffMember]:
    return StaffRepo(session.conn).list()


@grants(Scope.MANAGER)
def add_staff(session: Session, username: str, full_name: str, role: str | Role,
              temporary_passphrase: str) -> StaffMember:
    """A manager adds a colleague with a temporary passphrase, changed at their first unlock.

    May raise: PermissionDenied, ValidationError.
    """
    username = clean_username(username)
    full_name = clean_full_name(full_name)
    role = parse_role(role)
    passphrase_rules.check_new(temporary_passphrase, username, field="temporary_passphrase")
    repo = StaffRepo(session.conn)
    if repo.get_by_username(username) is not None or username in session.vault.slots:
        raise ValidationError(f"The user name '{username}' is already taken.", field="username")
    # A volunteer's slot opens their compartment only, never the data key (docs/security.md).
    volunteer = role == Role.VOLUNTEER
    key = compartment.ensure_key(session.conn, username) if volunteer else session.data_key
    slot = keyslots.make_staff_slot(session.vault.vault_id, username, temporary_passphrase,
                                    key, session.device_secret, slot_params(), must_change=True)
    try:
        with transaction(session.conn):
            member = repo.insert(username, full_name, role, actor=session.user.username)
            record_staff_key(session.conn, member.id, slot, session.user.username)
            session.audit("staff_added", "staff", member.id, {"role": role.value})
            if not volunteer:
                session.vault.slots[username] = slot
                _save_vault(session, username)
    except IntegrityError:
        session.vault.slots.pop(username, None)
        raise ValidationError(f"The user name '{username}' is already taken.", field="username") from None
    except BaseException:
        session.vault.slots.pop(username, None)
        raise
    if volunteer:
        compartment.sync(session, username)
    _advance_head(session)
    return member


@grants(Scope.MANAGER)
def reset_passphrase(session: Session, username: str, temporary_passphrase: str) -> None:
    """Give a colleague a temporary passphrase; they must change it when they next unlock."""
    member = _existing(session, username)
    if member.id == session.user.id:
        raise PermissionDenied("Change your own passphrase from 'Change my passphrase'.")
    passphrase_rules.check_new(temporary_passphrase, member.username, field="temporary_passphrase")
    if member.role == Role.VOLUNTEER:
        _reset_volunteer(session, member, temporary_passphrase)
        return
    slot = keyslots.make_staff_slot(session.vault.vault_id, member.username, temporary_passphrase,
                                    session.data_key, session.device_secret, slot_params(),
                                    must_change=True)
    old = session.vault.slots.get(member.username)
    with transaction(session.conn):
        session.audit("passphrase_reset", "staff", member.id)
        if not member.active:
            StaffRepo(session.conn).update(member.id, session.user.username, active=1)
            session.audit("staff_enabled", "staff", member.id)
        record_staff_key(session.conn, member.id, slot, session.user.username)
        # Owed in the same transaction: if the process dies before the re-key, the next
        # unlock (by anyone) carries it out.
        KeyStateRepo(session.conn).owe_rekey(f"passphrase of {member.username} reset")
        session.vault.slots[member.username] = slot
        try:
            _save_vault(session, member.username)
        except BaseException:
            _restore_slot(session, member.username, old)
            raise
    _rekey_now(session, f"passphrase of {member.username} reset")


def _reset_volunteer(session: Session, member: StaffMember, temporary_passphrase: str) -> None:
    """A volunteer's reset: a new compartment key (their old slot, in any copy, opens a file
    that is gone), what they wrote taken in first. The data key was never theirs: no re-key."""
    compartment.drop(session, member.username)
    key = compartment.ensure_key(session.conn, member.username)
    slot = keyslots.make_staff_slot(session.vault.vault_id, member.username, temporary_passphrase,
                                    key, session.device_secret, slot_params(), must_change=True)
    with transaction(session.conn):
        session.audit("passphrase_reset", "staff", member.id)
        if not member.active:
            StaffRepo(session.conn).update(member.id, session.user.username, active=1)
            session.audit("staff_enabled", "staff", member.id)
        record_staff_key(session.conn, member.id, slot, session.user.username)
    compartment.sync(session, member.username)
    _advance_head(session)


@grants(Scope.MANAGER)
def disable(session: Session, username: str) -> None:
    """Remove the account's key slot and mark it inactive. Its history stays."""
    member = _existing(session, username)
    if member.id == session.user.id:
        raise PermissionDenied("You cannot disable your own account.")
    repo = StaffRepo(session.conn)
    if member.role == Role.MANAGER and member.active and repo.count_active_managers() <= 1:
        raise PermissionDenied("This is the last active manager; add another manager first.")
    old = session.vault.slots.get(member.username)
    # A volunteer held only their compartment's key: it is deleted with the file; no re-key.
    held_data_key = member.role != Role.VOLUNTEER or old is not None
    if member.role == Role.VOLUNTEER:
        compartment.drop(session, member.username)
    with transaction(session.conn):
        repo.update(member.id, session.user.username, active=0)
        session.audit("staff_disabled", "staff", member.id)
        if held_data_key:
            KeyStateRepo(session.conn).owe_rekey(f"{member.username} disabled")
        session.vault.slots.pop(member.username, None)
        try:
            _save_vault(session, member.username)
        except BaseException:
            _restore_slot(session, member.username, old)
            raise
    if held_data_key:
        _rekey_now(session, f"{member.username} disabled")
    else:
        _advance_head(session)


@grants(Scope.MANAGER)
def change_role(session: Session, username: str, role: str | Role) -> None:
    member = _existing(session, username)
    role = parse_role(role)
    repo = StaffRepo(session.conn)
    if member.role == Role.MANAGER and role != Role.MANAGER and repo.count_active_managers() <= 1:
        raise PermissionDenied("This is the last active manager; add another manager first.")
    was_volunteer, now_volunteer = member.role == Role.VOLUNTEER, role == Role.VOLUNTEER
    if was_volunteer and not now_volunteer:
        compartment.drop(session, member.username)
    with transaction(session.conn):
        repo.update(member.id, session.user.username, role=role.value)
        session.audit("staff_role_changed", "staff", member.id, {"role": role.value})
        if was_volunteer != now_volunteer:
            _move_slot(session, member, now_volunteer)
    if now_volunteer and not was_volunteer:
        compartment.sync(session, member.username)
        _rekey_now(session, f"{member.username} became a volunteer")
    _advance_head(session)


def _move_slot(session: Session, member: StaffMember, to_compartment: bool) -> None:
    """Inside change_role's transaction: the slot leaves vault.json for the compartment (a
    re-key follows: they held the data key), or is made in vault.json from their key record."""
    if to_compartment:
        KeyStateRepo(session.conn).owe_rekey(f"{member.username} became a volunteer")
        session.vault.slots.pop(member.username, None)
    else:
        row = session.conn.execute("SELECT public_key, private_wrap FROM staff_key WHERE id = ? AND "
                                   "deleted_at IS NULL", (member.id,)).fetchone()
        if row is None:
            return  # a format-1 account: a manager's passphrase reset gives it a slot
        session.vault.slots[member.username] = slot_from_record(
            member.username, row[0], row[1], session.data_key, session.device_secret, session.vault.vault_id)
    _save_vault(session, member.username)


@grants(Scope.ANY, "their own", before_forced_change=True)
def change_own_passphrase(session: Session, current: str, new: str) -> None:
    """Re-wrap the signed-in user's slot under a new passphrase (one atomic file write).

    May raise: WrongCredentials (current passphrase), ValidationError (new passphrase).
    """
    if session.locked:
        session.require()
    username = session.user.username
    slot = compartment.read_slot(session.paths, username) if session.compartment else \
        session.reload_vault().slots.get(username)
    opened = slot and staff_slot.open_slot(session.vault.vault_id, slot, current or "",
                                           session.device_secret)
    if not opened:
        raise WrongCredentials("Your current passphrase is not right.")
    passphrase_rules.check_new(new, username, field="new_passphrase")
    if new == current:
        raise ValidationError("Choose a passphrase different from the current one.", field="new_passphrase")
    if slot.version == 2:
        # The same key pair under the new passphrase: nothing sealed to it has to change.
        new_slot = staff_slot.rewrap(slot, opened.private, new, slot_params())
    else:
        new_slot = keyslots.make_staff_slot(session.vault.vault_id, username, new, session.data_key,
                                            session.device_secret, slot_params())
    with transaction(session.conn):
        session.audit("passphrase_changed", "staff", session.user.id)
        record_staff_key(session.conn, session.user.id, new_slot, username)
        StaffRepo(session.conn).touch(session.user.id, passphrase_changed_at=utc_now())
        if session.compartment:
            compartment.write_slot(session.paths, new_slot, session.data_key)
        else:
            session.vault.slots[username] = new_slot
            try:
                _save_vault(session, username)
            except BaseException:
                _restore_slot(session, username, slot)
                raise
    _advance_head(session)
    session.must_change_passphrase = False


def _existing(session: Session, username: str) -> StaffMember:
    member = StaffRepo(session.conn).get_by_username(clean_username(username))
    if member is None:
        raise ValidationError(f"There is no account named '{username}'.", field="username")
    return member


def _keyed(session: Session) -> keying.Keyed:
    return keying.Keyed(session.paths.vault, session.vault, session.conn, session.data_key,
                        session.device_secret)


def _save_vault(session: Session, username: str) -> None:
    """Write this one account's slot (or its removal) into vault.json as it is on disk now,
    so that slot changes made meanwhile by another session on this vault are kept."""
    # Called inside the open transaction, so the head stays the last committed one: a crash
    # before COMMIT must not leave vault.json naming events the database never got (that
    # reads as tampering). _advance_head records the new head once committed.
    keyed = _keyed(session)
    keying.write_slots(keyed, {username: session.vault.slots.get(username)})
    session.vault = keyed.vault


def _rekey_now(session: Session, reason: str) -> None:
    """Re-key the database and re-seal every active slot (no passphrases needed).
    May raise: PermissionDenied, VaultFileInvalid, DatabaseError."""
    session.require(Role.MANAGER)
    keyed = _keyed(session)
    new_key = keying.rotate(keyed, session.user.username, reason)
    session.replace_key(session.conn, new_key, keyed.vault)


@grants(Scope.MANAGER)
def rekey(session: Session) -> None:
    """The manager's own action: a new data key, e.g. after a laptop was out of sight.
    May raise: Locked, PermissionDenied, VaultFileInvalid."""
    with transaction(session.conn):
        KeyStateRepo(session.conn).owe_rekey("asked for by a manager")
    _rekey_now(session, "asked for by a manager")


@grants(Scope.MANAGER)
def accounts_needing_reset(session: Session) -> list[str]:
    """User names whose slot is of the old kind and missed a re-key, or is unreadable: a
    manager's passphrase reset gives them a working slot again."""
    vault = session.reload_vault()
    stale = [u for u, s in vault.slots.items() if s.needs_reset]
    return sorted(set(stale) | set(vault.broken_slots))


def _advance_head(session: Session) -> None:
    try:
        session.save_audit_head()
    except OSError:
        pass  # the change is committed; the head is written again at lock


def _restore_slot(session: Session, username: str, old) -> None:
    if old is None:
        session.vault.slots.pop(username, None)
    else:
        session.vault.slots[username] = old
