"""How values are shown: UK dates in local time, and errors in plain words."""

from datetime import datetime

from app.errors import ConfideError


def uk_datetime(iso_utc: str | None, empty: str = "Never") -> str:
    """'2025-03-04T09:05:00+00:00' -> '04/03/2025 09:05' in this computer's time zone."""
    if not iso_utc:
        return empty
    try:
        moment = datetime.fromisoformat(iso_utc)
    except ValueError:
        return iso_utc
    return moment.astimezone().strftime("%d/%m/%Y %H:%M")


def describe_error(exc: BaseException) -> str:
    """A sentence fit to show. Our own errors already are; others get a plain wrapper."""
    if isinstance(exc, ConfideError):
        return exc.message
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"Confide could not use a file: {exc.strerror or exc}{where}."
    return f"Something went wrong that Confide did not expect ({type(exc).__name__}: {exc})."
