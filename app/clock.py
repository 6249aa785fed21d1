"""One clock for the whole program. Every "now" comes from here, so a test can set the time
(`clock.frozen(...)`) and every record written meanwhile agrees on it, and stored times have
one of two precisions: seconds for record stamps, microseconds where order matters within a
second (the audit trail, hub entries)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _source()


def stamp() -> str:
    """Now as ISO-8601 UTC text to the second: created_at, updated_at and the like."""
    return now().isoformat(timespec="seconds")


def precise_stamp() -> str:
    """Now to the microsecond: for rows whose order within one second matters."""
    return now().isoformat(timespec="microseconds")


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Stop the clock at `at` (UTC) for the block: tests of deadlines, expiry and ordering."""
    global _source
    if at.tzinfo is None:
        raise ValueError("a frozen time must carry its timezone")
    previous = _source
    _source = lambda: at.astimezone(UTC)  # noqa: E731
    try:
        yield
    finally:
        _source = previous
