"""vault.json validated with bounds before use: a damaged or hostile value gives
one plain line, quickly, never a traceback, a hang or a huge allocation; a slot written with
weak settings refuses that person only, never the whole vault.

"Quickly" is checked as work, not wall-clock time: the only costly step is Argon2, and every
call that reaches it is recorded, so a hostile cost (2**40 KiB, 10**9 passes) that got through
would show as a call, on a quiet machine or a loaded one."""

import json

import pytest

from app.errors import ConfideError, VaultFileInvalid
from app.security import kdf
from app.security.device import KeyringStore
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE


def _slot(data, user):
    return next(s for s in data["slots"] if s["user"] == user)


def _set(*keys_value):
    def edit(data):
        *keys, value = keys_value
        target = data
        for key in keys[:-1]:
            target = target[key] if not callable(key) else key(target)
        target[keys[-1]] = value
    return edit


CASEY = lambda data: _slot(data, "casey")  # noqa: E731

FILE_EDITS = {
    "generation not a number": _set("generation", "many"),
    "generation negative": _set("generation", -1),
    "generation a boolean": _set("generation", True),
    "audit head seq not a number": _set("audit_head", "seq", "abc"),
    "audit head hash not hex": _set("audit_head", "hash", "zz" * 32),
    "audit head a list": _set("audit_head", [1, 2]),
    "key id damaged": _set("key_id", "../../etc"),
    "authentication codes missing": _set("macs", []),
    "vault id huge": _set("vault_id", "v" * 100_000),
    "slots not a list": _set("slots", {"manager": 1}),
    "recovery nonce short": _set("recovery", "device", "nonce", "AAAA"),
    "format unknown": _set("format", 99),
}

SLOT_EDITS = {
    "empty salt": _set(CASEY, "salt", ""),
    "short private-key nonce": _set(CASEY, "private", "nonce", "AAAAAAAA"),
    "huge Argon2 memory": _set(CASEY, "kdf", "memory_kib", 2**40),
    "huge Argon2 passes": _set(CASEY, "kdf", "passes", 10**9),
    "huge Argon2 lanes": _set(CASEY, "kdf", "lanes", 10**6),
    "Argon2 memory not a number": _set(CASEY, "kdf", "memory_kib", "lots"),
    "Argon2 passes fractional": _set(CASEY, "kdf", "passes", 1.5),
    "sealed keys flooded": _set(CASEY, "sealed", [{"key_id": "0" * 16}] * 50),
    "public key short": _set(CASEY, "public", "AAAA"),
    "salt not base64": _set(CASEY, "salt", "!!!!"),
}


@pytest.fixture
def two_accounts(session, data_dir):
    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)
    session.lock()
    return data_dir / "vault.json"


ARGON2_CALLS: list[tuple[int, int, int]] = []


@pytest.fixture(autouse=True)
def argon2_calls(monkeypatch):
    """Every Argon2 call's (memory KiB, passes, lanes)."""
    real = kdf.hash_secret_raw

    def recorded(**kwargs):
        ARGON2_CALLS.append((kwargs["memory_cost"], kwargs["time_cost"], kwargs["parallelism"]))
        return real(**kwargs)

    monkeypatch.setattr(kdf, "hash_secret_raw", recorded)
    ARGON2_CALLS.clear()
    yield ARGON2_CALLS
    ARGON2_CALLS.clear()


def _one_line_quickly(call) -> ConfideError:
    ARGON2_CALLS.clear()
    with pytest.raises(ConfideError) as caught:
        call()
    # At most one derivation (the person's own slot), never at a cost beyond the bounds.
    assert len(ARGON2_CALLS) <= 1, ARGON2_CALLS
    assert all(memory <= kdf.MAX_MEMORY_KIB and passes <= kdf.MAX_PASSES and lanes <= kdf.MAX_LANES
               for memory, passes, lanes in ARGON2_CALLS), ARGON2_CALLS
    assert "\n" not in caught.value.message and caught.value.message.strip()
    return caught.value


@pytest.mark.parametrize("name", list(FILE_EDITS) + list(SLOT_EDITS))
def test_damaged_values_give_one_plain_line(two_accounts, data_dir, name):
    data = json.loads(two_accounts.read_text())
    (FILE_EDITS.get(name) or SLOT_EDITS[name])(data)
    two_accounts.write_text(json.dumps(data))
    for user, passphrase in (("manager", PASSPHRASE), ("casey", OTHER_PASSPHRASE)):
        _one_line_quickly(lambda u=user, p=passphrase: vault_service.unlock(data_dir, u, p))


def test_deeply_nested_or_huge_files_give_one_plain_line(two_accounts, data_dir):
    two_accounts.write_text("[" * 200_000 + "]" * 200_000)
    _one_line_quickly(lambda: vault_service.unlock(data_dir, "manager", PASSPHRASE))
    two_accounts.write_text('{"format": 2, "pad": "' + "x" * (5 * 1024 * 1024) + '"}')
    _one_line_quickly(lambda: vault_service.unlock(data_dir, "manager", PASSPHRASE))


def test_a_slot_written_with_weak_settings_refuses_that_person_only(data_dir):
    """E.g. an account added while the test profile was on by mistake: the real program
    refuses that one slot and everyone else still signs in."""
    real_minimum = kdf.KdfParams(kdf.MIN_MEMORY_KIB, kdf.MIN_LANES, 1)
    session, _ = vault_service.create_vault(data_dir, "Svc", "manager", "Test Manager", PASSPHRASE,
                                            KeyringStore(), params=real_minimum)
    staff.add_staff(session, "casey", "Casey Worker", "caseworker", OTHER_PASSPHRASE)  # cheap profile
    session.lock()
    kdf.use_cheap_profile_for_tests(False)
    try:
        error = _one_line_quickly(lambda: vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE))
        assert isinstance(error, VaultFileInvalid) and "reset your passphrase" in error.message
        manager = vault_service.unlock(data_dir, "manager", PASSPHRASE)
        assert staff.accounts_needing_reset(manager) == ["casey"]
        manager.lock()
        vault_service.unlock(data_dir, "manager", PASSPHRASE).lock()  # the file stays readable
    finally:
        kdf.use_cheap_profile_for_tests(True)


def test_the_work_check_sees_a_hostile_cost(two_accounts, data_dir, monkeypatch):
    """Control: with the bounds check switched off, the hostile cost reaches Argon2 and the
    check above fails (Argon2 itself is stubbed here so the control does not allocate 1 TiB)."""
    monkeypatch.setattr(kdf.KdfParams, "check", lambda self: None)
    monkeypatch.setattr(kdf, "hash_secret_raw", lambda **kw: (
        ARGON2_CALLS.append((kw["memory_cost"], kw["time_cost"], kw["parallelism"])), b"\0" * 32)[1])
    data = json.loads(two_accounts.read_text())
    SLOT_EDITS["huge Argon2 passes"](data)
    two_accounts.write_text(json.dumps(data))
    with pytest.raises(AssertionError):
        _one_line_quickly(lambda: vault_service.unlock(data_dir, "casey", OTHER_PASSPHRASE))
