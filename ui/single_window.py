"""One window per data folder. A second Confide on the same vault would run its own sync, its
own auto-lock and its own drafts beside the first, each setting aside what the other typed, and
a person would not know which window holds their work. Qt's QLockFile records the holder's
process, so a crash or kill -9 never leaves the folder locked for good."""

from pathlib import Path

from PySide6.QtCore import QLockFile

LOCK_NAME = "window.lock"

ALREADY_OPEN = ("Confide is already open for this data folder ({folder}).\n\n"
                "Use the window that is open: it may be minimised, locked or behind another window. "
                "Nothing was changed.")


def hold(data_dir: Path) -> QLockFile | None:
    """The folder's window lock, held until the returned object is unlocked or dropped; None when
    another Confide on this computer holds it. May raise: OSError (the folder cannot be made)."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = QLockFile(str(data_dir / LOCK_NAME))
    # Stale only when its process has gone, however long a window has been open.
    lock.setStaleLockTime(0)
    return lock if lock.tryLock(0) else None
