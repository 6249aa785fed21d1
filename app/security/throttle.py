"""Unlock attempts: after 3 failures, a growing delay that survives restarts.

Kept in its own file beside vault.json so that a failed attempt never rewrites the key
slots. It slows guessing at the keyboard; guessing against a copied vault is slowed by
Argon2id and the device secret instead. There is no auto-wipe.

Every read-modify-write happens under an exclusive lock on a side file, and an attempt is
counted *before* its passphrase is checked (begin), then taken back if it was right
(cancel): so parallel processes cannot share one "free" attempt, and a process killed in
the middle of a guess has still spent it. Someone who controls the OS account can delete
this file; against them the Argon2id cost of each guess is the real limit (README).
"""

import json
import time
from collections.abc import Callable
from pathlib import Path

from app.errors import TooManyAttempts
from app.fsutil import atomic_write
from app.security.filelock import exclusive

FREE_ATTEMPTS = 3
BASE_DELAY = 5.0
MAX_DELAY = 15 * 60.0


def delay_after(failures: int) -> float:
    """Seconds to wait after `failures` consecutive failures: 0, 0, 0, 5, 10, 20 ... 900."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(MAX_DELAY, BASE_DELAY * 2 ** (failures - FREE_ATTEMPTS))


class AttemptLog:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time):
        self.path = Path(path)
        self.lock_path = self.path.parent  # the vault folder: see app/security/filelock.py
        self.clock = clock
        self._made_file = False  # set by begin(): the attempts file did not exist before it

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            # A damaged counter must not lock anyone out; it resets to no failures.
            return {}

    def _key(self, user: str) -> str:
        return user.strip().lower()

    def _write(self, data: dict) -> None:
        if not data and not self.path.exists():
            return  # nothing on record and no file yet: leave none
        atomic_write(self.path, json.dumps(data).encode(), 0o600)

    def _times(self, data: dict, user: str) -> list[float]:
        times = data.get(self._key(user), [])
        # Same rule as a damaged file: entries that are not times are ignored, never fatal.
        return [float(t) for t in times if isinstance(t, int | float) and not isinstance(t, bool)] \
            if isinstance(times, list) else []

    def failures(self, user: str) -> list[float]:
        return self._times(self._read(), user)

    def seconds_to_wait(self, user: str) -> int:
        return self._wait(self.failures(user))

    def _wait(self, times: list[float]) -> int:
        if not times:
            return 0
        delay = delay_after(len(times))
        # Capped at the delay itself: failures stamped while the clock ran fast must not
        # become a lock-out of hours once the clock is put right.
        remaining = min(delay, times[-1] + delay - self.clock())
        return max(0, int(remaining + 0.999))

    def check(self, user: str) -> None:
        """May raise: TooManyAttempts."""
        wait = self.seconds_to_wait(user)
        if wait > 0:
            raise TooManyAttempts(wait)

    def begin(self, user: str) -> float:
        """Check the delay and count this attempt as a failure, in one locked step, before the
        passphrase is checked. Returns the attempt's stamp for cancel().

        May raise: TooManyAttempts, LockTimeout, OSError.
        """
        with exclusive(self.lock_path):
            data = self._read()
            times = self._times(data, user)
            wait = self._wait(times)
            if wait > 0:
                raise TooManyAttempts(wait)
            stamp = self.clock()
            self._made_file = not self.path.exists()
            data[self._key(user)] = (times + [stamp])[-50:]
            self._write(data)
            return stamp

    def cancel(self, user: str, stamp: float) -> None:
        """The attempt begun at `stamp` was right: it is not a failure."""
        with exclusive(self.lock_path):
            data = self._read()
            times = self._times(data, user)
            if stamp in times:
                times.remove(stamp)
                if times:
                    data[self._key(user)] = times
                else:
                    data.pop(self._key(user), None)
                if not data and self._made_file:
                    # begin() made the file for this attempt alone: take it away again, so a
                    # right passphrase whose database then fails to open leaves the vault
                    # folder exactly as it was.
                    self.path.unlink(missing_ok=True)
                    return
                self._write(data)

    def record_failure(self, user: str) -> None:
        with exclusive(self.lock_path):
            data = self._read()
            data[self._key(user)] = (self._times(data, user) + [self.clock()])[-50:]
            self._write(data)

    def take_and_reset(self, user: str) -> list[float]:
        """Failures since the last success (to be written to the audit trail), then forget them."""
        with exclusive(self.lock_path):
            data = self._read()
            times = self._times(data, user)
            if data.pop(self._key(user), None) is not None:
                self._write(data)
            return times
