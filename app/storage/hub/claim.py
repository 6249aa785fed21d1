"""Exclusive create of a complete file on a folder that several computers share.

Two ways, picked per folder:
- link: write a temp file fully, fsync, then `os.link` it to the final name. A link fails
  if the name is taken, and the file appears already complete, so no reader ever sees half.
- exclusive open (folders without hard links: FAT/exFAT USB sticks, some network shares):
  `O_CREAT | O_EXCL` on the final name, then write and fsync. A reader may meet the file
  while it is being written, or torn by a crash; the record's own length and checksum
  (record.py) keep such a file from being read as an entry, and FolderHub moves a torn claim
  aside once it has been still for a while, so it cannot block the log forever.
"""

import errno
import os
import stat
import uuid
from pathlib import Path

from app.fsutil import fsync_dir as _fsync_dir

# Errors that mean "this folder has no hard links", as opposed to "the name is taken".
NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS, errno.EMLINK}
_BINARY = getattr(os, "O_BINARY", 0)
# A hub folder is shared by every staff account that uses it (an office where each person has
# a login of their own: docs/hub.md "Sharing a folder hub"). The process umask (077,
# app/security/hygiene.py) would make each file its writer's alone and refuse everyone else,
# so the hub sets its own modes: files readable by the group, folders writable by it (with
# set-group-ID kept, so everything takes the hub folder's group, which IT chooses); nothing
# for other accounts. The hub holds only ciphertext. On Windows the share's ACLs decide.
FILE_MODE = 0o640
DIR_MODE = 0o770
_POSIX = os.name == "posix"


def share_dir(path: Path) -> None:
    """Give a hub folder its shared mode, keeping set-group-ID. May raise: OSError."""
    if _POSIX:
        os.chmod(path, DIR_MODE | (os.stat(path).st_mode & stat.S_ISGID))


def make_dir(path: Path) -> None:
    """A hub folder (its parent must exist), shared as share_dir says; nothing if it exists.
    May raise: OSError."""
    try:
        path.mkdir()
    except FileExistsError:
        return
    share_dir(path)


def share_own_files(root: Path) -> int:
    """Hubs made before the modes above left every folder and file private to its writer.
    Give the ones this account owns the shared modes (another account's stay as they are
    until that account opens the hub). Returns how many were changed."""
    if not _POSIX:
        return 0
    changed = 0
    me = os.geteuid()
    for path in [root, *root.rglob("*")]:
        try:
            info = path.lstat()
            if info.st_uid != me or stat.S_ISLNK(info.st_mode):
                continue
            wanted = (DIR_MODE | (info.st_mode & stat.S_ISGID)) if stat.S_ISDIR(info.st_mode) else FILE_MODE
            if stat.S_IMODE(info.st_mode) != wanted:
                os.chmod(path, wanted)
                changed += 1
        except OSError:
            continue    # gone meanwhile, or not ours to change
    return changed


def fsync_dir(folder: Path) -> None:
    """Flush a directory entry; some network and FUSE file systems refuse fsync on a folder
    (EINVAL): there the server decides, and `confide --self-test --hub` reports it."""
    try:
        _fsync_dir(folder)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF):
            raise


class LinksUnsupported(Exception):
    """Hard links are not available on this folder."""


def write_new(path: Path, data: bytes) -> None:
    """Create `path` (must not exist) with `data`, fsynced, readable by the hub folder's group
    (FILE_MODE): other staff accounts must be able to read a shared hub folder, and what it
    holds is ciphertext.

    May raise: FileExistsError, OSError.
    """
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _BINARY, FILE_MODE)
    try:
        if _POSIX:
            os.fchmod(fd, FILE_MODE)    # the umask took the group's bits away
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        # A full disk or a failing share: the part written is ours alone and no entry, so
        # it goes now rather than at the next day's sweep (a full hub must not fill up
        # further). Only if the name still holds our file: after a stall another computer
        # may have moved it aside as torn and claimed the number.
        _unlink_if_ours(path, fd)
        raise
    finally:
        os.close(fd)


def _unlink_if_ours(path: Path, fd: int) -> None:
    try:
        if os.path.samestat(os.fstat(fd), os.stat(path)):
            os.unlink(path)
    except OSError:
        pass


def claim_by_link(final: Path, tmp_dir: Path, data: bytes) -> None:
    """May raise: FileExistsError (taken), LinksUnsupported, OSError."""
    tmp = tmp_dir / f"{final.name}.{uuid.uuid4().hex}.tmp"
    write_new(tmp, data)
    try:
        os.link(tmp, final)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno in NO_LINKS:
            raise LinksUnsupported(str(exc)) from exc
        raise
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    fsync_dir(final.parent)


def claim_by_exclusive_open(final: Path, data: bytes) -> None:
    """May raise: FileExistsError (taken, or our half-written claim was moved aside as torn
    by another computer before we finished: the caller treats both as "taken"), OSError."""
    write_new(final, data)
    fsync_dir(final.parent)
    # If we stalled mid-write for longer than the torn-claim grace period, another computer
    # may have moved our file aside and claimed the number itself: read back to be sure.
    try:
        with open(final, "rb") as handle:
            if handle.read() == data:
                return
    except FileNotFoundError:
        pass
    raise FileExistsError(errno.EEXIST, "sequence number taken while writing", str(final))


def replace_atomically(final: Path, tmp_dir: Path, data: bytes) -> None:
    """Write a complete file in place of `final` (temp, fsync, os.replace).

    May raise: OSError.
    """
    tmp = tmp_dir / f"{final.name}.{uuid.uuid4().hex}.tmp"
    write_new(tmp, data)
    try:
        os.replace(tmp, final)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(final.parent)
