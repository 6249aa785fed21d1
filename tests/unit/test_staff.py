"""Staff administration: roles, resets, disabling, own passphrase changes."""

import pytest

from app.errors import PermissionDenied, ValidationError, WrongCredentials
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE

NEW = "lanterns over the quiet harbour"


def _add(session, username="casey", role="caseworker"):
    return staff.add_staff(session, username, f"{username.title()} Person", role, OTHER_PASSPHRASE)


def test_manager_adds_each_role(session):
    for name, role in (("casey", "caseworker"), ("vic", "volunteer"), ("mo", "manager")):
        assert _add(session, name, role).role.value == role
    assert {m.username for m in staff.list_staff(session)} == {"manager", "casey", "vic", "mo"}


def test_duplicate_and_bad_usernames_refused(session):
    _add(session)
    with pytest.raises(ValidationError, match="already taken"):
        _add(session, "Casey")
    for bad in ("", "a", "has space", "x" * 40, "émile", "bad\x00name"):
        with pytest.raises(ValidationError):
            _add(session, bad)


def test_caseworker_cannot_administer_staff(session, data_dir):
    _add(session)
    session.lock()
    casey = vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)
    staff.change_own_passphrase(casey, OTHER_PASSPHRASE, NEW)
    with pytest.raises(PermissionDenied, match="manager"):
        _add(casey, "another")
    with pytest.raises(PermissionDenied):
        staff.disable(casey, "manager")
    casey.lock()


def test_disable_removes_the_slot(session, data_dir):
    _add(session)
    staff.disable(session, "casey")
    assert "casey" not in session.vault.slots
    session.lock()
    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)


def test_cannot_disable_self_or_demote_the_last_manager(session):
    with pytest.raises(PermissionDenied, match="your own"):
        staff.disable(session, "manager")
    with pytest.raises(PermissionDenied, match="last active manager"):
        staff.change_role(session, "manager", "caseworker")
    _add(session, "mo", "manager")
    staff.change_role(session, "mo", "caseworker")
    assert {m.username: m.role.value for m in staff.list_staff(session)}["mo"] == "caseworker"


def test_reset_gives_a_temporary_passphrase(session, data_dir):
    _add(session)
    staff.reset_passphrase(session, "casey", "temporary words for casey")
    session.lock()
    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE)
    casey = vault_service.unlock(data_dir, "casey", "temporary words for casey")
    assert casey.must_change_passphrase
    casey.lock()


def test_reset_reenables_a_disabled_account(session, data_dir):
    _add(session)
    staff.disable(session, "casey")
    staff.reset_passphrase(session, "casey", "temporary words for casey")
    session.lock()
    vault_service.unlock(data_dir, "casey", "temporary words for casey").lock()


def test_change_own_passphrase_rewraps_one_slot_only(session, data_dir):
    _add(session)
    db_before = (data_dir / "confide.db").stat().st_size
    casey_slot = session.vault.slots["casey"].to_json()
    with pytest.raises(WrongCredentials):
        staff.change_own_passphrase(session, "not my passphrase", NEW)
    with pytest.raises(ValidationError):
        staff.change_own_passphrase(session, PASSPHRASE, "short")
    staff.change_own_passphrase(session, PASSPHRASE, NEW)
    assert session.vault.slots["casey"].to_json() == casey_slot
    assert (data_dir / "confide.db").stat().st_size == db_before
    session.lock()
    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, "manager", PASSPHRASE)
    vault_service.unlock(data_dir, "manager", NEW).lock()


def test_staff_changes_are_audited(session):
    _add(session)
    staff.reset_passphrase(session, "casey", "temporary words for casey")
    staff.disable(session, "casey")
    actions = [r[0] for r in session.conn.execute("SELECT action FROM audit_event ORDER BY seq")]
    # A reset and a disable each re-key the database, and say so in the trail.
    assert actions[-5:] == ["staff_added", "passphrase_reset", "rekey", "staff_disabled", "rekey"]
