"""File choosers behind a seam, like messages.py: tests queue the path a person would pick.

    files.set_next_path(tmp_path / "backup.confide-backup")   # None means "Cancel"
"""

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

_UNSET = object()
_next_paths: list = []


def set_next_path(path: Path | str | None) -> None:
    _next_paths.append(path)


def clear_paths() -> None:
    _next_paths.clear()


def _scripted():
    if not _next_paths:
        return _UNSET
    path = _next_paths.pop(0)
    return Path(path) if path else None


def save_path(parent: QWidget | None, title: str, suggested: Path, filters: str) -> Path | None:
    picked = _scripted()
    if picked is not _UNSET:
        return picked
    name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), filters)
    return Path(name) if name else None


def open_path(parent: QWidget | None, title: str, folder: Path, filters: str) -> Path | None:
    picked = _scripted()
    if picked is not _UNSET:
        return picked
    name, _ = QFileDialog.getOpenFileName(parent, title, str(folder), filters)
    return Path(name) if name else None


def folder_path(parent: QWidget | None, title: str, folder: Path) -> Path | None:
    picked = _scripted()
    if picked is not _UNSET:
        return picked
    name = QFileDialog.getExistingDirectory(parent, title, str(folder))
    return Path(name) if name else None


def documents_folder() -> Path:
    """Where a chooser starts: the Documents folder, else the home folder."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder and Path(folder).is_dir() else Path.home()
