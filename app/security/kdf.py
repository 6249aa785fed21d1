"""Argon2id key derivation, with parameters calibrated on this machine and stored per slot."""

import time
from dataclasses import asdict, dataclass

from argon2.low_level import Type, hash_secret_raw

from app.errors import VaultFileInvalid

MIN_MEMORY_KIB = 64 * 1024
MIN_LANES = 4
TARGET_SECONDS = 0.7  # middle of the 0.5-1.0 s the design asks for
MAX_PASSES = 200
# Upper bounds for what vault.json may ask for: beyond them one unlock would take minutes or
# exhaust memory, so a damaged or hostile file could hang the computer instead of failing.
MAX_MEMORY_KIB = 4 * 1024 * 1024
MAX_LANES = 64

_test_profile_active = False


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    lanes: int
    passes: int

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "KdfParams":
        try:
            values = [data[name] for name in ("memory_kib", "lanes", "passes")]
        except (KeyError, TypeError) as exc:
            raise VaultFileInvalid("vault.json has a key slot with unreadable Argon2 settings.") from exc
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise VaultFileInvalid("vault.json has a key slot whose Argon2 settings are not whole numbers.")
        params = cls(*values)
        params.check()
        return params

    def check(self) -> None:
        """Refuse parameters above the bounds (always) or below the design minimum (unless
        the test hook is on). May raise: VaultFileInvalid."""
        if not (1 <= self.memory_kib <= MAX_MEMORY_KIB and 1 <= self.lanes <= MAX_LANES
                and 1 <= self.passes <= MAX_PASSES and self.memory_kib >= 8 * self.lanes):
            raise VaultFileInvalid(
                f"vault.json asks for Argon2 settings outside what Confide accepts (memory "
                f"{self.memory_kib} KiB, {self.lanes} lanes, {self.passes} passes); it is damaged "
                "or was tampered with.")
        if _test_profile_active:
            return
        if self.memory_kib < MIN_MEMORY_KIB or self.lanes < MIN_LANES or self.passes < 1:
            raise VaultFileInvalid(
                "vault.json asks for weaker passphrase protection than Confide allows; "
                "it may have been tampered with."
            )


CHEAP_TEST_PARAMS = KdfParams(memory_kib=1024, lanes=1, passes=1)


def use_cheap_profile_for_tests(active: bool = True) -> None:
    """Explicit test hook: allow and default to a fast, weak profile. Never used by the app."""
    global _test_profile_active
    _test_profile_active = active


def test_profile_active() -> bool:
    return _test_profile_active


def derive(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    params.check()
    return hash_secret_raw(
        secret=passphrase.encode("utf-8"),
        salt=salt,
        time_cost=params.passes,
        memory_cost=params.memory_kib,
        parallelism=params.lanes,
        hash_len=32,
        type=Type.ID,
    )


def calibrate(target_seconds: float = TARGET_SECONDS) -> KdfParams:
    """Choose the pass count that makes one derivation take about `target_seconds` here."""
    if _test_profile_active:
        return CHEAP_TEST_PARAMS
    salt = b"\0" * 16
    probe = 4
    start = time.perf_counter()
    derive("calibration", salt, KdfParams(MIN_MEMORY_KIB, MIN_LANES, probe))
    per_pass = max((time.perf_counter() - start) / probe, 1e-4)
    passes = max(1, min(MAX_PASSES, round(target_seconds / per_pass)))
    # One check run: the first estimate is skewed by allocation costs at small pass counts.
    start = time.perf_counter()
    derive("calibration", salt, KdfParams(MIN_MEMORY_KIB, MIN_LANES, passes))
    took = time.perf_counter() - start
    if took > 0:
        passes = max(1, min(MAX_PASSES, round(passes * target_seconds / took)))
    return KdfParams(MIN_MEMORY_KIB, MIN_LANES, passes)
